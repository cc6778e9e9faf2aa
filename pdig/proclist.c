/*
 * The process list of a capture: the command (still pdig's forked child,
 * stopped before its execve) and its ancestors up to init, with their cwd
 * and open fds, so the first events resolve relative paths and fds; and the
 * user and group lists.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <grp.h>
#include <pwd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "pdig.h"
#include "procfs.h"
#include "proclist.h"
#include "shm_scap.h"

#define MAX_ANCESTORS 64
#define MAX_FDS 1024

static void to_scap_proc(const struct pd_procinfo *pi, struct shm_scap_proc *p)
{
	memset(p, 0, sizeof *p);
	uint32_t exelen = (uint32_t)strnlen(pi->cmdline, pi->cmdline_len);
	p->tid = (uint64_t)pi->tid;
	p->pid = (uint64_t)pi->tgid;
	p->ptid = (uint64_t)pi->ppid;
	p->sid = (uint64_t)pi->sid;
	p->vpgid = (uint64_t)pi->pgid;
	p->comm = pi->comm;
	p->exe = pi->cmdline_len ? pi->cmdline : pi->comm;
	p->exepath = pi->exepath;
	p->args = pi->cmdline_len > exelen + 1 ? pi->cmdline + exelen + 1 : "";
	p->args_len = pi->cmdline_len > exelen + 1 ? pi->cmdline_len - exelen - 1 : 0;
	p->env = pi->environ;
	p->env_len = pi->environ_len;
	p->cwd = pi->cwd;
	p->cgroups = pi->cgroups;
	p->cgroups_len = pi->cgroups_len;
	p->root = "/";
	p->fdlimit = pi->fdlimit;
	p->uid = pi->uid;
	p->gid = pi->gid;
	p->vmsize_kb = pi->vmsize_kb;
	p->vmrss_kb = pi->vmrss_kb;
	p->vmswap_kb = pi->vmswap_kb;
	p->pfmajor = pi->majflt;
	p->pfminor = pi->minflt;
	p->vtid = pi->vtid;
	p->vpid = pi->vpid;
	p->tty = pi->tty;
	p->loginuid = pi->loginuid;
	p->exe_writable = (uint8_t)pi->exe_writable;
}

static uint8_t anon_type(const char *link)
{
	if (strstr(link, "[eventfd]"))
		return SHM_SCAP_FD_EVENT;
	if (strstr(link, "[eventpoll]"))
		return SHM_SCAP_FD_EVENTPOLL;
	if (strstr(link, "[signalfd]"))
		return SHM_SCAP_FD_SIGNALFD;
	if (strstr(link, "inotify"))
		return SHM_SCAP_FD_INOTIFY;
	if (strstr(link, "[timerfd]"))
		return SHM_SCAP_FD_TIMERFD;
	return SHM_SCAP_FD_UNSUPPORTED;
}

static uint32_t fdinfo_flags(pid_t pid, long fd)
{
	char file[64], buf[512];
	snprintf(file, sizeof file, "fdinfo/%ld", fd);
	ssize_t n = pd_proc_file(pid, file, buf, sizeof buf - 1);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *f = strstr(buf, "flags:");
	return f ? pd_open_flags(strtoul(f + 6, NULL, 8)) : 0;
}

/* A socket of the process's network namespace, from /proc/PID/net. */
struct sock_ent {
	uint64_t ino;
	uint8_t type; /* SHM_SCAP_FD_* */
	uint8_t l4proto;
	uint32_t sip[4], dip[4];
	uint16_t sport, dport;
	uint64_t source;
	char path[108];
};

struct sock_tab {
	struct sock_ent *e;
	size_t n, cap;
};

static struct sock_ent *sock_add(struct sock_tab *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct sock_ent *e = realloc(t->e, cap * sizeof *e);
		if (!e)
			return NULL;
		t->e = e;
		t->cap = cap;
	}
	memset(&t->e[t->n], 0, sizeof t->e[0]);
	return &t->e[t->n++];
}

/* "0100007F:1F90": the address as the kernel's u32 words (network order in
 * memory), the port in host order. */
static int parse_addr(const char *s, uint32_t *addr, int words, uint16_t *port)
{
	char word[9];
	for (int i = 0; i < words; i++) {
		memcpy(word, s + 8 * i, 8);
		word[8] = 0;
		addr[i] = (uint32_t)strtoul(word, NULL, 16);
	}
	if (s[8 * words] != ':')
		return -1;
	*port = (uint16_t)strtoul(s + 8 * words + 1, NULL, 16);
	return 0;
}

/* tcp, tcp6, udp, udp6: "sl: local remote st ... uid timeout inode" */
static void load_inet(struct sock_tab *t, pid_t pid, const char *file, int v6, uint8_t l4)
{
	char path[64], line[512], local[64], remote[64];
	unsigned st;
	unsigned long long ino;
	snprintf(path, sizeof path, "/proc/%d/net/%s", (int)pid, file);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, " %*u: %63s %63s %x %*s %*s %*s %*u %*u %llu", local, remote, &st,
			   &ino) != 4 || !ino)
			continue;
		struct sock_ent *e = sock_add(t);
		if (!e)
			break;
		int words = v6 ? 4 : 1;
		if (parse_addr(local, e->sip, words, &e->sport) < 0 ||
		    parse_addr(remote, e->dip, words, &e->dport) < 0) {
			t->n--;
			continue;
		}
		e->ino = ino;
		e->l4proto = l4;
		/* a listening TCP socket is a server socket; the rest have two ends */
		int server = l4 == 2 && st == 0x0a;
		e->type = v6 ? (server ? SHM_SCAP_FD_IPV6_SERVSOCK : SHM_SCAP_FD_IPV6_SOCK)
			     : (server ? SHM_SCAP_FD_IPV4_SERVSOCK : SHM_SCAP_FD_IPV4_SOCK);
	}
	fclose(f);
}

/* unix: "Num RefCount Protocol Flags Type St Inode Path" */
static void load_unix(struct sock_tab *t, pid_t pid)
{
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/%d/net/unix", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		unsigned long long num, ino;
		int off = 0;
		if (sscanf(line, "%llx: %*x %*x %*x %*x %*x %llu%n", &num, &ino, &off) != 2)
			continue;
		struct sock_ent *e = sock_add(t);
		if (!e)
			break;
		e->ino = ino;
		e->type = SHM_SCAP_FD_UNIX_SOCK;
		e->source = num;
		const char *p = line + off;
		while (*p == ' ')
			p++;
		snprintf(e->path, sizeof e->path, "%.*s", (int)strcspn(p, "\n"), p);
	}
	fclose(f);
}

static const struct sock_ent *sock_find(const struct sock_tab *t, uint64_t ino)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].ino == ino)
			return &t->e[i];
	return NULL;
}

static int write_fds(struct shm_scap_writer *w, pid_t pid)
{
	struct sock_tab socks = {NULL, 0, 0};
	int socks_loaded = 0;
	char dir[64];
	size_t n = 0;
	int rc = 0;
	snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
	DIR *d = opendir(dir);
	if (!d)
		return 0; /* gone, or not ours to see: it just has no fd list */
	struct shm_scap_fd *fds = calloc(MAX_FDS, sizeof *fds);
	char (*names)[256] = calloc(MAX_FDS, sizeof *names);
	if (!fds || !names) {
		rc = -ENOMEM;
		goto out;
	}
	struct dirent *de;
	while ((de = readdir(d)) && n < MAX_FDS) {
		if (de->d_name[0] == '.')
			continue;
		char path[320], link[256];
		long fd = strtol(de->d_name, NULL, 10);
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		ssize_t l = readlink(path, link, sizeof link - 1);
		if (l <= 0)
			continue;
		link[l] = 0;
		struct stat st;
		if (stat(path, &st) < 0)
			memset(&st, 0, sizeof st);
		struct shm_scap_fd *f = &fds[n];
		memset(f, 0, sizeof *f);
		f->fd = fd;
		f->ino = st.st_ino;
		if (link[0] == '/') {
			f->type = S_ISDIR(st.st_mode) ? SHM_SCAP_FD_DIRECTORY : SHM_SCAP_FD_FILE_V2;
			f->open_flags = fdinfo_flags(pid, fd);
			f->dev = pd_encode_dev(st.st_dev);
		} else if (strncmp(link, "pipe:", 5) == 0) {
			f->type = SHM_SCAP_FD_FIFO;
		} else if (strncmp(link, "anon_inode:", 11) == 0) {
			f->type = anon_type(link);
		} else if (strncmp(link, "socket:[", 8) == 0) {
			if (!socks_loaded) {
				load_inet(&socks, pid, "tcp", 0, 2);
				load_inet(&socks, pid, "udp", 0, 3);
				load_inet(&socks, pid, "tcp6", 1, 2);
				load_inet(&socks, pid, "udp6", 1, 3);
				load_unix(&socks, pid);
				socks_loaded = 1;
			}
			const struct sock_ent *e = sock_find(&socks, strtoull(link + 8, NULL, 10));
			if (!e)
				continue; /* netlink, packet, ...: not listed */
			f->type = e->type;
			memcpy(f->sip, e->sip, sizeof f->sip);
			memcpy(f->dip, e->dip, sizeof f->dip);
			f->sport = e->sport;
			f->dport = e->dport;
			f->l4proto = e->l4proto;
			f->source = e->source;
			snprintf(names[n], sizeof names[n], "%s", e->path);
			f->name = names[n];
			n++;
			continue;
		} else {
			continue;
		}
		snprintf(names[n], sizeof names[n], "%s", f->type == SHM_SCAP_FD_FIFO ? "" : link);
		f->name = names[n];
		n++;
	}
	if (n)
		rc = shm_scap_write_fds(w, (uint64_t)pid, fds, n);
out:
	closedir(d);
	free(fds);
	free(names);
	free(socks.e);
	return rc;
}

static int write_machine(struct shm_scap_writer *w)
{
	struct sysinfo si;
	char host[128] = "";
	char buf[32];
	struct shm_scap_machine mi = {0};
	mi.num_cpus = (uint32_t)sysconf(_SC_NPROCESSORS_ONLN);
	if (sysinfo(&si) == 0)
		mi.memory_size_bytes = (uint64_t)si.totalram * si.mem_unit;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");
	if (f) {
		if (fgets(buf, sizeof buf, f))
			mi.max_pid = strtoull(buf, NULL, 10);
		fclose(f);
	}
	gethostname(host, sizeof host - 1);
	mi.hostname = host;
	return shm_scap_write_machine(w, &mi);
}

/* The users and groups of /etc/passwd and /etc/group (files only, no NSS
 * lookups), so that user.name and group.name resolve. */
#define MAX_USERS 4096

static int write_users(struct shm_scap_writer *w)
{
	struct shm_scap_user *users = calloc(MAX_USERS, sizeof *users);
	struct shm_scap_group *groups = calloc(MAX_USERS, sizeof *groups);
	size_t nu = 0, ng = 0;
	int rc = -ENOMEM;
	if (!users || !groups)
		goto out;
	FILE *f = fopen("/etc/passwd", "re");
	struct passwd *pw;
	while (f && nu < MAX_USERS && (pw = fgetpwent(f))) {
		users[nu].uid = pw->pw_uid;
		users[nu].gid = pw->pw_gid;
		users[nu].name = strdup(pw->pw_name);
		users[nu].homedir = strdup(pw->pw_dir);
		users[nu].shell = strdup(pw->pw_shell);
		if (!users[nu].name || !users[nu].homedir || !users[nu].shell) {
			nu++;
			fclose(f);
			goto out;
		}
		nu++;
	}
	if (f)
		fclose(f);
	f = fopen("/etc/group", "re");
	struct group *gr;
	while (f && ng < MAX_USERS && (gr = fgetgrent(f))) {
		groups[ng].gid = gr->gr_gid;
		if (!(groups[ng++].name = strdup(gr->gr_name))) {
			fclose(f);
			goto out;
		}
	}
	if (f)
		fclose(f);
	rc = shm_scap_write_users(w, users, nu, groups, ng);
out:
	for (size_t i = 0; users && i < nu; i++) {
		free((char *)users[i].name);
		free((char *)users[i].homedir);
		free((char *)users[i].shell);
	}
	for (size_t i = 0; groups && i < ng; i++)
		free((char *)groups[i].name);
	free(users);
	free(groups);
	return rc;
}

int pd_proclist_write(struct shm_scap_writer *w, pid_t root, int quiet)
{
	struct pd_procinfo *pis = calloc(MAX_ANCESTORS + 1, sizeof *pis);
	struct shm_scap_proc *procs = calloc(MAX_ANCESTORS + 1, sizeof *procs);
	pid_t pids[MAX_ANCESTORS + 1];
	size_t n = 0;
	int rc = -ENOMEM;
	if (!pis || !procs)
		goto out;
	rc = write_machine(w);
	if (rc < 0)
		goto out;
	/* ancestors first, so parents precede children */
	pid_t chain[MAX_ANCESTORS];
	size_t depth = 0;
	for (pid_t p = getpid(); p > 0 && depth < MAX_ANCESTORS;) {
		chain[depth++] = p;
		if (pd_procinfo_read(&pis[0], p, 0) < 0)
			break;
		p = (pid_t)pis[0].ppid;
	}
	for (size_t i = depth; i-- > 0;)
		pids[n++] = chain[i];
	pids[n++] = root;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (pd_procinfo_read(&pis[k], pids[i], 1) < 0)
			continue;
		to_scap_proc(&pis[k], &procs[k]);
		k++;
	}
	rc = shm_scap_write_procs(w, procs, k);
	for (size_t i = 0; rc >= 0 && i < k; i++)
		rc = write_fds(w, (pid_t)procs[i].tid);
	if (rc >= 0)
		rc = write_users(w);
out:
	if (rc < 0 && !quiet)
		fprintf(stderr, "pdig: cannot write the process list: %s\n", strerror(-rc));
	free(pis);
	free(procs);
	return rc;
}
