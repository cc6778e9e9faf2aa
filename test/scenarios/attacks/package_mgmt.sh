# Software installed at run time: a package manager started.
# needs: dpkg
# default: pdig package management in container = 1 ~ command=dpkg
run() {
	dpkg -l >/dev/null
}
