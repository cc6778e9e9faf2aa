# Log rotation (a tmpfs over /var/log): the log renamed, compressed, a new
# one created and appended to, the oldest removed. No alert.
# needs: mountns
setup() {
	mount -t tmpfs pdig-scenario /var/log && seq 1000 >/var/log/app.log &&
		echo old | gzip >/var/log/app.log.2.gz
}
run() {
	mv /var/log/app.log.2.gz /var/log/app.log.3.gz &&
		mv /var/log/app.log /var/log/app.log.1 && gzip /var/log/app.log.1 &&
		mv /var/log/app.log.1.gz /var/log/app.log.2.gz && echo started >>/var/log/app.log &&
		rm -f /var/log/app.log.3.gz
}
