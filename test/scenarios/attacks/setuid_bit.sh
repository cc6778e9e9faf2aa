# Keeping root: the setuid bit set on a copy of a shell.
# default: pdig setuid or setgid bit set = 1 ~ mode=.*S_ISUID
# incubating: Set Setuid or Setgid bit = 1 ~ filename=.*/rootsh mode=.*S_ISUID
run() {
	cp /bin/sh ./rootsh && chmod u+s ./rootsh
	rm -f ./rootsh
}
