/* Ignored signals must not interrupt blocking calls (natively they are
 * discarded). A child sends SIGUSR1, which the parent ignores, while the
 * parent waits in epoll_wait and in sigtimedwait. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(void)
{
	signal(SIGUSR1, SIG_IGN);
	pid_t parent = getpid();
	pid_t p = fork();
	if (p == 0) {
		for (int i = 0; i < 4; i++) {
			usleep(50000);
			kill(parent, SIGUSR1);
		}
		_exit(0);
	}
	int ep = epoll_create1(0);
	struct epoll_event ev;
	int r = epoll_wait(ep, &ev, 1, 150);
	printf("epoll_wait: %d %s\n", r, r < 0 ? strerror(errno) : "");
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	struct timespec ts = {0, 150000000};
	r = sigtimedwait(&set, NULL, &ts);
	printf("sigtimedwait: %d %s\n", r, r < 0 ? strerror(errno) : "");
	waitpid(p, NULL, 0);
	return 0;
}
