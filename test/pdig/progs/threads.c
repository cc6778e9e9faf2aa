/* Threads that open files and exit; the sum of their results is printed. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static void *run(void *arg)
{
	long n = (long)arg, ok = 0;
	for (int i = 0; i < 50; i++) {
		int fd = open("/etc/hostname", O_RDONLY);
		if (fd >= 0) {
			ok++;
			close(fd);
		}
	}
	return (void *)(ok * n);
}
int main(void)
{
	pthread_t th[8];
	long sum = 0;
	for (long i = 0; i < 8; i++)
		pthread_create(&th[i], NULL, run, (void *)(i + 1));
	for (int i = 0; i < 8; i++) {
		void *r;
		pthread_join(th[i], &r);
		sum += (long)r;
	}
	printf("sum %ld\n", sum);
	return 0;
}
