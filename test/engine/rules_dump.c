/*
 * rules_dump: loads rules files in order and prints, one per line, what the
 * conformance driver (rule_loader_conformance.py) compares:
 *   RESULT ok|error
 *   E CODE<TAB>MESSAGE / W CODE<TAB>MESSAGE
 *   C RULE<TAB>CONDITION       (the compiled condition, Falco's printing)
 * Exit 0 when loading succeeded, 1 when it failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_rules.h"

int main(int argc, char **argv)
{
	struct eng_rules *r;
	if (argc < 2) {
		fprintf(stderr, "usage: rules_dump RULES.yaml...\n");
		return 2;
	}
	if (eng_rules_new(&r)) {
		fprintf(stderr, "rules_dump: out of memory\n");
		return 2;
	}
	int rc = 0;
	for (int i = 1; i < argc && !rc; i++)
		rc = eng_rules_load_file(r, argv[i]);
	if (!rc)
		rc = eng_rules_compile(r);
	printf("RESULT %s\n", rc ? "error" : "ok");
	for (size_t i = 0; i < eng_rules_nmsgs(r); i++) {
		const struct eng_rules_msg *m = eng_rules_msg(r, i);
		char line[4096];
		eng_rules_msg_format(m, line, sizeof(line));
		for (char *c = line; *c; c++)
			if (*c == '\n')
				*c = ' ';
		printf("%c %s\t%s\n", m->is_error ? 'E' : 'W', m->code, line);
	}
	static char buf[1 << 20];
	for (size_t i = 0; i < eng_rules_count(r); i++) {
		struct eng_rule *rule = eng_rules_get(r, i);
		if (rule->ast && eng_rules_ast_str(rule->ast, buf, sizeof(buf)) >= 0)
			printf("C %s\t%s\n", rule->name, buf);
	}
	eng_rules_free(r);
	return rc == -ENOMEM ? 2 : rc ? 1 : 0;
}
