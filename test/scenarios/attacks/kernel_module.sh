# A kernel module load attempt (finit_module on /dev/null: it fails, the
# attempt is what counts). Falco's rule needs thread.cap_effective, which
# pdig's events do not carry: not raised (rules/README.md).
# needs: python3
# default: pdig kernel module load attempt = 1 ~ call=finit_module
run() {
	"$PY" -c 'import ctypes, os
ctypes.CDLL(None).syscall(313, os.open("/dev/null", os.O_RDONLY), b"", 0)'
}
