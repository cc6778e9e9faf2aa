# Fileless execution: a program copied into a memfd and run from it.
# needs: python3
# default: pdig fileless execution = 1 ~ memfd=true
# falco: Fileless execution via memfd_create = 1
run() {
	"$PY" -c 'import os
fd = os.memfd_create("payload")
os.write(fd, open("/bin/true", "rb").read())
os.execv("/proc/self/fd/%d" % fd, ["payload"])'
}
