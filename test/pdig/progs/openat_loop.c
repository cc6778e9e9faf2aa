/* The benchmark: N openat+close pairs (default 100000), each followed by
 * GAP microseconds of work without a syscall (default 0: none). */
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* the vDSO: no syscall */
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	long long gap_ns = argc > 2 ? atoll(argv[2]) * 1000 : 0;
	for (long i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, "/etc/hostname", O_RDONLY);
		if (fd < 0)
			return 1;
		close(fd);
		for (long long t0 = gap_ns ? now_ns() : 0; gap_ns && now_ns() - t0 < gap_ns;)
			;
	}
	return 0;
}
