/*
 * A process pdig -p cannot put its filter in: one of its threads has a
 * seccomp filter of its own (allow everything), which the others lack, so
 * a filter synchronised over all threads (TSYNC) is refused. pdig must
 * fall back to tracing it without a filter. Waits for DIR/go, opens
 * DIR/opened, exits 9.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const char *dir;

static void *own_filter(void *arg)
{
	(void)arg;
	struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_fprog prog = {1, allow};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) {
		perror("seccomp");
		_exit(1);
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/ready", dir);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	dir = argv[1];
	pthread_t th;
	if (pthread_create(&th, NULL, own_filter, NULL))
		return 1;
	char path[4096];
	struct timespec ts = {0, 20 * 1000 * 1000};
	snprintf(path, sizeof path, "%s/go", dir);
	while (access(path, F_OK) != 0)
		nanosleep(&ts, NULL);
	snprintf(path, sizeof path, "%s/opened", dir);
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		return 1;
	close(fd);
	return 9;
}
