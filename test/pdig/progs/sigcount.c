/*
 * Counts the deliveries of SIGTERM, SIGHUP, SIGUSR1 and SIGCONT to its
 * handlers; prints "ready" once they are set, and the counts once the file
 * named by argv[1] exists.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t counts[NSIG];

static void count(int sig) { counts[sig]++; }

int main(int argc, char **argv)
{
	static const int sigs[] = {SIGTERM, SIGHUP, SIGUSR1, SIGCONT};
	if (argc != 2) {
		fprintf(stderr, "usage: sigcount FINISH-FILE\n");
		return 2;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = count;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	struct timespec ts = {0, 10 * 1000 * 1000};
	while (access(argv[1], F_OK) != 0)
		nanosleep(&ts, NULL);
	printf("TERM=%d HUP=%d USR1=%d CONT=%d\n", (int)counts[SIGTERM], (int)counts[SIGHUP],
	       (int)counts[SIGUSR1], (int)counts[SIGCONT]);
	return 0;
}
