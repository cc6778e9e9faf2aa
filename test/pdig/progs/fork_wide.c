/* A fork storm: 500 processes alive at once, released together, reaped. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#define N 500
int main(void)
{
	int gate[2];
	char c;
	if (pipe(gate) < 0)
		return 1;
	int made = 0;
	for (int i = 0; i < N; i++) {
		pid_t p = fork();
		if (p == 0) {
			close(gate[1]);
			/* every child waits here until the parent closes the gate */
			ssize_t r = read(gate[0], &c, 1);
			_exit(r == 0 ? i % 7 : 100);
		}
		if (p > 0)
			made++;
	}
	close(gate[1]);
	long sum = 0;
	int st, reaped = 0;
	while (wait(&st) > 0) {
		reaped++;
		sum += WIFEXITED(st) ? WEXITSTATUS(st) : 1000;
	}
	printf("made %d reaped %d sum %ld\n", made, reaped, sum);
	return 0;
}
