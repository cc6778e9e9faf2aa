/*
 * Keeping the CPUs awake while stops come (keepwarm.h says why).
 *
 * One word drives it all: state, 0 asleep, 1 awake, 2 awake but not
 * spinning. The tracer bumps a stop counter at each stop and, finding
 * state 0, sets 1 and wakes the waiters (once per burst). The watcher
 * thread then holds the latency request (qos) or lets the spin threads run
 * (spin), and every PD_WARM_HOLD_MS / 2 looks whether the counter moved;
 * twice still, it sets state 0 and everything sleeps on the word again. A
 * stop racing with that store just wakes it at the next stop.
 * Spinning slows process and thread creation down (measured: 2x for a
 * fork loop, bench/README.md), so while the tracer reports new tasks and
 * execs (pd_warm_task_seen) the watcher sets 2 and the spinners sleep;
 * the latency request, which helps there too, stays.
 */
#define _GNU_SOURCE
#include "keepwarm.h"
#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct pd_warm {
	enum pd_warm_mode mode;
	_Atomic uint32_t state;   /* futex word: 0 asleep, 1 awake, 2 awake, no spinning */
	_Atomic uint32_t stops;   /* bumped at each stop */
	_Atomic uint32_t tasks;   /* bumped at each new task or exec */
	_Atomic uint32_t quit;    /* futex word too: the watcher's timed sleep ends at once */
	int qos_fd;               /* the held request, -1 when none */
	int ncpus;                /* spin threads */
	pthread_t watcher;
	pthread_t spin[PD_WARM_MAX_CPUS];
	/* for -v, written by the watcher only */
	uint64_t bursts;
	uint64_t awake_ns;
	uint64_t paused;          /* watcher ticks with the spinners paused */
};

static void futex_wait(_Atomic uint32_t *w, uint32_t val)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

/* Sleeps until *w changes from val or ts has passed. */
static void futex_wait_for(_Atomic uint32_t *w, uint32_t val, const struct timespec *ts)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, ts, NULL, 0);
}

static void futex_wake_all(_Atomic uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

int pd_warm_parse(const char *s, enum pd_warm_mode *mode)
{
	static const char *const names[] = {"auto", "off", "qos", "spin"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(s, names[i])) {
			*mode = (enum pd_warm_mode)i;
			return 0;
		}
	return -EINVAL;
}

/* ---- what the machine allows ---- */

static int read_line(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Does the quota of the cgroup folder dir (v2: cpu.max "QUOTA PERIOD";
 * v1: cpu.cfs_quota_us and cpu.cfs_period_us) allow fewer than ncpu CPUs?
 * A quota of all of them cannot throttle anyone for our spinning: they
 * only run on a CPU nothing else wants. */
static int quota_limits(const char *dir, int v2, int ncpu, char *where, size_t cap)
{
	char path[1100], val[64];
	long long quota = -1, period = 0;
	snprintf(path, sizeof path, "%s/%s", dir, v2 ? "cpu.max" : "cpu.cfs_quota_us");
	if (read_line(path, val, sizeof val) < 0)
		return 0;
	if (v2) {
		if (sscanf(val, "%lld %lld", &quota, &period) != 2)
			return 0; /* "max PERIOD": none */
	} else {
		char pval[64], ppath[1100];
		snprintf(ppath, sizeof ppath, "%s/cpu.cfs_period_us", dir);
		quota = strtoll(val, NULL, 10);
		if (quota < 0 || read_line(ppath, pval, sizeof pval) < 0)
			return 0;
		period = strtoll(pval, NULL, 10);
	}
	if (quota < 0 || period <= 0 || quota >= period * ncpu)
		return 0;
	snprintf(where, cap, "%.900s is %s: %.2f of %d CPUs", path, val, (double)quota / (double)period,
		 ncpu);
	return 1;
}

/* Quotas along a cgroup path: base + path, then each folder above it, then
 * base alone (the namespace root a container sees there). */
static int quota_on_path(const char *base, const char *path, int v2, int ncpu, char *where,
			 size_t cap)
{
	char cg[512], dir[1024];
	snprintf(cg, sizeof cg, "%s", path);
	for (;;) {
		snprintf(dir, sizeof dir, "%s%s", base, strcmp(cg, "/") ? cg : "");
		if (quota_limits(dir, v2, ncpu, where, cap))
			return 1;
		char *slash = strrchr(cg, '/');
		if (!slash || slash == cg)
			break;
		*slash = '\0';
	}
	return quota_limits(base, v2, ncpu, where, cap);
}

/* Does a CPU quota of fewer CPUs than we may use apply to us? Our cpu
 * cgroup as the driver reports it (pd_parse_cgroups: v1 wins on hybrid
 * setups), the v1 hierarchy tried first, then the unified one. */
static int cpu_quota(int ncpu, char *where, size_t cap)
{
	char buf[4096];
	struct pd_procinfo *pi = calloc(1, sizeof *pi);
	ssize_t n = pi ? pd_proc_file(getpid(), "cgroup", buf, sizeof buf - 1) : -1;
	int found = 0;
	if (n > 0) {
		buf[n] = '\0';
		pd_parse_cgroups(pi, buf);
		for (uint32_t off = 0; !found && off < pi->cgroups_len;) {
			const char *e = pi->cgroups + off;
			off += (uint32_t)strlen(e) + 1;
			if (strncmp(e, "cpu=", 4))
				continue;
			found = quota_on_path("/sys/fs/cgroup/cpu", e + 4, 0, ncpu, where, cap) ||
				quota_on_path("/sys/fs/cgroup", e + 4, 1, ncpu, where, cap);
		}
	}
	free(pi);
	return found;
}

/* Can a latency request keep the CPUs polling? Only with a cpuidle driver
 * whose shallowest state polls; the plain halt ignores requests. */
static int qos_works(void)
{
	char name[32];
	if (read_line("/sys/devices/system/cpu/cpu0/cpuidle/state0/name", name, sizeof name) < 0)
		return 0;
	if (strcmp(name, "POLL"))
		return 0;
	int fd = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* ---- the threads ---- */

static void qos_hold(struct pd_warm *w)
{
	w->qos_fd = open("/dev/cpu_dma_latency", O_WRONLY | O_CLOEXEC);
	int32_t zero = 0;
	if (w->qos_fd >= 0 && write(w->qos_fd, &zero, sizeof zero) != (ssize_t)sizeof zero) {
		close(w->qos_fd);
		w->qos_fd = -1;
	}
}

static void qos_release(struct pd_warm *w)
{
	if (w->qos_fd >= 0)
		close(w->qos_fd); /* the request ends with the file */
	w->qos_fd = -1;
}

static void *watcher_main(void *arg)
{
	struct pd_warm *w = arg;
	const struct timespec half = {0, PD_WARM_HOLD_MS * 1000000L / 2};
	while (!atomic_load(&w->quit)) {
		while (atomic_load(&w->state) == 0 && !atomic_load(&w->quit))
			futex_wait(&w->state, 0);
		if (atomic_load(&w->quit))
			break;
		uint64_t t0 = now_ns();
		w->bursts++;
		if (w->mode == PD_WARM_QOS)
			qos_hold(w);
		uint32_t last = atomic_load_explicit(&w->stops, memory_order_relaxed);
		uint32_t last_tasks = atomic_load_explicit(&w->tasks, memory_order_relaxed);
		int still = 0;
		while (still < 2 && !atomic_load(&w->quit)) {
			/* not nanosleep: pdig's end would wait for it (10 ms) */
			futex_wait_for(&w->quit, 0, &half);
			uint32_t s = atomic_load_explicit(&w->stops, memory_order_relaxed);
			uint32_t t = atomic_load_explicit(&w->tasks, memory_order_relaxed);
			still = s == last ? still + 1 : 0;
			last = s;
			if (w->mode == PD_WARM_SPIN) {
				uint32_t want = t != last_tasks ? 2 : 1;
				if (atomic_exchange(&w->state, want) != want && want == 1)
					futex_wake_all(&w->state);
				w->paused += want == 2;
			}
			last_tasks = t;
		}
		atomic_store(&w->state, 0);
		if (w->mode == PD_WARM_QOS)
			qos_release(w);
		w->awake_ns += now_ns() - t0;
	}
	qos_release(w);
	return NULL;
}

static void *spin_main(void *arg)
{
	struct pd_warm *w = arg;
	/* SCHED_IDLE: the lowest weight there is, and any thread waking on this
	 * CPU preempts it at once (a pthread attribute cannot ask for it) */
	struct sched_param sp = {0};
	if (sched_setscheduler(0, SCHED_IDLE, &sp) < 0)
		return NULL; /* never spin at normal priority */
	while (!atomic_load_explicit(&w->quit, memory_order_relaxed)) {
		uint32_t st = atomic_load_explicit(&w->state, memory_order_relaxed);
		if (st != 1) {
			futex_wait(&w->state, st);
			continue;
		}
		for (int i = 0; i < 256; i++)
			cpu_relax();
	}
	return NULL;
}

static int start_spin(struct pd_warm *w)
{
	cpu_set_t allowed;
	if (sched_getaffinity(0, sizeof allowed, &allowed) < 0)
		return -errno;
	for (int cpu = 0; cpu < CPU_SETSIZE && w->ncpus < PD_WARM_MAX_CPUS; cpu++) {
		if (!CPU_ISSET(cpu, &allowed))
			continue;
		pthread_attr_t at;
		pthread_attr_init(&at);
		pthread_attr_setstacksize(&at, 64 * 1024);
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pthread_attr_setaffinity_np(&at, sizeof one, &one);
		int rc = pthread_create(&w->spin[w->ncpus], &at, spin_main, w);
		pthread_attr_destroy(&at);
		if (rc)
			return -rc;
		w->ncpus++;
	}
	return 0;
}

static int online_cpus(void)
{
	cpu_set_t allowed;
	if (sched_getaffinity(0, sizeof allowed, &allowed) < 0)
		return 1;
	return CPU_COUNT(&allowed);
}

static enum pd_warm_mode resolve(enum pd_warm_mode mode, char *why, size_t cap)
{
	char quota[1100];
	int ncpu = online_cpus();
	if (mode == PD_WARM_OFF) {
		snprintf(why, cap, "off (--keep-warm=off)");
		return mode;
	}
	if (ncpu < 2 && mode == PD_WARM_AUTO) {
		snprintf(why, cap, "off (one CPU: tracer and program share it)");
		return PD_WARM_OFF;
	}
	if (mode == PD_WARM_QOS || mode == PD_WARM_AUTO) {
		if (qos_works()) {
			snprintf(why, cap, "qos (a 0 us CPU latency request while stops come)");
			return PD_WARM_QOS;
		}
		if (mode == PD_WARM_QOS) {
			snprintf(why, cap, "off (no polling idle state, or /dev/cpu_dma_latency "
				 "not writable)");
			return PD_WARM_OFF;
		}
	}
	if (mode == PD_WARM_AUTO && cpu_quota(ncpu, quota, sizeof quota)) {
		snprintf(why, cap, "off (a CPU quota applies: %s; spinning would throttle "
			 "the program; --keep-warm=spin forces it)", quota);
		return PD_WARM_OFF;
	}
	snprintf(why, cap, "spin (an idle-priority thread per CPU while stops come)");
	return PD_WARM_SPIN;
}

int pd_warm_wait_spin(const struct pd_warm *w, enum pd_warm_mode mode, char *why, size_t cap)
{
	char quota[1100];
	int ncpu = online_cpus();
	if (mode == PD_WARM_OFF) {
		snprintf(why, cap, "off (--keep-warm=off)");
		return 0;
	}
	/* its time is pdig's, as the spin threads' (one CPU included: the
	 * yield gives the CPU away, but a quota counts the polls) */
	if (mode != PD_WARM_SPIN && cpu_quota(ncpu, quota, sizeof quota)) {
		snprintf(why, cap, "off (a CPU quota applies: %s)", quota);
		return 0;
	}
	/* with halting CPUs the spin loses: the tracer's CPU busy, a resumed
	 * tracee goes to a halted one instead of running where its tracer ran */
	if (!w && ncpu > 1) {
		snprintf(why, cap, "off (the CPUs are not kept awake: a tracee let go would "
			 "wake a halted CPU)");
		return 0;
	}
	snprintf(why, cap, "up to %d us before sleeping, yielding the CPU%s", PD_WAITSPIN_US,
		 w && w->mode == PD_WARM_SPIN ? ", while the spin threads run" : "");
	return 1;
}

int pd_warm_awake(const struct pd_warm *w)
{
	if (!w || w->mode == PD_WARM_QOS)
		return 1;
	return atomic_load_explicit(&((struct pd_warm *)w)->state, memory_order_relaxed) == 1;
}

int pd_warm_new(struct pd_warm **out, enum pd_warm_mode mode, char *why, size_t cap)
{
	*out = NULL;
	mode = resolve(mode, why, cap);
	if (mode == PD_WARM_OFF)
		return 0;
	struct pd_warm *w = calloc(1, sizeof *w);
	if (!w)
		return -ENOMEM;
	w->mode = mode;
	w->qos_fd = -1;
	/* our threads take no signal: they stay the tracer's */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = -pthread_create(&w->watcher, NULL, watcher_main, w);
	if (rc == 0 && mode == PD_WARM_SPIN && (rc = start_spin(w)) < 0) {
		atomic_store(&w->quit, 1);
		futex_wake_all(&w->state);
		pthread_join(w->watcher, NULL);
		for (int i = 0; i < w->ncpus; i++)
			pthread_join(w->spin[i], NULL);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0)
		goto err;
	*out = w;
	return 0;
err:
	free(w);
	return rc;
}

static void warm_report(const struct pd_warm *w, FILE *f)
{
	if (w->mode == PD_WARM_QOS)
		fprintf(f, "pdig: keep-warm (qos): ");
	else
		fprintf(f, "pdig: keep-warm (spin, %d CPUs): ", w->ncpus);
	fprintf(f, "%llu bursts of stops, CPUs kept awake %.3f s in all", (unsigned long long)w->bursts,
		(double)w->awake_ns / 1e9);
	if (w->mode == PD_WARM_SPIN)
		fprintf(f, ", spinning paused %.3f s for new tasks and execs",
			(double)w->paused * PD_WARM_HOLD_MS / 2 / 1e3);
	fputc('\n', f);
}

void pd_warm_free(struct pd_warm *w, FILE *report)
{
	if (!w)
		return;
	atomic_store(&w->quit, 1);
	futex_wake_all(&w->quit);
	atomic_store(&w->state, 1);
	futex_wake_all(&w->state);
	pthread_join(w->watcher, NULL);
	for (int i = 0; i < w->ncpus; i++)
		pthread_join(w->spin[i], NULL);
	if (report)
		warm_report(w, report);
	free(w);
}

void pd_warm_stop_seen(struct pd_warm *w)
{
	if (!w)
		return;
	atomic_fetch_add_explicit(&w->stops, 1, memory_order_relaxed);
	if (atomic_load_explicit(&w->state, memory_order_relaxed) == 0 &&
	    atomic_exchange(&w->state, 1) == 0)
		futex_wake_all(&w->state);
}

void pd_warm_task_seen(struct pd_warm *w)
{
	if (w)
		atomic_fetch_add_explicit(&w->tasks, 1, memory_order_relaxed);
}
