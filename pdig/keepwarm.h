/*
 * Keeping the CPUs awake while stops come.
 *
 * Every ptrace stop is two wake-ups (tracee -> tracer -> tracee). On a VM a
 * CPU with nothing to run halts, and waking a halted vCPU costs 60-200 us
 * against 4-5 us for a switch on a CPU that is awake: unpinned on an idle
 * machine a stop costs about 20 times more than pinned (bench/README.md).
 * While stops keep coming (and for PD_WARM_HOLD_MS after the last one), we
 * keep every CPU out of its halt state, one of two ways:
 *   - qos: a CPU latency request of 0 us (/dev/cpu_dma_latency), when we may
 *     open it: the kernel polls instead of halting, and the polling counts
 *     as idle time, not as ours;
 *   - spin: a SCHED_IDLE thread per CPU busy-waiting with a pause: any other
 *     thread that wakes on that CPU takes it at once. Its time counts as
 *     pdig's CPU time, so never under a CPU quota of fewer CPUs than we
 *     may use (cgroup cpu.max or cpu.cfs_quota_us): there it would throttle
 *     the program itself (a quota of all of them throttles no one).
 * Off on one CPU (nothing to wake elsewhere).
 */
#ifndef PDIG_KEEPWARM_H
#define PDIG_KEEPWARM_H

#include <stdint.h>
#include <stdio.h>

#define PD_WARM_HOLD_MS 20 /* kept awake this long after the last stop */
#define PD_WARM_MAX_CPUS 16 /* spin threads at most (the first CPUs we may use) */

enum pd_warm_mode { PD_WARM_AUTO, PD_WARM_OFF, PD_WARM_QOS, PD_WARM_SPIN };

struct pd_warm;

/* Parses a --keep-warm value (auto, off, qos, spin): 0, or -EINVAL. */
int pd_warm_parse(const char *s, enum pd_warm_mode *mode);
/* Starts the watcher (and the spin threads) for mode, resolved first when
 * auto: 0 with *w set (NULL when the resolved mode is off), or a negative
 * errno. why (cap bytes) says which mode and why, for -v. */
int pd_warm_new(struct pd_warm **w, enum pd_warm_mode mode, char *why, size_t cap);
/* Stops the threads (releasing the request) and, when report is not NULL,
 * says there what was done (-v). */
void pd_warm_free(struct pd_warm *w, FILE *report);

/* Should the tracer spin before it sleeps in waitpid (waitspin.h), w being
 * what pd_warm_new gave for mode? Not with --keep-warm=off, nor under a
 * CPU quota of fewer CPUs than we may use unless spin was asked for, nor
 * on several CPUs not kept awake: 1 or 0, and why (cap bytes) for -v. */
#define PD_WAITSPIN_US 20
int pd_warm_wait_spin(const struct pd_warm *w, enum pd_warm_mode mode, char *why, size_t cap);
/* Are the other CPUs awake now (qos; spin threads running, not paused for
 * new tasks; 1 without w: one CPU)? The wait spin runs only then. */
int pd_warm_awake(const struct pd_warm *w);

/* Called at every stop: a relaxed add, and a futex wake only when asleep. */
void pd_warm_stop_seen(struct pd_warm *w);
/* Called at a new task's or an exec's event: spinning pauses meanwhile. */
void pd_warm_task_seen(struct pd_warm *w);

#endif
