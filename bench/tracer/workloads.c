/*
 * workloads: the tracer benchmark's own workloads, each timing itself from
 * its first operation to its last (a tracer's start-up is not counted).
 *
 *   workloads [--wait FILE] TEST N
 *
 * Syscall loops:   openat (openat+close of /etc/hostname, both traced by
 *                  default), stat (stat, not traced by default), getppid
 *                  (not traced by default)
 * OSBench-style:   files (create, write 32 bytes, close N files in a fresh
 *                  folder of the current one, then unlink them), threads (N
 *                  pthread_create+join), procs (N fork+waitpid), spawn (N
 *                  posix_spawn of /bin/true + waitpid), alloc (N malloc of
 *                  sizes from 16 B to 1 MiB, every page touched, free)
 *
 * --wait FILE: first wait (polling every millisecond) until FILE exists, so
 * that a tracer can attach before the test starts (pdig -p).
 * Prints "elapsed_ns=NS ops=N" on stdout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int fail(const char *what)
{
	fprintf(stderr, "workloads: %s: %s\n", what, strerror(errno));
	return 1;
}

static int t_openat(long n)
{
	for (long i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, "/etc/hostname", O_RDONLY);
		if (fd < 0)
			return fail("openat /etc/hostname");
		close(fd);
	}
	return 0;
}

static int t_stat(long n)
{
	struct stat st;
	for (long i = 0; i < n; i++)
		if (stat("/etc/hostname", &st) < 0)
			return fail("stat /etc/hostname");
	return 0;
}

static int t_getppid(long n)
{
	/* the raw call: glibc could answer from a cache one day */
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}

static int t_files(long n)
{
	char dir[] = "wl-files-XXXXXX", path[64];
	static const char data[32] = "0123456789abcdef0123456789abcde";
	if (!mkdtemp(dir))
		return fail("mkdtemp");
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%ld", dir, i);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, data, sizeof data) != (ssize_t)sizeof data)
			return fail(path);
		close(fd);
	}
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%ld", dir, i);
		if (unlink(path) < 0)
			return fail(path);
	}
	return rmdir(dir) < 0 ? fail(dir) : 0;
}

static void *nothing(void *arg) { return arg; }

static int t_threads(long n)
{
	for (long i = 0; i < n; i++) {
		pthread_t t;
		int rc = pthread_create(&t, NULL, nothing, NULL);
		if (rc) {
			errno = rc;
			return fail("pthread_create");
		}
		pthread_join(t, NULL);
	}
	return 0;
}

static int t_procs(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return fail("fork");
		if (pid == 0)
			_exit(0);
		int st;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			return fail("waitpid");
	}
	return 0;
}

static int t_spawn(long n)
{
	char *argv[] = {"/bin/true", NULL};
	for (long i = 0; i < n; i++) {
		pid_t pid;
		int rc = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ), st;
		if (rc) {
			errno = rc;
			return fail("posix_spawn /bin/true");
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			return fail("waitpid");
	}
	return 0;
}

static int t_alloc(long n)
{
	/* small ones from the heap, large ones (above the mmap threshold) from mmap */
	static const size_t sizes[] = {16, 100, 1000, 4096, 20000, 65536, 200000, 1 << 20};
	const size_t ns = sizeof sizes / sizeof sizes[0];
	unsigned sum = 0;
	for (long i = 0; i < n; i++) {
		size_t sz = sizes[(size_t)i % ns];
		volatile char *p = malloc(sz);
		if (!p)
			return fail("malloc");
		for (size_t off = 0; off < sz; off += 4096)
			p[off] = (char)i;
		p[sz - 1] = 1;
		sum += (unsigned char)p[0];
		free((void *)p);
	}
	return sum == 0xffffffffu; /* keeps the loop from being optimised away */
}

static const struct {
	const char *name;
	int (*run)(long);
} tests[] = {
	{"openat", t_openat}, {"stat", t_stat},   {"getppid", t_getppid},
	{"files", t_files},   {"threads", t_threads}, {"procs", t_procs},
	{"spawn", t_spawn},   {"alloc", t_alloc},
};

int main(int argc, char **argv)
{
	const char *wait = NULL;
	int i = 1;
	if (i + 1 < argc && !strcmp(argv[i], "--wait")) {
		wait = argv[i + 1];
		i += 2;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: workloads [--wait FILE] TEST N\n");
		return 2;
	}
	long n = atol(argv[i + 1]);
	for (size_t t = 0; t < sizeof tests / sizeof tests[0]; t++) {
		if (strcmp(argv[i], tests[t].name) != 0)
			continue;
		if (wait) {
			const struct timespec ms = {0, 1000000};
			while (access(wait, F_OK) < 0)
				nanosleep(&ms, NULL);
		}
		int64_t t0 = now_ns();
		int rc = tests[t].run(n);
		int64_t t1 = now_ns();
		if (rc)
			return rc;
		printf("elapsed_ns=%lld ops=%ld\n", (long long)(t1 - t0), n);
		return 0;
	}
	fprintf(stderr, "workloads: unknown test %s\n", argv[i]);
	return 2;
}
