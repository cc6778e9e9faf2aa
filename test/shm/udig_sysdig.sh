#!/bin/sh
# Real sysdig -u (Debian's 0.29.3, legacy libscap) reads pdig's udig ring live.
#
#	udig_sysdig.sh PRODUCER
#
# The udig names are global, so everything runs in a private mount namespace
# with its own tmpfs on /dev/shm. Three runs: the default snaplen (80) with a
# few events; -s 30 with enough events (11 MB) to wrap the 8 MiB ring; and
# sysdig started first (it creates the shm objects, pdig joins them) with
# -s 50. (sysdig shows at most 80 bytes of a buffer, so snaplens above 80
# cannot be checked from its output.)
# Exit 77 (skip) with the reason when the machine cannot run it.
set -u
PRODUCER=$1
skip() { echo "SKIP: $*"; exit 77; }

. "$(dirname "$0")/../lib/probe.sh"
pd_need sysdig
command -v unshare >/dev/null 2>&1 || skip "unshare (util-linux) is not installed"
[ "$(id -u)" = 0 ] || skip "needs root: sysdig -u and a private /dev/shm (unshare -m)"
unshare -m true 2>/dev/null || skip "cannot create a mount namespace here (unshare -m failed)"

TMP=$(mktemp -d /tmp/pdig-udig-test.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
FMT='*%evt.type %evt.dir %thread.tid %proc.name %evt.arg.fd %evt.arg.size %evt.rawres %evt.arg.data'

run() { # PAIRS PRODUCER-OPTION SYSDIG-OPTION...
	pairs=$1
	popt=$2
	shift 2
	n=$((pairs * 2))
	N=$n
	export N
	unshare -m sh -c '
		mount -t tmpfs -o mode=1777,size=64m tmpfs /dev/shm || exit 3
		prod=$1 pairs=$2 popt=$3
		shift 3
		if [ -n "$SYSDIG_FIRST" ]; then
			# sysdig creates the shm objects (0666, its way), pdig opens them.
			timeout 120 sysdig -u -n "$N" -p "$FMT" "$@" > "$T/got" 2> "$T/sysdig.err" &
			s_pid=$!
			sleep 1
			"$prod" -n "$pairs" -w 60 $popt > "$T/expected" 2> "$T/producer.err"
			r=$?
			wait $s_pid
			s=$?
		else
			"$prod" -n "$pairs" -w 60 $popt > "$T/expected" 2> "$T/producer.err" &
			p_pid=$!
			timeout 120 sysdig -u -n "$N" -p "$FMT" "$@" > "$T/got" 2> "$T/sysdig.err"
			s=$?
			wait $p_pid
			r=$?
		fi
		echo "$s $r" > "$T/rc"
	' sh "$PRODUCER" "$pairs" "$popt" "$@"
	read -r src prc < "$TMP/rc" || { echo "FAIL: the namespace could not be set up"; exit 1; }
	if [ "$prc" != 0 ]; then
		echo "FAIL: the producer failed:"; cat "$TMP/producer.err"; exit 1
	fi
	if [ "$src" != 0 ]; then
		echo "FAIL: sysdig -u exited with $src:"; cat "$TMP/sysdig.err"; exit 1
	fi
	if ! cmp -s "$TMP/expected" "$TMP/got"; then
		echo "FAIL: sysdig -u $* printed something else than what was written:"
		diff "$TMP/expected" "$TMP/got" | head -20
		exit 1
	fi
	echo "ok: ${SYSDIG_FIRST:+started first, }sysdig -u${*:+ }$* printed the $n events written ($(tail -1 "$TMP/producer.err"))"
}

export FMT SYSDIG_FIRST
export T="$TMP"
SYSDIG_FIRST= run 20 -w60
SYSDIG_FIRST= run 100000 -W -s 30
SYSDIG_FIRST=1 run 50 -w60 -s 50
echo "PASS"
