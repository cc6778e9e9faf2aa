/* A non-leader thread calls execve: the process keeps its pid. Two more
 * threads are running, killed by the exec (de_thread) with the leader. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}
static void *run(void *arg)
{
	char *const argv[] = {"echo", "exec from a thread", (char *)arg, NULL};
	usleep(20000); /* the idle threads are blocked by now */
	execv("/bin/echo", argv);
	return NULL;
}
int main(void)
{
	pthread_t th;
	char pid[32];
	snprintf(pid, sizeof pid, "%s", "ok");
	for (int i = 0; i < 2; i++)
		pthread_create(&th, NULL, idle, NULL);
	pthread_create(&th, NULL, run, pid);
	pause();
	return 1;
}
