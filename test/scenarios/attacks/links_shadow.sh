# A symlink and a hard link to /etc/shadow (a second name outside the
# watched paths; the hard link may fail across filesystems: the attempt
# is what is reported).
# default: pdig symlink over sensitive file = 1 ~ target=/etc/shadow
# default: pdig hardlink over sensitive file = 1 ~ oldpath=/etc/shadow
# falco: Create Symlink Over Sensitive Files = 1 ~ target=/etc/shadow
# falco: Create Hardlink Over Sensitive Files = 1 ~ /etc/shadow
run() {
	ln -s /etc/shadow s 2>/dev/null
	ln /etc/shadow h 2>/dev/null
	rm -f s h
}
