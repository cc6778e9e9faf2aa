/*
 * Changes its credentials between forks, so that the uid and gid pdig keeps
 * for each thread (pdig/procfs.h, struct pd_proc_task) are seen to follow
 * every change: setreuid and setregid, a raw setreuid in one thread only
 * (credentials are per thread), and an execve of a set-user-ID copy of
 * itself. For each fork it prints "mark WHAT CHILD_PID EUID EGID", the
 * credentials the clone events must carry as the kernel has them.
 *
 *   creds_kept             (run as root)
 *   creds_kept suid        (the set-user-ID copy, run by the first)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int fork_mark(const char *what)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(0);
	printf("mark %s %d %u %u\n", what, (int)pid, (unsigned)geteuid(), (unsigned)getegid());
	fflush(stdout);
	int st;
	return waitpid(pid, &st, 0) != pid;
}

/* A raw setreuid changes this thread only (libc's would change them all). */
static void *thread_body(void *arg)
{
	(void)arg;
	if (syscall(SYS_setreuid, -1, 1002) != 0)
		return (void *)1;
	return (void *)(long)fork_mark("thread_setreuid");
}

int main(int argc, char **argv)
{
	int bad = 0;
	if (argc == 2 && !strcmp(argv[1], "suid"))
		return fork_mark("suid_exec");
	if (argc != 1 || geteuid() != 0)
		return 2;
	bad |= fork_mark("first");  /* the credentials read, then kept */
	bad |= fork_mark("again");
	bad |= setreuid((uid_t)-1, 1000) != 0;
	bad |= fork_mark("setreuid");
	bad |= setreuid((uid_t)-1, 0) != 0;
	bad |= setregid((gid_t)-1, 1001) != 0;
	bad |= fork_mark("setregid");
	bad |= setregid((gid_t)-1, 0) != 0;
	bad |= fork_mark("back");
	pthread_t th;
	void *ret = NULL;
	bad |= pthread_create(&th, NULL, thread_body, NULL) != 0 || pthread_join(th, &ret) != 0 ||
	       ret != NULL;
	bad |= fork_mark("main_after_thread"); /* the main thread's are unchanged */
	if (bad)
		return 1;
	/* the set-user-ID copy (made by the test, given as $CREDS_SUID) */
	const char *suid = getenv("CREDS_SUID");
	if (suid) {
		fflush(stdout);
		execl(suid, suid, "suid", (char *)NULL);
		return 3;
	}
	return 0;
}
