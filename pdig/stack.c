/*
 * pdig --stack: unwinding a stopped tracee with libunwind-ptrace (stack.h).
 *
 * One libunwind address space per traced process, kept between events so
 * its caches of unwind tables last; each process's file mappings
 * (/proc/PID/maps) are cached too and read again when an address falls
 * outside them (a library loaded since), which also flushes libunwind's
 * caches. Exec and exit forget a process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pdig.h"
#include "stack.h"

/* the calls of the default set; open-family calls only for writing */
static const char *const default_set[] = {
	"execve", "execveat", "connect", "ptrace", "open", "openat", "openat2", "creat",
	"memfd_create", "init_module", "finit_module", "setuid", "setgid", "setreuid",
	"setregid", "setresuid", "setresgid", "setfsuid", "setfsgid", NULL,
};

#define NR_OPEN 2
#define NR_CREAT 85
#define NR_OPENAT 257
#define NR_OPENAT2 437

static int lookup_name(const char *name, size_t len)
{
	for (int i = 0; i < PD_SYSCALL_COUNT; i++)
		if (strlen(pd_syscall_table[i].name) == len &&
		    strncmp(pd_syscall_table[i].name, name, len) == 0)
			return pd_syscall_table[i].nr;
	return -1;
}

int pd_stack_check(const char *spec, char *bad, size_t cap)
{
	if (!spec || !*spec)
		return 0;
	for (const char *p = spec; *p;) {
		size_t n = strcspn(p, ",");
		if (strncmp(p, "default", n) != 0 || n != 7) {
			if (lookup_name(p, n) < 0) {
				snprintf(bad, cap, "%.*s", (int)n, p);
				return -EINVAL;
			}
		}
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

#define PD_STK_ALL 1   /* every call */
#define PD_STK_WRITE 2 /* open family: only opens for writing */

/* the selection part, the same with or without libunwind */
static void select_default(uint8_t *sel)
{
	for (const char *const *n = default_set; *n; n++) {
		int nr = lookup_name(*n, strlen(*n));
		if (nr >= 0 && nr < PD_SYSCALL_NR_MAX)
			sel[nr] = (nr == NR_OPEN || nr == NR_OPENAT || nr == NR_OPENAT2)
					  ? PD_STK_WRITE : PD_STK_ALL;
	}
}

static __attribute__((unused)) void select_spec(uint8_t *sel, const char *spec)
{
	if (!spec || !*spec) {
		select_default(sel);
		return;
	}
	for (const char *p = spec; *p;) {
		size_t n = strcspn(p, ",");
		if (n == 7 && strncmp(p, "default", 7) == 0) {
			select_default(sel);
		} else {
			int nr = lookup_name(p, n);
			if (nr >= 0 && nr < PD_SYSCALL_NR_MAX)
				sel[nr] = PD_STK_ALL;
		}
		p += n;
		if (*p)
			p++;
	}
}

/* open flags asking for writing (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC) */
static int writes(uint64_t flags)
{
	return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) != 0;
}

static int wanted(const uint8_t *sel, const struct pd_syscall *sc, pid_t tid,
		  const uint64_t *args)
{
	if (!sc || sc->nr >= PD_SYSCALL_NR_MAX || !sel[sc->nr])
		return 0;
	if (sel[sc->nr] == PD_STK_ALL)
		return 1;
	switch (sc->nr) {
	case NR_OPEN: return writes(args[1]);
	case NR_OPENAT: return writes(args[2]);
	case NR_OPENAT2: {
		uint64_t flags = 0; /* struct open_how starts with the flags */
		return pd_mem_read(tid, args[2], &flags, sizeof flags) == sizeof flags &&
		       writes(flags);
	}
	default: return 1;
	}
}

#ifdef PDIG_HAVE_LIBUNWIND
#include <libunwind-ptrace.h>

#define NPROCS 32 /* processes whose caches are kept (least recently used goes) */

struct map {
	uint64_t start, end, off;
	char *path;
};

/* A frame's function, by its address: libunwind reads the module's ELF
 * symbols again at every unw_get_proc_name(), by far the larger part of
 * an unwind's cost when the same code paths repeat. */
#define NSYMS 256
struct sym {
	uint64_t ip;  /* 0: empty */
	uint64_t off;
	char *name;   /* NULL: no name there */
};

struct proc {
	pid_t pid;
	uint64_t used;      /* stamp of its last unwind */
	unw_addr_space_t as;
	struct map *maps;
	size_t nmaps;
	int maps_read;
	struct sym *syms;   /* NSYMS, by address hash; dropped with the maps */
};

struct pd_stack {
	uint8_t sel[PD_SYSCALL_NR_MAX];
	struct proc procs[NPROCS];
	uint64_t clock;
	/* counters (pdig -v) */
	uint64_t unwound, frames, failed, truncated, timeouts, maps_reads, sym_hits;
};

int pd_stack_supported(void) { return 1; }

int pd_stack_new(struct pd_stack **s, const char *spec)
{
	struct pd_stack *st = calloc(1, sizeof *st);
	if (!st)
		return -ENOMEM;
	select_spec(st->sel, spec);
	*s = st;
	return 0;
}

static void drop_syms(struct proc *p)
{
	for (size_t i = 0; p->syms && i < NSYMS; i++)
		free(p->syms[i].name);
	free(p->syms);
	p->syms = NULL;
}

static void drop_maps(struct proc *p)
{
	drop_syms(p);
	for (size_t i = 0; i < p->nmaps; i++)
		free(p->maps[i].path);
	free(p->maps);
	p->maps = NULL;
	p->nmaps = 0;
	p->maps_read = 0;
}

static void drop_proc(struct proc *p)
{
	drop_maps(p);
	if (p->as)
		unw_destroy_addr_space(p->as);
	memset(p, 0, sizeof *p);
}

void pd_stack_free(struct pd_stack *s)
{
	if (!s)
		return;
	for (int i = 0; i < NPROCS; i++)
		drop_proc(&s->procs[i]);
	free(s);
}

void pd_stack_forget(struct pd_stack *s, pid_t pid)
{
	for (int i = 0; s && i < NPROCS; i++)
		if (s->procs[i].pid == pid)
			drop_proc(&s->procs[i]);
}

static struct proc *get_proc(struct pd_stack *s, pid_t pid)
{
	struct proc *lru = &s->procs[0];
	for (int i = 0; i < NPROCS; i++) {
		struct proc *p = &s->procs[i];
		if (p->pid == pid) {
			p->used = ++s->clock;
			return p;
		}
		if (p->used < lru->used)
			lru = p;
	}
	drop_proc(lru);
	lru->as = unw_create_addr_space(&_UPT_accessors, 0);
	if (!lru->as)
		return NULL;
	unw_set_caching_policy(lru->as, UNW_CACHE_GLOBAL);
	lru->pid = pid;
	lru->used = ++s->clock;
	return lru;
}

/* The file mappings of p, from /proc/PID/maps. */
static int read_maps(struct pd_stack *s, struct proc *p)
{
	char path[64], line[4096 + 128];
	drop_maps(p);
	s->maps_reads++;
	p->maps_read = 1;
	snprintf(path, sizeof path, "/proc/%d/maps", (int)p->pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	size_t cap = 0;
	while (fgets(line, sizeof line, f)) {
		uint64_t a, b, off;
		int pos = 0;
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64 " %*s %*s %n", &a, &b,
			   &off, &pos) < 3 || !pos)
			continue;
		char *name = line + pos;
		name[strcspn(name, "\n")] = 0;
		if (name[0] != '/' && name[0] != '[')
			continue;
		if (p->nmaps == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			struct map *m = realloc(p->maps, ncap * sizeof *m);
			if (!m)
				break;
			p->maps = m;
			cap = ncap;
		}
		char *dup = strdup(name);
		if (!dup)
			break;
		p->maps[p->nmaps++] = (struct map){a, b, off, dup};
	}
	fclose(f);
	return 0;
}

static const struct map *find_map(const struct proc *p, uint64_t ip)
{
	for (size_t i = 0; i < p->nmaps; i++)
		if (ip >= p->maps[i].start && ip < p->maps[i].end)
			return &p->maps[i];
	return NULL;
}

/* The mapping of ip, the maps read again on a miss (a library loaded since
 * the last read: libunwind's cached tables may be stale too). */
static const struct map *module_of(struct pd_stack *s, struct proc *p, uint64_t ip)
{
	const struct map *m = p->maps_read ? find_map(p, ip) : NULL;
	if (m || !ip)
		return m;
	read_maps(s, p);
	unw_flush_cache(p->as, 0, 0);
	return find_map(p, ip);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Appends to buf (NUL-terminated) what fits. */
static void put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	if (*len + 1 >= cap)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = *len + (size_t)n >= cap ? cap - 1 : *len + (size_t)n;
}

/* The function around ip and ip's offset in it (NULL: no name), from the
 * process's cache, else libunwind (then kept). */
static const char *proc_name(struct pd_stack *s, struct proc *p, unw_cursor_t *cur, uint64_t ip,
			     unw_word_t *off, char *name, size_t cap)
{
	if (!p->syms)
		p->syms = calloc(NSYMS, sizeof *p->syms);
	struct sym *e = p->syms ? &p->syms[(ip * 0x9e3779b97f4a7c15ull) >> 56] : NULL;
	if (e && e->ip == ip) {
		s->sym_hits++;
		*off = e->off;
		return e->name;
	}
	const char *fn = unw_get_proc_name(cur, name, cap, off) == 0 && name[0] ? name : NULL;
	if (e) {
		free(e->name);
		e->ip = ip;
		e->off = *off;
		e->name = fn ? strdup(fn) : NULL;
	}
	return fn;
}

int pd_stack_unwind(struct pd_stack *s, pid_t pid, pid_t tid, char *buf, size_t cap)
{
	size_t len = 0;
	int n = 0, partial = 0;
	uint64_t deadline = now_ns() + PD_STACK_BUDGET_NS;
	buf[0] = 0;
	struct proc *p = get_proc(s, pid);
	void *upt = p ? _UPT_create(tid) : NULL;
	unw_cursor_t cur;
	if (!upt || unw_init_remote(&cur, p->as, upt) < 0) {
		partial = 1;
		goto out;
	}
	for (;;) {
		unw_word_t ip = 0, off = 0;
		char name[256];
		if (unw_get_reg(&cur, UNW_REG_IP, &ip) < 0 || !ip)
			break;
		/* a return address points after its call: look up the call itself */
		const struct map *m = module_of(s, p, n ? ip - 1 : ip);
		put(buf, cap, &len, "%s", n ? "; " : "");
		const char *fn = proc_name(s, p, &cur, ip, &off, name, sizeof name);
		if (fn)
			put(buf, cap, &len, "%s+0x%" PRIx64 " ", fn, (uint64_t)off);
		if (m)
			put(buf, cap, &len, "(%s+0x%" PRIx64 ")", m->path,
			    (uint64_t)(ip - m->start + m->off));
		else
			put(buf, cap, &len, "0x%" PRIx64, (uint64_t)ip);
		n++;
		if (n == PD_STACK_FRAMES) {
			s->truncated++;
			break;
		}
		if (now_ns() > deadline) {
			s->timeouts++;
			partial = 1;
			break;
		}
		int r = unw_step(&cur);
		if (r == 0)
			break;
		if (r < 0) {
			partial = 1;
			break;
		}
	}
out:
	if (upt)
		_UPT_destroy(upt);
	if (partial) {
		s->failed++;
		put(buf, cap, &len, "%s?", n ? "; " : "");
	}
	s->unwound++;
	s->frames += (uint64_t)n;
	return n;
}

void pd_stack_report(const struct pd_stack *s, FILE *f)
{
	if (!s)
		return;
	fprintf(f, "pdig: --stack: %llu stacks unwound, %llu frames; %llu partial "
		"(unwinding failed), %llu of them out of time, %llu cut at %d frames; "
		"%llu reads of /proc/PID/maps; %llu frames named from pdig's cache\n",
		(unsigned long long)s->unwound, (unsigned long long)s->frames,
		(unsigned long long)s->failed, (unsigned long long)s->timeouts,
		(unsigned long long)s->truncated, PD_STACK_FRAMES,
		(unsigned long long)s->maps_reads, (unsigned long long)s->sym_hits);
}

#else /* no libunwind: --stack is refused (main.c) */

struct pd_stack {
	uint8_t sel[PD_SYSCALL_NR_MAX];
};

int pd_stack_supported(void) { return 0; }
int pd_stack_new(struct pd_stack **s, const char *spec)
{
	(void)s;
	(void)spec;
	return -ENOTSUP;
}
void pd_stack_free(struct pd_stack *s) { (void)s; }
int pd_stack_unwind(struct pd_stack *s, pid_t pid, pid_t tid, char *buf, size_t cap)
{
	(void)s, (void)pid, (void)tid;
	if (cap)
		buf[0] = 0;
	return -ENOTSUP;
}
void pd_stack_forget(struct pd_stack *s, pid_t pid) { (void)s, (void)pid; }
void pd_stack_report(const struct pd_stack *s, FILE *f) { (void)s, (void)f; }
#endif

int pd_stack_wanted(const struct pd_stack *s, const struct pd_syscall *sc, pid_t tid,
		    const uint64_t *args)
{
	return s && wanted(s->sel, sc, tid, args);
}

void pd_stack_after(struct pd_stack *s, const struct pd_tracee *t,
		    const struct pd_syscall *sc, uint16_t type, int64_t ret)
{
	pid_t pid = t->pid ? t->pid : t->tid;
	(void)sc;
	if (type == SHM_EV_PROCEXIT_1_E ? t->tid == pid
					: ret == 0 && (type == SHM_EV_SYSCALL_EXECVE_19_X ||
						       type == SHM_EV_SYSCALL_EXECVEAT_X))
		pd_stack_forget(s, pid);
}
