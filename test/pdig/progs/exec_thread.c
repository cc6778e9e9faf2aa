/* A non-leader thread calls execve: the process keeps its pid. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static void *run(void *arg)
{
	char *const argv[] = {"echo", "exec from a thread", (char *)arg, NULL};
	execv("/bin/echo", argv);
	return NULL;
}
int main(void)
{
	pthread_t th;
	char pid[32];
	snprintf(pid, sizeof pid, "%s", "ok");
	pthread_create(&th, NULL, run, pid);
	pause();
	return 1;
}
