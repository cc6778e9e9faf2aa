/* Opens FILE, writes to it, forks a child that shares the fd, then both wait
 * until GO exists (polled without traced calls) and write to the fd again:
 * the second writes come from processes and an fd made long before.
 *   longfd FILE GO */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void wait_for(const char *path)
{
	struct stat st;
	struct timespec ts = {0, 20000000};
	for (int i = 0; i < 1500 && stat(path, &st) < 0; i++)
		nanosleep(&ts, NULL);
}

static int put(int fd, const char *s)
{
	return write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: longfd FILE GO\n");
		return 2;
	}
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || put(fd, "before\n"))
		return 1;
	pid_t p = fork();
	if (p == 0) {
		wait_for(argv[2]);
		_exit(put(fd, "after-child\n"));
	}
	wait_for(argv[2]);
	int bad = put(fd, "after-parent\n");
	int st = 0;
	waitpid(p, &st, 0);
	return bad || !WIFEXITED(st) || WEXITSTATUS(st);
}
