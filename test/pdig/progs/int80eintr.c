/* progs/sigretry through the 32-bit entry: a SIGALRM handler (installed the
 * 64-bit way, so its frame is a 64-bit one) interrupts an int 0x80 read on a
 * pipe. Without SA_RESTART the read returns -EINTR and is retried
 * identically (two calls); with SA_RESTART the kernel restarts it (one call).
 * Reads of 16, then 17 bytes. Static and non-PIE: the buffer is below 4 GiB. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t hits;
static char buf[32];

static void on_alarm(int sig)
{
	(void)sig;
	hits++;
}

static long int80(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

static int one(int restart, long size)
{
	int fds[2];
	if (pipe(fds) < 0)
		return 1;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGALRM, &sa, NULL);
	pid_t p = fork();
	if (p == 0) {
		usleep(400000);
		_exit(write(fds[1], "late", 4) == 4 ? 0 : 1);
	}
	struct itimerval it = {{0, 0}, {0, 100000}};
	setitimer(ITIMER_REAL, &it, NULL);
	int eintr = 0;
	long n;
	while ((n = int80(3 /* i386 read */, fds[0], (long)(uintptr_t)buf, size)) == -EINTR)
		eintr++;
	printf("restart=%d read=%ld eintr=%d handler=%d\n", restart, n, eintr, (int)hits);
	waitpid(p, NULL, 0);
	close(fds[0]);
	close(fds[1]);
	return n == 4 ? 0 : 1;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int rc = one(0, 16);
	hits = 0;
	return one(1, 17) | rc;
}
