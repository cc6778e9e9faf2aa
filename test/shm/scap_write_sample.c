/* Writes the sample capture (scap_sample.h), for the sysdig interop test and
 * the fuzzing corpus: scap_write_sample FILE [--large] [--evf] [--split]
 * (--large adds a large-payload event, --evf an event block with flags,
 * --split writes one process-list block per thread) */
#include <stdio.h>
#include <string.h>

#include "scap_sample.h"

int main(int argc, char **argv)
{
	char err[256] = "";
	int extras = 0, bad = argc < 2;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--large"))
			extras |= SAMPLE_LARGE;
		else if (!strcmp(argv[i], "--evf"))
			extras |= SAMPLE_EVF;
		else if (!strcmp(argv[i], "--split"))
			extras |= SAMPLE_SPLIT_PL;
		else
			bad = 1;
	}
	if (bad) {
		fprintf(stderr, "usage: scap_write_sample FILE [--large] [--evf] [--split]\n");
		return 2;
	}
	int n = sample_write_file(argv[1], extras, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "scap_write_sample: %s\n", err);
		return 1;
	}
	printf("%d events\n", n);
	return 0;
}
