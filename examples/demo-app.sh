#!/bin/sh
# A small "application" for the demo: ordinary work, then a few things a
# Falco rule set looks for. It changes nothing on the machine.
ls / >/dev/null                      # benign
cat /etc/hostname >/dev/null         # benign read below /etc
cat /etc/shadow >/dev/null           # reads a sensitive file
sh -c 'id >/dev/null'                # a shell spawning a program (a script's own: fine)
/usr/bin/python3 -c 'import os; os.system("id >/dev/null")'  # a shell started by a non-shell program
exit 3                               # pdig hands back the application's status
