# A container escape attempt: the host's files through pid 1's root
# (/proc/1/root), allowed or refused.
# default: pdig container escape attempt = 1 ~ target=/proc/1/root/etc/hostname
run() {
	cat /proc/1/root/etc/hostname >/dev/null 2>&1
	true
}
