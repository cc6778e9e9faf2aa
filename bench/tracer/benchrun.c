/*
 * benchrun: runs one command of the tracer benchmark and says how long it
 * took and how much memory the tracer in it used.
 *
 *   benchrun -o FILE [--hwm NAME] [--] COMMAND [ARGS...]
 *
 * Writes "wall_ns=NS cpu_ns=NS status=S maxrss_kb=KB hwm_kb=KB" to FILE:
 * wall time from fork to reaping, user+system time of the command and what
 * it reaped, the raw wait status, the rusage peak RSS (of the command, or of
 * the largest process it reaped: exact for pdig-engine, which has no
 * children). With --hwm, the peak RSS (VmHWM) of the command and its
 * descendants (two levels: pdig's front and its tracer) whose name is NAME,
 * the largest one, sampled every 10 ms (every ms in the first 100 ms).
 * /proc is read rather than the rusage because the rusage of pdig's front
 * includes the traced command's. The wait wakes at once when the command
 * ends (a pidfd), so sampling adds nothing to the wall time. Exits with the
 * command's exit code.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long hwm_max;

/* VmHWM of pid if its name is `name`, then the same for its children. */
static void sample(pid_t pid, const char *name, int depth)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	int match = 0;
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "Name:", 5)) {
			char *v = line + 5 + strspn(line + 5, " \t");
			v[strcspn(v, "\n")] = 0;
			match = !strcmp(v, name);
		} else if (match && !strncmp(line, "VmHWM:", 6)) {
			long kb = atol(line + 6);
			if (kb > hwm_max)
				hwm_max = kb;
		}
	}
	fclose(f);
	if (depth <= 0)
		return;
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid, pid);
	if (!(f = fopen(path, "r")))
		return;
	int child;
	while (fscanf(f, "%d", &child) == 1)
		sample(child, name, depth - 1);
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *out = NULL, *hwm = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--hwm") && i + 1 < argc) {
			hwm = argv[++i];
		} else {
			i = argc;
		}
	}
	if (!out || i >= argc) {
		fprintf(stderr, "usage: benchrun -o FILE [--hwm NAME] [--] COMMAND [ARGS...]\n");
		return 2;
	}
	FILE *of = fopen(out, "w");
	if (!of) {
		fprintf(stderr, "benchrun: %s: %s\n", out, strerror(errno));
		return 2;
	}
	fflush(NULL);
	int64_t t0 = now_ns();
	pid_t pid = fork();
	if (pid < 0) {
		perror("benchrun: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[i], argv + i);
		fprintf(stderr, "benchrun: cannot run %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	int pfd = hwm ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	if (hwm && pfd < 0)
		fprintf(stderr, "benchrun: pidfd_open: %s (no memory figure)\n", strerror(errno));
	if (pfd >= 0) {
		struct pollfd p = {.fd = pfd, .events = POLLIN};
		for (;;) {
			sample(pid, hwm, 2);
			/* every ms at first: short runs end before a 10 ms tick */
			int r = poll(&p, 1, now_ns() - t0 < 100000000 ? 1 : 10);
			if (r > 0 || (r < 0 && errno != EINTR))
				break; /* ended (or poll broke: wait4 below still waits) */
		}
	}
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("benchrun: wait4");
			return 2;
		}
	int64_t t1 = now_ns();
	int64_t cpu = ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
		      ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
	fprintf(of, "wall_ns=%lld cpu_ns=%lld status=%d maxrss_kb=%ld hwm_kb=%ld\n",
		(long long)(t1 - t0), (long long)cpu, status, ru.ru_maxrss, hwm_max);
	fclose(of);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
