/* Threads that fork, exec and create threads at once, then the main thread
 * execs while they run: every race of the loop's bookkeeping at once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
static void *leaf(void *arg) { (void)arg; usleep(1000); return NULL; }
static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10; i++) {
		pid_t p = fork();
		if (p == 0) {
			if (i % 2)
				execl("/bin/true", "true", (char *)NULL);
			_exit(0);
		}
		pthread_t t;
		pthread_create(&t, NULL, leaf, NULL);
		pthread_join(t, NULL);
		waitpid(p, NULL, 0);
	}
	return NULL;
}
int main(int argc, char **argv)
{
	if (argc > 1) { /* after the exec */
		printf("exec'd with %s\n", argv[1]);
		return 3;
	}
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	usleep(20000);
	/* exec while the workers still fork and spawn threads */
	execl("/proc/self/exe", "chaos", "done", (char *)NULL);
	return 1;
}
