# Persistence through cron: a job written into /etc/cron.d (a tmpfs over
# it).
# needs: mountns
# default: pdig write below etc = 1 ~ file=/etc/cron.d/backdoor
# incubating: Schedule Cron Jobs = 1 ~ file=/etc/cron.d/backdoor
# sandbox: Write below etc = 1 ~ file=/etc/cron.d/backdoor
setup() {
	mkdir -p /etc/cron.d 2>/dev/null; mount -t tmpfs pdig-scenario /etc/cron.d
}
run() {
	echo '* * * * * root /tmp/x' >/etc/cron.d/backdoor
}
