/*
 * Changes what a clone event reports of its process between clones, so that
 * facts pdig keeps briefly (pdig/procfs.h) are seen to follow the change:
 * cwd by chdir and fchdir, the name by prctl, the arguments rewritten in
 * place (setproctitle style, not a traced call: seen once the keep time is
 * over), the program by execve. Prints "mark WHAT TID" for each thread made.
 *
 *   proc_facts DIR_A DIR_B     (then it re-executes itself as "proc_facts exec")
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void *body(void *arg)
{
	printf("mark %s %ld\n", (const char *)arg, (long)syscall(SYS_gettid));
	fflush(stdout);
	return NULL;
}

static int thread(const char *what)
{
	pthread_t th;
	if (pthread_create(&th, NULL, body, (void *)what))
		return 1;
	return pthread_join(th, NULL) != 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "exec"))
		return thread("exec");
	if (argc != 3)
		return 2;
	int fd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (fd < 0 || chdir(argv[1]))
		return 3;
	int rc = thread("dir_a");
	for (int i = 0; i < 20; i++) /* a burst: one /proc read for all */
		rc |= thread("burst");
	if (chdir(argv[2]))
		return 3;
	rc |= thread("dir_b");
	if (fchdir(fd))
		return 3;
	rc |= thread("fchdir_a");
	prctl(PR_SET_NAME, "re\\named");
	rc |= thread("renamed");
	/* argv rewritten in place: no syscall tells pdig; past the keep time
	 * (100 ms) the next clone shows it */
	memset(argv[2], 'x', strlen(argv[2]));
	struct timespec ts = {0, 300 * 1000 * 1000};
	nanosleep(&ts, NULL);
	rc |= thread("retitled");
	if (rc)
		return 4;
	char *args[] = {argv[0], "exec", NULL};
	execv("/proc/self/exe", args);
	return 5;
}
