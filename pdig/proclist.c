/*
 * The snapshot before the first event: the command (still pdig's forked
 * child, stopped before its execve) and its ancestors up to init, with
 * their cwd and open fds, so the first events resolve relative paths and
 * fds; and the user and group lists. Written as the metadata blocks of a
 * capture and/or sent as metadata records of the ring (the same blocks,
 * split to fit a record). Taken again, with every traced process, when a
 * new consumer attaches to the ring (out_snapshot.c).
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
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#include "pdig.h"
#include "procfs.h"
#include "proclist.h"
#include "shm_ring.h"
#include "shm_scap.h"

#define MAX_ANCESTORS 64
#define MAX_FDS 1024

/* The fds of one process of the list. */
struct snap_proc {
	struct shm_scap_fd *fds; /* names owned */
	size_t nfds;
};

struct pd_snapshot {
	struct shm_scap_machine mi;
	char host[128];
	struct pd_procinfo *pis; /* what procs[] point into */
	struct shm_scap_proc *procs;
	struct snap_proc *sp;    /* parallel to procs */
	size_t nprocs;
	struct shm_scap_user *users; /* strings owned */
	struct shm_scap_group *groups;
	size_t nusers, ngroups;
	struct shm_scap_iface *ifaces; /* names owned */
	size_t nifaces;
};

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

/* The open fds of pid into sp (names allocated, freed with the snapshot). */
static int read_fds(struct snap_proc *sp, pid_t pid)
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
	for (size_t i = 0; i < n; i++)
		if (!(fds[i].name = strdup(names[i]))) {
			n = i;
			rc = -ENOMEM;
			break;
		}
	if (n) {
		/* keep what is used: the snapshot lives until it is sent */
		struct shm_scap_fd *fit = realloc(fds, n * sizeof *fds);
		sp->fds = fit ? fit : fds;
		sp->nfds = n;
		fds = NULL;
	}
out:
	closedir(d);
	free(fds);
	free(names);
	free(socks.e);
	return rc;
}

static void read_machine(struct pd_snapshot *s)
{
	struct sysinfo si;
	char *host = s->host;
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
	gethostname(host, sizeof s->host - 1);
	mi.hostname = host;
	s->mi = mi;
}

/* IPv4 and IPv6 entries: a kernel capture's list has both */
static int is_ip_ifaddr(const struct ifaddrs *a)
{
	return a->ifa_addr &&
	       (a->ifa_addr->sa_family == AF_INET || a->ifa_addr->sa_family == AF_INET6);
}

/* The addresses of pdig's network namespace (the traced program's, but
 * for a program that made its own): what a kernel capture's interface list
 * holds, and what tells the engine which end of a connection is local
 * (fd.lip, fd.lport, fd.rnet, fd.snet...) and the local end of a
 * half-known UDP tuple. Without it every address looks remote. */
static int read_ifaces(struct pd_snapshot *s)
{
	struct ifaddrs *all, *a;
	if (getifaddrs(&all) < 0)
		return 0; /* no list: as before, every address remote */
	size_t n = 0;
	for (a = all; a; a = a->ifa_next)
		n += is_ip_ifaddr(a);
	s->ifaces = calloc(n ? n : 1, sizeof *s->ifaces);
	if (!s->ifaces) {
		freeifaddrs(all);
		return -ENOMEM;
	}
	for (a = all; a; a = a->ifa_next) {
		if (!is_ip_ifaddr(a))
			continue;
		struct shm_scap_iface *f = &s->ifaces[s->nifaces];
		if (!(f->ifname = strdup(a->ifa_name))) {
			freeifaddrs(all);
			return -ENOMEM;
		}
		if (a->ifa_addr->sa_family == AF_INET) {
			f->addr4 = ((struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr;
			if (a->ifa_netmask)
				f->netmask4 = ((struct sockaddr_in *)a->ifa_netmask)->sin_addr.s_addr;
			if ((a->ifa_flags & IFF_BROADCAST) && a->ifa_broadaddr)
				f->bcast4 = ((struct sockaddr_in *)a->ifa_broadaddr)->sin_addr.s_addr;
		} else {
			f->is_ipv6 = 1;
			memcpy(f->addr6, &((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr, 16);
			if (a->ifa_netmask)
				memcpy(f->netmask6, &((struct sockaddr_in6 *)a->ifa_netmask)->sin6_addr, 16);
		}
		s->nifaces++;
	}
	freeifaddrs(all);
	return 0;
}

/* The users and groups of /etc/passwd and /etc/group (files only, no NSS
 * lookups), so that user.name and group.name resolve: the traced tree's own
 * files, through /proc/PID/root (its root may not be pdig's: chroot, a
 * mount namespace of its own), else pdig's. */
#define MAX_USERS 4096

static FILE *open_in_root(pid_t pid, const char *file)
{
	char path[64];
	FILE *f = NULL;
	if (pid > 0) {
		snprintf(path, sizeof path, "/proc/%d/root%s", (int)pid, file);
		f = fopen(path, "re");
	}
	return f ? f : fopen(file, "re");
}

static int read_users(struct pd_snapshot *s, pid_t root)
{
	struct shm_scap_user *users = s->users = calloc(MAX_USERS, sizeof *users);
	struct shm_scap_group *groups = s->groups = calloc(MAX_USERS, sizeof *groups);
	size_t nu = 0, ng = 0;
	int rc = -ENOMEM;
	if (!users || !groups)
		goto out;
	FILE *f = open_in_root(root, "/etc/passwd");
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
	f = open_in_root(root, "/etc/group");
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
	rc = 0;
out:
	s->nusers = nu;
	s->ngroups = ng;
	return rc;
}

/* anc and its ancestors up to init, then tids: the state a consumer needs
 * before the events of tids. Fds are read for main threads only (threads
 * share their process's table). */
static int take(struct pd_snapshot **out, const pid_t *tids, size_t ntids, pid_t anc)
{
	struct pd_snapshot *s = calloc(1, sizeof *s);
	int rc = -ENOMEM;
	*out = NULL;
	if (!s)
		return -ENOMEM;
	size_t cap = MAX_ANCESTORS + ntids;
	s->pis = calloc(cap, sizeof *s->pis);
	s->procs = calloc(cap, sizeof *s->procs);
	s->sp = calloc(cap, sizeof *s->sp);
	if (!s->pis || !s->procs || !s->sp)
		goto err;
	read_machine(s);
	/* ancestors first, so parents precede children */
	pid_t chain[MAX_ANCESTORS];
	size_t depth = 0;
	for (pid_t p = anc; p > 0 && depth < MAX_ANCESTORS;) {
		chain[depth++] = p;
		if (pd_procinfo_read(&s->pis[0], p, 0) < 0)
			break;
		p = (pid_t)s->pis[0].ppid;
	}
	for (size_t i = depth + ntids; i-- > 0;) {
		pid_t pid = i >= ntids ? chain[i - ntids] : tids[ntids - 1 - i];
		if (pd_procinfo_read(&s->pis[s->nprocs], pid, 1) < 0)
			continue; /* gone meanwhile */
		to_scap_proc(&s->pis[s->nprocs], &s->procs[s->nprocs]);
		if (i < ntids) /* the traced tree, not an ancestor: said to the engine */
			s->procs[s->nprocs].flags |= SHM_PDIG_CL_TRACED;
		s->nprocs++;
	}
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].tid == s->procs[i].pid &&
		    (rc = read_fds(&s->sp[i], (pid_t)s->procs[i].tid)) < 0)
			goto err;
	if ((rc = read_users(s, ntids ? tids[0] : 0)) < 0 || (rc = read_ifaces(s)) < 0)
		goto err;
	*out = s;
	return 0;
err:
	pd_snapshot_free(s);
	return rc;
}

int pd_snapshot_take(struct pd_snapshot **out, pid_t root)
{
	return take(out, &root, 1, getpid());
}

int pd_snapshot_take_tids(struct pd_snapshot **out, const pid_t *tids, size_t n, pid_t anc)
{
	return take(out, tids, n, anc ? anc : getpid());
}

void pd_snapshot_free(struct pd_snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->sp && i < s->nprocs; i++) {
		for (size_t j = 0; j < s->sp[i].nfds; j++)
			free((char *)s->sp[i].fds[j].name);
		free(s->sp[i].fds);
	}
	for (size_t i = 0; s->users && i < s->nusers; i++) {
		free((char *)s->users[i].name);
		free((char *)s->users[i].homedir);
		free((char *)s->users[i].shell);
	}
	for (size_t i = 0; s->groups && i < s->ngroups; i++)
		free((char *)s->groups[i].name);
	for (size_t i = 0; s->ifaces && i < s->nifaces; i++)
		free((char *)s->ifaces[i].ifname);
	free(s->ifaces);
	free(s->users);
	free(s->groups);
	free(s->sp);
	free(s->procs);
	free(s->pis);
	free(s);
}

int pd_snapshot_write(const struct pd_snapshot *s, struct shm_scap_writer *w)
{
	int rc = shm_scap_write_machine(w, &s->mi);
	if (rc >= 0 && s->nifaces)
		rc = shm_scap_write_ifaces(w, s->ifaces, s->nifaces);
	if (rc >= 0)
		rc = shm_scap_write_procs(w, s->procs, s->nprocs);
	for (size_t i = 0; rc >= 0 && i < s->nprocs; i++)
		if (s->sp[i].nfds)
			rc = shm_scap_write_fds(w, s->procs[i].tid, s->sp[i].fds, s->sp[i].nfds);
	if (rc >= 0)
		rc = shm_scap_write_users(w, s->users, s->nusers, s->groups, s->ngroups);
	return rc;
}

/* ---- the same blocks as ring records, split to fit one record each ---- */

#define RECORD_MAX (64u << 10) /* small records: a lossy ring takes them more easily */

struct sender {
	struct shm_ring_prod *ring;
	uint8_t *buf;
	uint32_t cap;
	struct shm_scap_block b;
	uint64_t tid;       /* of the fd list being sent */
	uint64_t too_big;   /* entries that fit in no record */
	int rc;             /* first ring error */
};

static int send_begin(struct sender *x, uint32_t type)
{
	if (type == SHM_SCAP_FDL_V2)
		return shm_scap_block_begin_fds(&x->b, x->buf, x->cap, x->tid);
	return shm_scap_block_begin(&x->b, x->buf, x->cap, type);
}

static void send_flush(struct sender *x)
{
	if (!x->b.n)
		return;
	uint32_t type = x->b.type;
	size_t len = shm_scap_block_end(&x->b);
	int rc = shm_ring_write_meta(x->ring, x->buf, (uint32_t)len);
	if (rc < 0 && !x->rc)
		x->rc = rc; /* the ring counted the drop */
	send_begin(x, type);
}

/* Adds one entry (kind: which add function), sending the block when full. */
enum entry_kind { E_PROC, E_FD, E_USER, E_GROUP, E_IFACE };

static int add_entry(struct shm_scap_block *b, enum entry_kind k, const void *e)
{
	switch (k) {
	case E_PROC: return shm_scap_block_add_proc(b, e);
	case E_FD: return shm_scap_block_add_fd(b, e);
	case E_USER: return shm_scap_block_add_user(b, e);
	case E_IFACE: return shm_scap_block_add_iface(b, e);
	default: return shm_scap_block_add_group(b, e);
	}
}

static void send_entry(struct sender *x, enum entry_kind k, const void *e)
{
	int rc = add_entry(&x->b, k, e);
	if (rc == -ENOSPC && x->b.n) {
		send_flush(x);
		rc = add_entry(&x->b, k, e);
	}
	if (rc == -ENOSPC && k == E_PROC) {
		/* one process alone is too big: its environment and cgroups go */
		struct shm_scap_proc p = *(const struct shm_scap_proc *)e;
		p.env_len = p.cgroups_len = 0;
		rc = add_entry(&x->b, k, &p);
	}
	if (rc)
		x->too_big++;
}

int pd_snapshot_send(const struct pd_snapshot *s, struct shm_ring_prod *ring, uint64_t *lost)
{
	struct sender x = {.ring = ring};
	uint32_t max = shm_ring_prod_max_record(ring);
	x.cap = max < RECORD_MAX ? max : RECORD_MAX;
	x.buf = malloc(x.cap);
	if (!x.buf)
		return -ENOMEM;
	if (send_begin(&x, SHM_SCAP_MI) == 0 && shm_scap_block_machine(&x.b, &s->mi) == 0)
		send_flush(&x);
	send_begin(&x, SHM_SCAP_IL_V2);
	for (int v6 = 0; v6 <= 1; v6++) /* IPv4 first, as libscap writes them */
		for (size_t i = 0; i < s->nifaces; i++)
			if (s->ifaces[i].is_ipv6 == v6)
				send_entry(&x, E_IFACE, &s->ifaces[i]);
	send_flush(&x);
	send_begin(&x, SHM_SCAP_PL_V9);
	for (size_t i = 0; i < s->nprocs; i++)
		send_entry(&x, E_PROC, &s->procs[i]);
	send_flush(&x);
	for (size_t i = 0; i < s->nprocs; i++) {
		x.tid = s->procs[i].tid;
		send_begin(&x, SHM_SCAP_FDL_V2);
		for (size_t j = 0; j < s->sp[i].nfds; j++)
			send_entry(&x, E_FD, &s->sp[i].fds[j]);
		send_flush(&x);
	}
	send_begin(&x, SHM_SCAP_UL_V2);
	for (size_t i = 0; i < s->nusers; i++)
		send_entry(&x, E_USER, &s->users[i]);
	for (size_t i = 0; i < s->ngroups; i++)
		send_entry(&x, E_GROUP, &s->groups[i]);
	send_flush(&x);
	free(x.buf);
	if (lost)
		*lost = x.too_big;
	return x.rc;
}

int pd_proclist_write(struct shm_scap_writer *w, pid_t root, int quiet)
{
	struct pd_snapshot *s;
	int rc = pd_snapshot_take(&s, root);
	if (rc >= 0)
		rc = pd_snapshot_write(s, w);
	if (rc < 0 && !quiet)
		fprintf(stderr, "pdig: cannot write the process list: %s\n", strerror(-rc));
	pd_snapshot_free(s);
	return rc;
}
