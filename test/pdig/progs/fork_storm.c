/* 500 processes, each forked and reaped; their statuses summed. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void)
{
	long sum = 0;
	for (int i = 0; i < 500; i++) {
		pid_t p = fork();
		if (p == 0)
			_exit(i % 7);
		int st;
		if (p > 0 && waitpid(p, &st, 0) == p)
			sum += WEXITSTATUS(st);
	}
	printf("sum %ld\n", sum);
	return 0;
}
