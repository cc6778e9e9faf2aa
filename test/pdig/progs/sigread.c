/* A signal handler interrupting a blocking read, without and with SA_RESTART. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
static volatile int hits;
static void on_alarm(int sig) { (void)sig; hits++; }
static void one(int restart)
{
	int fds[2];
	char buf[16];
	pipe(fds);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGALRM, &sa, NULL);
	pid_t p = fork();
	if (p == 0) {
		usleep(300000);
		write(fds[1], "late", 4);
		_exit(0);
	}
	struct itimerval it = {{0, 0}, {0, 100000}};
	setitimer(ITIMER_REAL, &it, NULL);
	ssize_t n = read(fds[0], buf, sizeof buf);
	int err = errno;
	printf("restart=%d read=%zd %s handler=%d\n", restart, n,
	       n < 0 ? strerror(err) : "data", hits);
	waitpid(p, NULL, 0);
	close(fds[0]);
	close(fds[1]);
}
int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	one(0);
	one(1);
	return 0;
}
