# Process injection: ptrace(PTRACE_ATTACH) of another process of the tree
# (under pdig it fails: pdig holds every process's ptrace attachment).
# needs: python3
# default: pdig ptrace by a traced program = 1 ~ process=python3
# falco: PTRACE attached to process = 1
run() {
	sleep 3 &
	"$PY" -c 'import ctypes, sys; ctypes.CDLL(None).ptrace(16, int(sys.argv[1]), 0, 0)' $!
	kill $!
}
