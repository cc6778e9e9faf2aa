# Destroying data: a secure-erase tool.
# default: pdig bulk data removal = 1 ~ command=shred -u data
# falco: Remove Bulk Data from Disk = 1 ~ shred
run() {
	echo secret >data && shred -u data
}
