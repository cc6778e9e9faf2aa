/*
 * Where pdig-trace finds things (trace.h): pdig and pdig-engine beside it
 * or in PATH, the default rules beside it or the copy built in, and the
 * private directory for the engine's socket.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace.h"

/* dir/name into out: 0, or -ENAMETOOLONG (then out is not to be used) */
static int join(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

void tr_find_self(struct tr_dirs *d, const char *argv0)
{
	char p[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", p, sizeof p - 1);
	if (n > 0) {
		p[n] = 0;
	} else if (strchr(argv0, '/') && realpath(argv0, p)) {
		/* no /proc (a bare chroot): where we were started from */
	} else {
		return;
	}
	char *slash = strrchr(p, '/');
	if (slash) {
		*slash = 0;
		snprintf(d->self, sizeof d->self, "%s", p[0] ? p : "/");
	}
}

static int executable(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

/* name beside pdig-trace, then in PATH: 0 with the path, -ENOENT */
int tr_find_program(const struct tr_dirs *d, const char *name, char *out, size_t cap)
{
	if (d->self[0]) {
		if (!join(out, cap, d->self, name) && executable(out))
			return 0;
	}
	const char *path = getenv("PATH");
	if (!path || !path[0])
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t l = strcspn(path, ":");
		char dir[PATH_MAX];
		if (l < sizeof dir) {
			memcpy(dir, l ? path : ".", l ? l : 1);
			dir[l ? l : 1] = 0;
			if (!join(out, cap, dir, name) && executable(out))
				return 0;
		}
		path += l + (path[l] == ':');
	}
	return -ENOENT;
}

static int has_yaml(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int yes = 0;
	while (d && !yes && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		yes = (n > 5 && !strcmp(e->d_name + n - 5, ".yaml")) ||
		      (n > 4 && !strcmp(e->d_name + n - 4, ".yml"));
	}
	if (d)
		closedir(d);
	return yes;
}

int tr_make_work_dir(struct tr_dirs *d)
{
	/* last, pdig-trace's own directory: a writable volume that holds the
	 * programs does too */
	const char *cands[] = {getenv("TMPDIR"), "/tmp", "/dev/shm", "/run", "/var/tmp", d->self};
	for (size_t i = 0; i < sizeof cands / sizeof *cands; i++) {
		if (!cands[i] || !cands[i][0])
			continue;
		/* the socket's path must fit sockaddr_un (108 bytes) */
		if (strlen(cands[i]) + sizeof "/pdig-trace.XXXXXX/engine.sock" > 108)
			continue;
		if (join(d->work, sizeof d->work, cands[i], "pdig-trace.XXXXXX"))
			continue;
		if (mkdtemp(d->work) && !join(d->sock, sizeof d->sock, d->work, "engine.sock"))
			return 0;
	}
	d->work[0] = 0;
	fprintf(stderr, "pdig-trace: no writable directory for the engine's socket (tried "
			"$TMPDIR, /tmp, /dev/shm, /run, /var/tmp, %s): mount a small tmpfs or volume "
			"(ECS: a bind mount or volume; Kubernetes: an emptyDir) and set TMPDIR to it\n",
		d->self[0] ? d->self : "pdig-trace's directory");
	return -EROFS;
}

void tr_remove_work_dir(struct tr_dirs *d)
{
	if (!d->work[0])
		return;
	if (d->rules[0] && !strncmp(d->rules, d->work, strlen(d->work))) {
		for (size_t i = 0; i < tr_ndefault_rules; i++) {
			char p[PATH_MAX];
			if (!join(p, sizeof p, d->rules, tr_default_rules[i].name))
				unlink(p);
		}
		rmdir(d->rules);
	}
	unlink(d->sock);
	rmdir(d->work);
	d->work[0] = 0;
}

static int write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = -errno;
			close(fd);
			return e;
		}
		off += (size_t)w;
	}
	return close(fd) < 0 ? -errno : 0;
}

/* The default rules: beside the binary, else the copy built in, written to
 * the private directory for the engine to read. */
int tr_use_default_rules(struct tr_dirs *d, const struct tr_opts *o)
{
	if (d->self[0]) {
		const char *rel[] = {"../share/pdig/rules", "rules"};
		for (int i = 0; i < 2; i++) {
			if (!join(d->rules, sizeof d->rules, d->self, rel[i]) && has_yaml(d->rules)) {
				if (o->verbose)
					fprintf(stderr, "pdig-trace: default rules: %s\n", d->rules);
				return 0;
			}
		}
	}
	if (join(d->rules, sizeof d->rules, d->work, "rules") || mkdir(d->rules, 0700) < 0) {
		fprintf(stderr, "pdig-trace: cannot create %s: %s\n", d->rules, strerror(errno));
		return -errno;
	}
	for (size_t i = 0; i < tr_ndefault_rules; i++) {
		char p[PATH_MAX];
		int rc = join(p, sizeof p, d->rules, tr_default_rules[i].name);
		if (!rc)
			rc = write_file(p, tr_default_rules[i].text, tr_default_rules[i].len);
		if (rc) {
			fprintf(stderr, "pdig-trace: cannot write %s: %s\n", p, strerror(-rc));
			return rc;
		}
	}
	if (o->verbose)
		fprintf(stderr, "pdig-trace: default rules: the copy built in (%zu files)\n",
			tr_ndefault_rules);
	return 0;
}
