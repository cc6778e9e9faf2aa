/*
 * pdig-engine-rules: the rules mode (engine/rules_main.c) alone, for the
 * tests (an ASan+UBSan build of it too). pdig-engine runs the same
 * eng_rules_main() when its command line asks for rules mode (engine/main.c).
 */
#include "eng_rules.h"

int main(int argc, char **argv) { return eng_rules_main(argc, argv); }
