# Software installed at run time: a package manager started. dpkg runs
# dpkg-query through a PATH search, and Falco's spawned_process takes
# failed execve calls too (as with the kernel driver): each directory tried
# before dpkg-query's would be one more alert of the incubating rule, so
# PATH is fixed to /usr/bin:/bin (dpkg-query found at the first try).
# needs: dpkg
# default: pdig package management in container = 1 ~ command=dpkg
# incubating: Launch Package Management Process in Container = 1 ~ command=dpkg -l
run() {
	PATH=/usr/bin:/bin dpkg -l >/dev/null
}
