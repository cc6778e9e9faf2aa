/*
 * Runs Falco's filter parser vectors (../shared/conformance/
 * filter_parser_cases.tsv) through eng_parse() and reports how many agree.
 * The expressions are stored as C string literal bodies: unescape first.
 * Usage: parser_conformance FILE [MIN_PASS]; exits 77 when FILE is missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_ast.h"

static void c_unescape(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			*o++ = *s;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': *o++ = '\n'; break;
		case 't': *o++ = '\t'; break;
		case 'r': *o++ = '\r'; break;
		case 'b': *o++ = '\b'; break;
		default: *o++ = *s; break;
		}
	}
	*o = 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s CASES.tsv [MIN_PASS]\n", argv[0]);
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		printf("SKIP: %s not found (the shared conformance vectors sit beside the checkout)\n",
		       argv[1]);
		return 77;
	}
	int min_pass = argc > 2 ? atoi(argv[2]) : 0;
	char line[8192];
	int total = 0, pass = 0;
	int first = 1;
	while (fgets(line, sizeof line, f)) {
		if (first) { /* header */
			first = 0;
			continue;
		}
		line[strcspn(line, "\n")] = 0;
		char *col[7] = {0};
		char *s = line;
		for (int i = 0; i < 7 && s; i++) {
			col[i] = s;
			s = strchr(s, '\t');
			if (s)
				*s++ = 0;
		}
		if (!col[5])
			continue;
		int want_accept = strcmp(col[3], "parse_accept") == 0;
		c_unescape(col[5]);
		struct eng_ast *a = NULL;
		struct eng_parse_error err;
		int rc = eng_parse(col[5], &a, &err);
		total++;
		if ((rc == 0) == want_accept) {
			pass++;
		} else {
			printf("MISMATCH line %s: expected %s: [%s]", col[2],
			       want_accept ? "accept" : "reject", col[5]);
			if (rc)
				printf(" error %u:%u %s", err.pos.line, err.pos.col, err.msg);
			printf("\n");
		}
		eng_ast_free(a);
	}
	fclose(f);
	printf("filter parser conformance: %d/%d cases agree\n", pass, total);
	if (total == 0)
		return 1;
	/* MIN_PASS lets a known shortfall be tracked without hiding regressions */
	return (min_pass ? pass >= min_pass : pass == total) ? 0 : 1;
}
