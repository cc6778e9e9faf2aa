"""A SIGTSTP handler as editors have one: on Ctrl-Z it saves its state, stops
with the default action, and once continued takes the terminal back.
Usage: tstp_handler.py DIR WORD1 WORD2 (prints WORD1WORD2 when ready)."""
import os
import signal
import sys
import time

d = sys.argv[1]


def note(text):
    with open(os.path.join(d, "h"), "a") as f:
        f.write(text + "\n")


def handler(sig, frame):
    note("saved")
    signal.signal(signal.SIGTSTP, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTSTP)  # stops here until continued
    signal.signal(signal.SIGTSTP, handler)
    note("back")


signal.signal(signal.SIGTSTP, handler)
print(sys.argv[2] + sys.argv[3], flush=True)
for _ in range(20):
    time.sleep(0.1)
with open(os.path.join(d, "fin"), "w") as f:
    f.write("finished\n")
