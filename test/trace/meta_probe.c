/*
 * meta_probe: what pdig-trace reads of the container (trace/meta.c), for
 * test/trace/metadata.sh.
 *   meta_probe get URL TIMEOUT_MS   the body of one GET, or the reason
 *   meta_probe meta TIMEOUT_MS      tr_meta_read(): one KEY=VALUE a line
 * Exits 0, or 1 with the reason on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

int main(int argc, char **argv)
{
	char why[256];
	if (argc == 4 && !strcmp(argv[1], "get")) {
		static char body[1 << 20];
		if (tr_http_get(argv[2], atoi(argv[3]), body, sizeof body, why, sizeof why)) {
			fprintf(stderr, "%s\n", why);
			return 1;
		}
		fputs(body, stdout);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "meta")) {
		struct tr_meta m;
		int rc = tr_meta_read(&m, atoi(argv[2]), why, sizeof why);
		printf("id=%s\nname=%s\nimage=%s\nimage_id=%s\npod_name=%s\npod_ns=%s\npod_uid=%s\n",
		       m.id, m.name, m.image, m.image_id, m.pod_name, m.pod_ns, m.pod_uid);
		if (rc) {
			fprintf(stderr, "%s\n", why);
			return 1;
		}
		return 0;
	}
	fprintf(stderr, "usage: meta_probe get URL TIMEOUT_MS | meta TIMEOUT_MS\n");
	return 2;
}
