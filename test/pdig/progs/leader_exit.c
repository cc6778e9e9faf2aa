/* The thread-group leader exits first (pthread_exit); a thread it leaves
 * behind ends the process with exit_group while others are still running. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static void *spin(void *arg)
{
	(void)arg;
	for (;;)
		usleep(1000);
	return NULL;
}
static void *last(void *arg)
{
	(void)arg;
	usleep(100000);
	printf("last thread exits the process\n");
	fflush(stdout);
	exit(9);
}
int main(void)
{
	pthread_t th;
	for (int i = 0; i < 4; i++)
		pthread_create(&th, NULL, spin, NULL);
	pthread_create(&th, NULL, last, NULL);
	pthread_exit(NULL);
}
