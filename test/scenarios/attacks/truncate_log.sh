# Covering tracks: a log below /var/log truncated (a tmpfs over /var/log).
# needs: mountns
# default: pdig log file truncated = 1 ~ file=/var/log/auth.log
# falco: Clear Log Activities = 1 ~ file=/var/log/auth.log
setup() {
	mount -t tmpfs pdig-scenario /var/log && echo old >/var/log/auth.log
}
run() {
	: >/var/log/auth.log
}
