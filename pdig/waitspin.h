/*
 * The tracer's wait for the next stop: a short yielding spin, then sleep.
 *
 * A resumed tracee often stops again a few microseconds later (an openat's
 * exit stop, the next call of a loop). Sleeping in waitpid and being woken
 * costs the tracer a switch into idle and back at every stop; polling with
 * WNOHANG for a few microseconds first avoids it. Each poll that finds
 * nothing yields the CPU, so a tracee waiting for the tracer's CPU (one CPU,
 * or the scheduler put them together) runs at once instead of after the
 * spin: without the yield, spinning made one CPU 20-80% slower.
 *
 * Adaptive, so a program that stops seldom costs no spinning: a spin that
 * ends without a stop disarms it, and a sleeping wait that ends within the
 * window arms it again. Waits are told apart by the call the tracee let go
 * last is in or has just made, and by whether it was let go into that call
 * for the exit stop (which mostly comes at once) or to run on (its next
 * traced call may be far), each kind armed on its own: a loop with one
 * slow stretch (work between a close and the next open) then spins in vain
 * nowhere but there, once, and a program that stops seldom not at all.
 * At most one window of CPU time is spent per stop.
 *
 * Only while the other CPUs are kept awake (keepwarm.h), or on one CPU:
 * where they halt, a tracee let go while its tracer's CPU is busy spinning
 * goes to a halted CPU (60-200 us to wake) instead of running where the
 * tracer ran; the shell loop was 50% slower so.
 */
#ifndef PDIG_WAITSPIN_H
#define PDIG_WAITSPIN_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define PD_WAITSPIN_KINDS 512

struct pd_waitspin {
	long window_ns;         /* 0: never spin */
	/* spin at the next wait of this kind: [exit due][call number % 512] */
	uint8_t armed[2][PD_WAITSPIN_KINDS];
	uint64_t waits;         /* waits that found no stop due at once */
	uint64_t hits, misses;  /* spins that found a stop, or did not */
	uint64_t spun_ns;       /* time spent spinning */
};

/* window_ns 0 turns spinning off (keepwarm.h decides: PD_WAITSPIN_US). */
void pd_waitspin_init(struct pd_waitspin *ws, long window_ns);
/* waitpid(-1, status, __WALL), spinning first while that kind is armed
 * (exit_due: the tracee let go last waits for its exit stop; nr: the call
 * it is in or made last) and the other CPUs are awake (awake: see
 * pd_warm_awake); returns early (0) when *kicked is set meanwhile.
 * Errors as waitpid's (-1, errno). */
pid_t pd_waitspin_wait(struct pd_waitspin *ws, int *status, int exit_due, uint64_t nr,
		       int awake, const volatile sig_atomic_t *kicked);
/* One line for -v. */
void pd_waitspin_report(const struct pd_waitspin *ws, FILE *f);

#endif
