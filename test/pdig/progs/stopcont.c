/* Job control: a child stops itself, the parent sees it stopped, continues it. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void)
{
	int go[2];
	char c;
	pipe(go);
	pid_t p = fork();
	if (p == 0) {
		raise(SIGSTOP);
		/* exit only once the parent has seen the continue */
		read(go[0], &c, 1);
		_exit(7);
	}
	int st;
	waitpid(p, &st, WUNTRACED);
	printf("stopped: %d by %d\n", WIFSTOPPED(st), WIFSTOPPED(st) ? WSTOPSIG(st) : 0);
	kill(p, SIGCONT);
	waitpid(p, &st, WCONTINUED);
	printf("continued: %d\n", WIFCONTINUED(st));
	write(go[1], "x", 1);
	waitpid(p, &st, 0);
	printf("exited: %d\n", WEXITSTATUS(st));
	return 0;
}
