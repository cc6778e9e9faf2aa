/*
 * pdig-engine-rules: pdig-engine's whole program (eng_main()) in a binary
 * of the tests, so that an ASan+UBSan build of it exists too.
 */
#include "eng_cli.h"

int main(int argc, char **argv) { return eng_main(argc, argv); }
