/* Dies by the signal given as argv[1] (default action). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
int main(int argc, char **argv)
{
	int sig = argc > 1 ? atoi(argv[1]) : SIGTERM;
	struct rlimit rl = {0, 0};
	setrlimit(RLIMIT_CORE, &rl); /* no core files from the test */
	printf("dying by %d\n", sig);
	fflush(stdout);
	signal(sig, SIG_DFL);
	raise(sig);
	return 100;
}
