/*
 * libFuzzer target for the rules loader and the condition parser. The
 * first byte picks the target: even, the input is a condition (parsed,
 * printed both ways, compiled); odd, a rules file (loaded, expanded,
 * compiled, every message formatted). Any input must end in a result or
 * an error message: never a crash, a hang or unbounded memory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eng_ast.h"
#include "eng_filter.h"
#include "eng_rules.h"

static volatile size_t sink;

static void fuzz_condition(const char *text)
{
	struct eng_ast *a = NULL;
	struct eng_parse_error pe;
	char buf[4096];
	if (eng_parse(text, &a, &pe)) {
		eng_parse_error_explain(text, &pe, buf, sizeof(buf));
		sink += strlen(buf);
		return;
	}
	sink += (size_t)eng_ast_print(a, buf, sizeof(buf));
	sink += (size_t)eng_rules_ast_str(a, buf, sizeof(buf));
	struct eng_filter *f = NULL;
	if (!eng_filter_compile(a, &f, &pe))
		eng_filter_free(f);
	eng_ast_free(a);
}

static void fuzz_rules(const char *text)
{
	struct eng_rules *r;
	char buf[4096];
	if (eng_rules_new(&r))
		return;
	if (!eng_rules_load_string(r, "fuzz.yaml", text))
		eng_rules_compile(r);
	for (size_t i = 0; i < eng_rules_nmsgs(r); i++)
		sink += (size_t)eng_rules_msg_format(eng_rules_msg(r, i), buf, sizeof(buf));
	for (size_t i = 0; i < eng_rules_count(r); i++) {
		struct eng_rule *rule = eng_rules_get(r, i);
		if (rule->ast)
			sink += (size_t)eng_rules_ast_str(rule->ast, buf, sizeof(buf));
	}
	eng_rules_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = 0;
	if (data[0] & 1)
		fuzz_rules(text);
	else
		fuzz_condition(text);
	free(text);
	return 0;
}
