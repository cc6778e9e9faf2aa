/* A SIGALRM handler interrupts a blocking read on a pipe. Without SA_RESTART
 * the read fails with EINTR and the program retries the identical read (two
 * calls); with SA_RESTART the kernel restarts it (one call). The two phases
 * read with different sizes (16, then 17) so their events can be told apart.
 * The reads go through syscall() with all six argument registers set, so the
 * retry is identical to the interrupted call down to the unused registers. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t hits;
static void on_alarm(int sig)
{
	(void)sig;
	hits++;
}

static int one(int restart, size_t size)
{
	int fds[2];
	char buf[32];
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
		if (write(fds[1], "late", 4) != 4)
			_exit(1);
		_exit(0);
	}
	struct itimerval it = {{0, 0}, {0, 100000}};
	setitimer(ITIMER_REAL, &it, NULL);
	int eintr = 0;
	ssize_t n;
	while ((n = syscall(SYS_read, fds[0], buf, size, 0, 0, 0)) < 0 && errno == EINTR)
		eintr++;
	printf("restart=%d read=%zd eintr=%d handler=%d\n", restart, n, eintr, (int)hits);
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
