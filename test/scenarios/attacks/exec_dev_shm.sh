# A binary dropped into /dev/shm and run from there.
# needs: root
# default: pdig execution from /dev/shm = 1 ~ exe=/dev/shm/
# falco: Execution from /dev/shm = 1 ~ exepath=/dev/shm/pdig-scenario
run() {
	f=/dev/shm/pdig-scenario.$$
	cp /bin/true "$f" && "$f"
	rm -f "$f"
}
