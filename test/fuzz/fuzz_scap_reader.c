/*
 * libFuzzer target for the capture-file reader: the input is written to a
 * memfd and opened by path like any capture (so the plain/gzip detection
 * and the file-size checks run too); every event is drained and every
 * string of the metadata tables is read through.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shm_scap.h"

static volatile size_t sink;

static void touch(const char *s)
{
	sink += strlen(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("fuzz_scap", MFD_CLOEXEC);
		if (fd < 0) {
			perror("memfd_create");
			return 0;
		}
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		return 0;

	struct shm_scap_reader *r;
	char err[256];
	if (shm_scap_reader_open(&r, path, NULL, err, sizeof err)) {
		touch(err);
		return 0;
	}
	struct shm_scap_item it;
	int rc;
	while ((rc = shm_scap_reader_next(r, &it)) == 1)
		sink += it.evt.len + it.evt.nparams;
	if (rc < 0)
		touch(shm_scap_reader_error(r));

	const struct shm_scap_machine *mi = shm_scap_reader_machine(r);
	if (mi)
		touch(mi->hostname);
	const struct shm_scap_proc *ps;
	size_t n = shm_scap_reader_procs(r, &ps);
	for (size_t i = 0; i < n; i++) {
		touch(ps[i].comm);
		touch(ps[i].exe);
		touch(ps[i].exepath);
		touch(ps[i].cwd);
		touch(ps[i].root);
		sink += ps[i].args_len ? (uint8_t)ps[i].args[ps[i].args_len - 1] : 0;
		sink += ps[i].env_len ? (uint8_t)ps[i].env[ps[i].env_len - 1] : 0;
		sink += ps[i].cgroups_len ? (uint8_t)ps[i].cgroups[ps[i].cgroups_len - 1] : 0;
		const struct shm_scap_fd *fds;
		size_t nf = shm_scap_reader_fds(r, ps[i].tid, &fds);
		for (size_t j = 0; j < nf; j++)
			touch(fds[j].name);
	}
	const struct shm_scap_user *us;
	n = shm_scap_reader_users(r, &us);
	for (size_t i = 0; i < n; i++) {
		touch(us[i].name);
		touch(us[i].homedir);
		touch(us[i].shell);
	}
	const struct shm_scap_group *gs;
	n = shm_scap_reader_groups(r, &gs);
	for (size_t i = 0; i < n; i++)
		touch(gs[i].name);
	const struct shm_scap_iface *ifs;
	n = shm_scap_reader_ifaces(r, &ifs);
	for (size_t i = 0; i < n; i++)
		touch(ifs[i].ifname);
	shm_scap_reader_free(r);
	return 0;
}
