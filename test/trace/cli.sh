#!/bin/sh
# pdig-trace's command line: usage errors (2, one line saying what to do),
# missing programs and an engine that cannot start (125, the command never
# run), where the default rules come from (beside the binary, else built
# in), engine and pdig options passed through, text alerts, the private
# directory removed at the end, and no writable directory at all.
# usage: cli.sh BIN_DIR
BIN=$(realpath "$1")
TRACE=$BIN/pdig-trace
. "$(dirname "$0")/lib.sh"
need_ptrace "$BIN/pdig"
need_python
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

# usage ARGS... -- MESSAGE: exit 2 with MESSAGE on stderr
usage() {
	msg=$(eval "printf %s \"\${$#}\"")
	n=$(($# - 1))
	args=
	i=1
	for a in "$@"; do
		[ $i -gt $n ] && break
		args="$args '$a'"
		i=$((i + 1))
	done
	eval "\"\$TRACE\" $args" >/dev/null 2>"$T/usage.err"
	rc=$?
	if [ $rc = 2 ] && grep -q -- "$msg" "$T/usage.err" && grep -q -- "--help" "$T/usage.err"; then
		ok "usage:$args: 2, '$msg'"
	else
		bad "usage:$args: exit $rc, $(cat "$T/usage.err")"
	fi
}
usage --bogus true "unknown option '--bogus'"
usage "no command given"
usage -p 1 true "give -p PID, -n NAME or a COMMAND, not two"
usage -p 1 -n app "give -p PID or -n NAME, not both"
usage -n a/b "-n wants a program name"
usage -p abc "-p wants process ids"
usage --tree true "--tree and --no-inject go with -p PID or -n NAME"
usage --metadata-timeout x true "--metadata-timeout wants milliseconds"
usage --drain-timeout 0 true "--drain-timeout wants seconds"
usage --no-default-rules true "--no-default-rules needs -r RULES"
usage -r "option '-r' needs an argument"

"$TRACE" --help >"$T/help" 2>&1 && grep -q "pdig-trace \[OPTIONS\] \[ENGINE OPTIONS\]" "$T/help" &&
	ok "--help" || bad "--help: $(cat "$T/help")"

# the programs: beside pdig-trace, then PATH
mkdir "$T/alone"
cp "$TRACE" "$T/alone/"
PATH=/nonexistent "$T/alone/pdig-trace" -- true >/dev/null 2>"$T/alone.err"
rc=$?
[ $rc = 125 ] && grep -q "cannot find pdig beside $T/alone or in PATH" "$T/alone.err" &&
	ok "no pdig beside it or in PATH: 125 and what to do" || bad "alone: exit $rc, $(cat "$T/alone.err")"
PATH="$BIN:/usr/bin:/bin" "$T/alone/pdig-trace" -v -- true >/dev/null 2>"$T/path.err"
rc=$?
[ $rc = 0 ] && grep -q "$BIN/pdig, $BIN/pdig-engine" "$T/path.err" && ok "pdig and pdig-engine found in PATH" ||
	bad "path: exit $rc, $(cat "$T/path.err")"

# an engine that cannot start: its message, 125, the command never runs
printf -- '- rule: broken\n  condition: evt.type = \n' >"$T/bad.yaml"
"$TRACE" -r "$T/bad.yaml" -- touch "$T/ran" >/dev/null 2>"$T/bad.err"
rc=$?
if [ $rc = 125 ] && [ ! -e "$T/ran" ] && grep -q "could not be loaded" "$T/bad.err" &&
	grep -q "pdig-engine could not start.*the command is not started" "$T/bad.err"; then
	ok "bad rules: the engine's error, 125, the command not run"
else
	bad "bad rules: exit $rc, ran: $(test -e "$T/ran" && echo yes), $(cat "$T/bad.err")"
fi

# default rules: built in (the build tree has none beside the binary) ...
TMPDIR=$T/tmp && mkdir "$TMPDIR" && export TMPDIR
"$TRACE" -v -- cat /etc/shadow >"$T/builtin.out" 2>"$T/builtin.err"
grep -q "default rules: the copy built in" "$T/builtin.err" && ok "default rules: built in" ||
	bad "builtin: $(cat "$T/builtin.err")"
[ "$(alerts "$T/builtin.out" "$RULE_SHADOW")" = 1 ] && ok "built-in rules fire" || bad "builtin: $(cat "$T/builtin.out")"
[ -z "$(ls -A "$TMPDIR")" ] && ok "the private directory is removed at the end" ||
	bad "left in \$TMPDIR: $(ls -A "$TMPDIR")"
# ... or those of an installation, ../share/pdig/rules beside it
mkdir -p "$T/inst/bin" "$T/inst/share/pdig/rules"
cp "$BIN/pdig" "$BIN/pdig-engine" "$TRACE" "$T/inst/bin/"
cat >"$T/inst/share/pdig/rules/site.yaml" <<'Y'
- rule: site hostname read
  desc: the installed rules are the ones used
  condition: evt.type in (open, openat) and fd.name = /etc/hostname
  output: hostname read by %proc.name
  priority: NOTICE
Y
"$T/inst/bin/pdig-trace" -v -- sh -c 'cat /etc/hostname /etc/shadow' >"$T/inst.out" 2>"$T/inst.err"
if grep -q "default rules: $T/inst/bin/../share/pdig/rules" "$T/inst.err" &&
	[ "$(alerts "$T/inst.out" "site hostname read")" = 1 ] && [ "$(alerts "$T/inst.out")" = 1 ]; then
	ok "default rules: ../share/pdig/rules beside the binary, instead of the built-in ones"
else
	bad "inst: $(cat "$T/inst.err" "$T/inst.out")"
fi

# -r after the defaults tunes them; engine options pass through
cat >"$T/tune.yaml" <<'Y'
- list: pdig_trusted_credential_readers
  items: [cat]
  override:
    items: append
Y
"$TRACE" -r "$T/tune.yaml" -- cat /etc/shadow >"$T/tune.out" 2>"$T/tune.err"
[ "$(alerts "$T/tune.out")" = 0 ] && ok "-r FILE is loaded after the default rules (tuning)" ||
	bad "tune: $(cat "$T/tune.out" "$T/tune.err")"
"$TRACE" -D "pdig sensitive" -- cat /etc/shadow >"$T/D.out" 2>"$T/D.err"
[ "$(alerts "$T/D.out")" = 0 ] && ok "-D passed to the engine" || bad "-D: $(cat "$T/D.out")"
"$TRACE" --no-default-rules -r "$T/inst/share/pdig/rules/site.yaml" -- sh -c 'cat /etc/hostname /etc/shadow' \
	>"$T/only.out" 2>"$T/only.err"
[ "$(alerts "$T/only.out")" = 1 ] && [ "$(alerts "$T/only.out" "site hostname read")" = 1 ] &&
	ok "--no-default-rules -r FILE: that file alone" || bad "only: $(cat "$T/only.out" "$T/only.err")"
"$TRACE" --text -- cat /etc/shadow >"$T/text.out" 2>/dev/null
grep -q "^[0-9:.]* Warning Sensitive file opened for reading by untrusted program | .*container_id=" "$T/text.out" &&
	ok "--text: Falco's text line, with the container fields added" || bad "text: $(cat "$T/text.out")"
"$TRACE" --extra-output '' -- cat /etc/shadow >"$T/noextra.out" 2>/dev/null
if [ "$(alerts "$T/noextra.out" "$RULE_SHADOW")" = 1 ] && ! grep -q "container_name=" "$T/noextra.out"; then
	ok "--extra-output '': no field added"
else
	bad "--extra-output '': $(cat "$T/noextra.out")"
fi
"$TRACE" --pdig --bogus -- true >/dev/null 2>"$T/pbogus.err"
rc=$?
[ $rc = 2 ] && grep -q "pdig: unknown option '--bogus'" "$T/pbogus.err" &&
	ok "--pdig OPTION reaches pdig (its usage error and status)" || bad "--pdig: exit $rc, $(cat "$T/pbogus.err")"

# the command's signal dispositions and mask are those it would have natively
native=$(sh -c 'grep -E "^Sig(Ign|Blk)" /proc/self/status')
"$TRACE" -- sh -c 'grep -E "^Sig(Ign|Blk)" /proc/self/status' >"$T/sig.out" 2>/dev/null
traced=$(nonjson "$T/sig.out")
[ "$native" = "$traced" ] && ok "the command's ignored and blocked signals as natively" ||
	bad "signals: native '$native', under pdig-trace '$traced'"

# no writable directory for the socket: a clear message, 125
if unshare -m true 2>/dev/null; then
	# the programs are shown read-only on a directory outside the ones made
	# unwritable (the build may lie under /tmp, which is hidden here)
	unshare -m --propagation private sh -c '
		for m in /mnt /srv /opt /media /home; do [ -d $m ] && break; done
		mount --bind "$1" $m && mount -o remount,bind,ro $m $m || exit 99
		for d in /tmp /dev/shm /run /var/tmp; do [ -d $d ] && mount -t tmpfs -o ro tmpfs $d; done
		unset TMPDIR
		exec $m/pdig-trace -- true' sh "$BIN" >/dev/null 2>"$T/rofs.err"
	rc=$?
	[ $rc = 125 ] && grep -q "no writable directory for the engine's socket.*set TMPDIR" "$T/rofs.err" &&
		ok "no writable directory: 125 and what to do" || bad "rofs: exit $rc, $(cat "$T/rofs.err")"
else
	echo "not checked: no writable directory (unshare -m needs root)"
fi
exit $fail
