/*
 * pdig-dump [-n N] [--meta] FILE.scap
 *
 * Prints a capture one event per line:
 *
 *	NUM TIME CPU TID DIR TYPE name=value name=value...
 *
 * TIME is UTC with nanoseconds, DIR '>' for enter and '<' for exit events,
 * values rendered as sysdig renders them (shm_format.h) but with no state
 * (fds are not named) and buffers uncut, as with sysdig -v. --meta first prints the machine, the process list with
 * its fds, users, groups and interfaces. Exit status: 0, 1 on a file that
 * cannot be read to its end (the message names the byte offset), 2 on bad
 * usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shm_format.h"
#include "shm_scap.h"

static const char usage[] =
	"usage: pdig-dump [-n N] [--meta] FILE.scap\n"
	"  Prints a capture file one event per line.\n"
	"  -n N     stop after N events\n"
	"  --meta   also print the machine, processes, fds, users, groups and interfaces\n";

static int bad_usage(const char *why)
{
	fprintf(stderr, "pdig-dump: %s\n%s", why, usage);
	return 2;
}

/* NUL-separated strings as one line: "a b c". */
static void print_strings(const char *label, const char *s, uint32_t len)
{
	printf(" %s=", label);
	for (uint32_t i = 0; s && i < len; i++) {
		if (s[i])
			putchar(s[i]);
		else if (i + 1 < len)
			putchar(' ');
	}
}

static const char *fd_type_name(uint8_t t)
{
	static const char *const names[] = {
		"unknown", "file", "directory", "ipv4", "ipv6", "ipv4-server", "ipv6-server",
		"fifo", "unix", "event", "unsupported", "signalfd", "eventpoll", "inotify",
		"timerfd", "netlink", "file",
	};
	return t < sizeof names / sizeof names[0] ? names[t] : "?";
}

static void print_ip4(uint32_t a)
{
	char b[INET_ADDRSTRLEN];
	struct in_addr in = {.s_addr = a};
	fputs(inet_ntop(AF_INET, &in, b, sizeof b) ? b : "?", stdout);
}

static void print_ip6(const void *a)
{
	char b[INET6_ADDRSTRLEN];
	fputs(inet_ntop(AF_INET6, a, b, sizeof b) ? b : "?", stdout);
}

static void print_fd(const struct shm_scap_fd *f)
{
	printf("  fd %" PRId64 " %s", f->fd, fd_type_name(f->type));
	switch (f->type) {
	case SHM_SCAP_FD_IPV4_SOCK:
		putchar(' ');
		print_ip4(f->sip[0]);
		printf(":%u->", f->sport);
		print_ip4(f->dip[0]);
		printf(":%u proto=%u", f->dport, f->l4proto);
		break;
	case SHM_SCAP_FD_IPV6_SOCK:
		putchar(' ');
		print_ip6(f->sip);
		printf(":%u->", f->sport);
		print_ip6(f->dip);
		printf(":%u proto=%u", f->dport, f->l4proto);
		break;
	case SHM_SCAP_FD_IPV4_SERVSOCK:
		putchar(' ');
		print_ip4(f->sip[0]);
		printf(":%u proto=%u", f->sport, f->l4proto);
		break;
	case SHM_SCAP_FD_IPV6_SERVSOCK:
		putchar(' ');
		print_ip6(f->sip);
		printf(":%u proto=%u", f->sport, f->l4proto);
		break;
	case SHM_SCAP_FD_UNIX_SOCK:
		printf(" %" PRIx64 "->%" PRIx64 " %s", f->source, f->dest, f->name ? f->name : "");
		break;
	case SHM_SCAP_FD_FILE_V2:
		printf(" %s flags=0x%x ino=%" PRIu64, f->name ? f->name : "", f->open_flags, f->ino);
		break;
	default:
		printf(" %s ino=%" PRIu64, f->name ? f->name : "", f->ino);
		break;
	}
	putchar('\n');
}

static void print_meta(const struct shm_scap_reader *r)
{
	const struct shm_scap_machine *mi = shm_scap_reader_machine(r);
	if (mi)
		printf("machine cpus=%u memory=%" PRIu64 " max_pid=%" PRIu64 " hostname=%s\n",
		       mi->num_cpus, mi->memory_size_bytes, mi->max_pid,
		       mi->hostname ? mi->hostname : "");
	else
		printf("machine (none)\n");

	const struct shm_scap_proc *procs;
	size_t n = shm_scap_reader_procs(r, &procs);
	for (size_t i = 0; i < n; i++) {
		const struct shm_scap_proc *p = &procs[i];
		printf("proc tid=%" PRIu64 " pid=%" PRIu64 " ptid=%" PRIu64 " sid=%" PRIu64
		       " vpgid=%" PRIu64 " vtid=%" PRId64 " vpid=%" PRId64 " comm=%s exe=%s exepath=%s",
		       p->tid, p->pid, p->ptid, p->sid, p->vpgid, p->vtid, p->vpid,
		       p->comm ? p->comm : "", p->exe ? p->exe : "", p->exepath ? p->exepath : "");
		print_strings("args", p->args, p->args_len);
		printf(" cwd=%s root=%s uid=%u gid=%u loginuid=%d tty=%d fdlimit=%" PRId64
		       " flags=0x%x vmsize_kb=%u vmrss_kb=%u vmswap_kb=%u pfmajor=%" PRIu64
		       " pfminor=%" PRIu64 " clone_ts=%" PRIu64 " exe_writable=%u",
		       p->cwd ? p->cwd : "", p->root ? p->root : "", p->uid, p->gid, p->loginuid,
		       p->tty, p->fdlimit, p->flags, p->vmsize_kb, p->vmrss_kb, p->vmswap_kb,
		       p->pfmajor, p->pfminor, p->clone_ts, p->exe_writable);
		print_strings("env", p->env, p->env_len);
		print_strings("cgroups", p->cgroups, p->cgroups_len);
		putchar('\n');
		const struct shm_scap_fd *fds;
		size_t nfd = shm_scap_reader_fds(r, p->tid, &fds);
		for (size_t j = 0; j < nfd; j++)
			print_fd(&fds[j]);
	}

	const struct shm_scap_user *users;
	n = shm_scap_reader_users(r, &users);
	for (size_t i = 0; i < n; i++)
		printf("user uid=%u gid=%u name=%s home=%s shell=%s\n", users[i].uid, users[i].gid,
		       users[i].name ? users[i].name : "", users[i].homedir ? users[i].homedir : "",
		       users[i].shell ? users[i].shell : "");
	const struct shm_scap_group *groups;
	n = shm_scap_reader_groups(r, &groups);
	for (size_t i = 0; i < n; i++)
		printf("group gid=%u name=%s\n", groups[i].gid, groups[i].name ? groups[i].name : "");

	const struct shm_scap_iface *ifs;
	n = shm_scap_reader_ifaces(r, &ifs);
	for (size_t i = 0; i < n; i++) {
		const struct shm_scap_iface *f = &ifs[i];
		printf("iface %s ", f->ifname ? f->ifname : "");
		if (f->is_ipv6) {
			print_ip6(f->addr6);
			fputs(" netmask=", stdout);
			print_ip6(f->netmask6);
		} else {
			print_ip4(f->addr4);
			fputs(" netmask=", stdout);
			print_ip4(f->netmask4);
			fputs(" broadcast=", stdout);
			print_ip4(f->bcast4);
		}
		printf(" linkspeed=%" PRIu64 "\n", f->linkspeed);
	}
}

/* One event line; values too long for the buffer end in "...". */
static void print_event(uint64_t num, const struct shm_scap_item *it)
{
	static char line[65536];
	static const struct shm_fmt_opts uncut = {.buflen = 0};
	const struct shm_evt *ev = &it->evt;
	time_t sec = (time_t)(ev->ts / 1000000000u);
	struct tm tm;
	char when[32] = "?";
	if (gmtime_r(&sec, &tm))
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);

	printf("%" PRIu64 " %s.%09" PRIu64 " %u %" PRIu64 " %c %s", num, when,
	       ev->ts % 1000000000u, it->cpuid, ev->tid, shm_event_is_enter(ev->type) ? '>' : '<',
	       ev->info->name);
	for (unsigned i = 0; i < ev->nparams; i++) {
		int n = shm_fmt_param_opts(ev, i, &uncut, line, sizeof line);
		printf(" %s=%s%s", ev->info->params[i].name, line, n == -ENOSPC ? "..." : "");
	}
	putchar('\n');
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	int meta = 0;
	uint64_t limit = UINT64_MAX;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--meta") == 0) {
			meta = 1;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(a, "-n") == 0) {
			char *end;
			if (++i == argc)
				return bad_usage("-n needs a number of events");
			errno = 0;
			unsigned long long v = strtoull(argv[i], &end, 10);
			if (errno || end == argv[i] || *end || argv[i][0] == '-')
				return bad_usage("-n needs a number of events, e.g. -n 10");
			limit = v;
		} else if (a[0] == '-' && a[1]) {
			char why[256];
			snprintf(why, sizeof why, "unknown option %s", a);
			return bad_usage(why);
		} else if (path) {
			return bad_usage("give one capture file");
		} else {
			path = a;
		}
	}
	if (!path)
		return bad_usage("no capture file given");

	char err[512] = "";
	struct shm_scap_reader *r = NULL;
	int rc = shm_scap_reader_new(&r, path, err, sizeof err);
	if (rc < 0) {
		/* the reader's message usually names the file already */
		if (err[0] && strstr(err, path))
			fprintf(stderr, "pdig-dump: %s\n", err);
		else
			fprintf(stderr, "pdig-dump: %s: %s\n", path, err[0] ? err : strerror(-rc));
		return 1;
	}
	if (meta)
		print_meta(r);

	uint64_t num = 0;
	struct shm_scap_item item;
	while (num < limit && (rc = shm_scap_reader_next(r, &item)) > 0)
		print_event(++num, &item);
	int status = 0;
	if (rc < 0) {
		fflush(stdout);
		fprintf(stderr,
			"pdig-dump: %s: %s (after %" PRIu64 " events; the file is damaged or "
			"cut short, the events before the damage are printed)\n",
			path, shm_scap_reader_error(r), num);
		status = 1;
	}
	uint64_t skipped = shm_scap_reader_skipped(r);
	if (skipped)
		fprintf(stderr, "pdig-dump: %s: %" PRIu64 " damaged or unknown blocks skipped\n",
			path, skipped);
	shm_scap_reader_free(r);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "pdig-dump: writing the output failed: %s\n", strerror(errno));
		return 1;
	}
	return status;
}
