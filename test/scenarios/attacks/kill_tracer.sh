# Stopping the tracer: SIGSTOP to pdig's front process (then SIGCONT).
# default: pdig tracer killed or stopped by a traced program = 1 ~ sig=SIGSTOP
run() {
	kill -STOP $PPID
	kill -CONT $PPID
}
