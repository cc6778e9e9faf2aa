/*
 * pdig-engine-rules: the rules mode (engine/rules_main.c) as its own binary
 * until engine/main.c hands -r/-V/--json over to eng_rules_main().
 */
#include "eng_rules.h"

int main(int argc, char **argv) { return eng_rules_main(argc, argv); }
