# Persistence: a file written below /etc at run time (a tmpfs over
# /etc/default or /etc/opt: the machine's /etc is not touched).
# needs: mountns
# default: pdig write below etc = 1 ~ file=/etc/(default|opt)/pdig-scenario
# sandbox: Write below etc = 1 ~ file=/etc/(default|opt)/pdig-scenario
setup() {
	for d in /etc/default /etc/opt; do
		[ -d "$d" ] && mount -t tmpfs pdig-scenario "$d" && echo "$d" >"$W/dir" && return 0
	done
	return 1
}
run() {
	d=$(cat "$W/dir")
	echo 'X=1' >"$d/pdig-scenario"
}
