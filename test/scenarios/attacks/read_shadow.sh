# Credential dumping: read the password hashes.
# needs: root
# default: pdig sensitive file read by untrusted program = 1 ~ file=/etc/shadow
# falco: Read sensitive file untrusted = 1 ~ file=/etc/shadow
run() {
	cat /etc/hostname /etc/shadow >/dev/null
}
