/* The tracer's wait: a short yielding spin, then sleep (waitspin.h). */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "waitspin.h"

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void pd_waitspin_init(struct pd_waitspin *ws, long window_ns)
{
	memset(ws, 0, sizeof *ws);
	ws->window_ns = window_ns > 0 ? window_ns : 0;
	memset(ws->armed, ws->window_ns > 0, sizeof ws->armed);
}

pid_t pd_waitspin_wait(struct pd_waitspin *ws, int *status, int exit_due, uint64_t nr,
		       int awake, const volatile sig_atomic_t *kicked)
{
	if (!ws->window_ns || !awake)
		return waitpid(-1, status, __WALL);
	uint8_t *armed = &ws->armed[exit_due ? 1 : 0][nr % PD_WAITSPIN_KINDS];
	ws->waits++;
	long long start = now_ns(), t = start;
	if (*armed) {
		do {
			pid_t pid = waitpid(-1, status, __WALL | WNOHANG);
			if (pid != 0 || *kicked) {
				ws->spun_ns += (uint64_t)(now_ns() - start);
				if (pid > 0)
					ws->hits++;
				return pid;
			}
			sched_yield(); /* a tracee runnable on this CPU goes first */
			t = now_ns();
		} while (t - start < ws->window_ns);
		ws->spun_ns += (uint64_t)(t - start);
		ws->misses++;
		*armed = 0;
	}
	pid_t pid = waitpid(-1, status, __WALL);
	/* a quiet phase ends when stops come close together again */
	if (pid > 0 && now_ns() - start < ws->window_ns)
		*armed = 1;
	return pid;
}

void pd_waitspin_report(const struct pd_waitspin *ws, FILE *f)
{
	if (!ws->window_ns) {
		fprintf(f, "pdig: wait spin: off\n");
		return;
	}
	fprintf(f, "pdig: wait spin (%ld us): %llu of %llu waits ended in it, %llu spins found "
		"nothing, %.3f s spinning\n", ws->window_ns / 1000, (unsigned long long)ws->hits,
		(unsigned long long)ws->waits, (unsigned long long)ws->misses,
		(double)ws->spun_ns / 1e9);
}
