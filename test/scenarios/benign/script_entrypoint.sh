# A shell-script entrypoint with pipelines, subshells, command
# substitution and shells it starts (the entrypoint is the script itself:
# run() execs it). No alert.
run() {
	cat >entry.sh <<'S'
#!/bin/sh
set -e
n=$(ls / | wc -l)
echo "$n" | sed 's/^/entries: /' | tr a-z A-Z >/dev/null
(cd /tmp && pwd) >/dev/null
sh -c 'echo child shell' | cat >/dev/null
for i in 1 2 3; do echo "$i"; done | sort -r | head -1 >/dev/null
grep -c root /etc/passwd >/dev/null
exec sh -c 'exit 0'
S
	chmod +x entry.sh && exec ./entry.sh
}
