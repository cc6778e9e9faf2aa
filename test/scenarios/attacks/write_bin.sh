# A binary dropped into a binary directory (a tmpfs over /usr/local) and run.
# needs: mountns
# default: pdig write below binary or library dir = 1 ~ file=/usr/local/bin/backdoor
# sandbox: Write below monitored dir = 1 ~ file=/usr/local/bin/backdoor
setup() {
	mount -t tmpfs pdig-scenario /usr/local && mkdir /usr/local/bin
}
run() {
	cp /bin/true /usr/local/bin/backdoor && /usr/local/bin/backdoor
}
