# A build: make of a small C project (compiler, linker, archiver, the
# built program run, the tree cleaned). No alert.
# needs: cc make ar
run() {
	mkdir -p src && cd src || return 1
	printf 'int add(int a, int b) { return a + b; }\n' >add.c
	printf 'int add(int, int);\nint main(void) { return add(1, -1); }\n' >main.c
	printf 'all: prog\nlibadd.a: add.o\n\tar rcs $@ $^\nprog: main.o libadd.a\n\t$(CC) -o $@ main.o -L. -ladd\nclean:\n\trm -f *.o *.a prog\n' >Makefile
	make -s && ./prog && make -s clean
}
