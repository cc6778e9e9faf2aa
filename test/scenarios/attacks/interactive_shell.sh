# An interactive shell: a shell with a terminal inside the traced tree
# (script(1) gives it a pseudo-terminal, as `docker exec -it` would).
# needs: script
# (script runs $SHELL -c, which starts sh: two shells with the terminal)
# default: pdig terminal shell = 2 ~ command=sh -c .*tty=[1-9]
run() {
	SHELL=/bin/sh script -qec 'sh -c true' /dev/null </dev/null >/dev/null
}
