/*
 * A process for pdig -p to attach to while it waits: a thread and a child
 * made before the attach poll for DIR/go; the main thread blocks in read(0)
 * (where upstream pdig's attach aborted). Each, once let go, opens a file
 * of DIR whose name says who it is; the main thread prints what it read,
 * waits for the child and the thread, and exits 7.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *dir;

static void touch(const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	close(fd);
}

static void wait_go(void)
{
	char path[4096];
	struct timespec ts = {0, 20 * 1000 * 1000};
	snprintf(path, sizeof path, "%s/go", dir);
	while (access(path, F_OK) != 0)
		nanosleep(&ts, NULL);
}

static void *thread_main(void *arg)
{
	(void)arg;
	wait_go();
	touch("thread-opened");
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: attach_target DIR\n");
		return 2;
	}
	dir = argv[1];
	pid_t child = fork();
	if (child == 0) {
		wait_go();
		touch("child-opened");
		_exit(0);
	}
	pthread_t th;
	if (child < 0 || pthread_create(&th, NULL, thread_main, NULL) != 0)
		return 1;
	touch("ready");
	char buf[64];
	ssize_t n = read(0, buf, sizeof buf - 1);
	if (n < 0) {
		perror("read");
		return 1;
	}
	buf[n] = 0;
	printf("read: %s", buf);
	fflush(stdout);
	touch("main-opened");
	int st;
	if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st))
		return 1;
	pthread_join(th, NULL);
	return 7;
}
