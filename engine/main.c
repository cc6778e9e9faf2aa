/*
 * pdig-engine: reads events (a capture file or the live ring), rebuilds the
 * system state and evaluates Falco rules, or prints the events a filter
 * selects in sysdig's -p format. The command line is cli.c, the run run.c.
 */
#include "eng_cli.h"

int main(int argc, char **argv)
{
	return eng_main(argc, argv);
}
