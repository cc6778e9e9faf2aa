#!/usr/bin/env python3
"""Runs `pdig -w CAPTURE sh -c 'exec N<&- ...'` with a listening TCP socket,
a connected one and an abstract unix socket inherited from this process:
the process list must describe them so that the closes name them.
Usage: inherit_sockets.py PDIG CAPTURE (prints the fds and ports)."""
import os, socket, subprocess, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
c = socket.socket(); c.connect(s.getsockname()); a, _ = s.accept()
u = socket.socket(socket.AF_UNIX); u.bind("\0pdig-test-%d" % os.getpid())
for x in (s, c, u):
    x.set_inheritable(True)
fds = [s.fileno(), c.fileno(), u.fileno()]
print("fds", *fds, "port", s.getsockname()[1], "cport", c.getsockname()[1], flush=True)
cmd = "exec " + " ".join("%d<&-" % f for f in fds)
sys.exit(subprocess.run([sys.argv[1], "-q", "-w", sys.argv[2], "sh", "-c", cmd], pass_fds=fds).returncode)
