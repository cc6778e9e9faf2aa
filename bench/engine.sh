#!/bin/bash
# bench/engine: how fast pdig-engine replays a large capture, against
# Debian's sysdig 0.29.3 on the same file and filter in the same run, and
# with Falco's whole stable rule set loaded (issues 5 and 6).
#
#   engine.sh [OPTIONS] [BUILD_DIR]
#
# The capture: a workload of real programs (a shell loop of coreutils, tar,
# gzip, sed..., and python with TCP/UDP over loopback, threads and file
# reads) recorded once with `pdig -w`, then replayed by engine_mult as many
# times as it takes to reach --events, each copy with its own thread ids and
# several copies overlapping in time. Without a working pdig (no ptrace) the
# seed is gen_capture's synthetic `big` scenario instead (said in the output).
# Both are kept in --cache and reused while their inputs are unchanged.
#
# Each round runs, one after the other and pinned to CPU 0 (taskset -c 0):
#   sysdig -r FILE -p FORMAT FILTER > /dev/null
#   pdig-engine -e FILE -p FORMAT FILTER > /dev/null
#   the same two with a selective FILTER (a few percent of events printed)
#   pdig-engine -r falco_rules.yaml -e FILE > /dev/null
# FILTER tests proc.name, fd.name and evt.type.
# Rates are events / CPU time (user + sys) of the process, which other jobs on
# the machine disturb less than wall time; the ratios are medians of the
# per-round ratios. The outputs of sysdig and pdig-engine are compared once
# per filter, in full: any difference fails the run. No time is asserted.
# The last line sums up, e.g.
#   engine: 2.51x sysdig (filter), 2.32x (selective filter), rules: 2649705
#   events/s (0.83x of filter; 228 alerts, falco_rules.yaml)
#
# Options:
#   --quick            a small capture and one round (the ctest variant)
#   --events N         events in the large capture (default 3000000)
#   --rounds R         rounds (default 5)
#   --cache DIR        where captures are kept (default BUILD_DIR/bench)
#   --engine, --pdig, --mult, --gen PATH   the binaries (default: in BUILD_DIR)
#   --rules FILE       the rules (default ../shared/falco-rules/falco_rules.yaml
#                      next to the source tree; that part is skipped if absent)
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
events=3000000 rounds=5 quick=0
build= cache= engine= pdig= mult= gen= rules=
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1; events=300000; rounds=1 ;;
	--events) events=$2; shift ;;
	--rounds) rounds=$2; shift ;;
	--cache) cache=$2; shift ;;
	--engine) engine=$2; shift ;;
	--pdig) pdig=$2; shift ;;
	--mult) mult=$2; shift ;;
	--gen) gen=$2; shift ;;
	--rules) rules=$2; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "engine.sh: unknown option $1 (see engine.sh --help)" >&2; exit 2 ;;
	*) build=$1 ;;
	esac
	shift
done
case "$events$rounds" in
*[!0-9]*) echo "engine.sh: --events and --rounds want whole numbers" >&2; exit 2 ;;
esac
[ "$rounds" -ge 1 ] && [ "$events" -ge 1 ] || {
	echo "engine.sh: --events and --rounds must be at least 1" >&2; exit 2; }
first() { for f in "$@"; do [ -x "$f" ] && { echo "$f"; return; }; done; echo "$1"; }
if [ -n "$build" ]; then
	: "${engine:=$(first "$build/bin/pdig-engine" "$build/pdig-engine")}"
	: "${pdig:=$(first "$build/bin/pdig" "$build/pdig/pdig")}"
	: "${mult:=$(first "$build/bin/engine_mult" "$build/bench/engine_mult")}"
	: "${gen:=$(first "$build/bin/gen_capture" "$build/test/engine/gen_capture")}"
	: "${cache:=$build/bench}"
fi
: "${rules:=$src/../shared/falco-rules/falco_rules.yaml}"
for b in engine mult gen; do
	if [ -z "${!b}" ] || [ ! -x "${!b}" ]; then
		echo "engine.sh: no $b binary at '${!b}': build first (cmake --build BUILD_DIR)" \
		     "and give BUILD_DIR, or --$b PATH" >&2
		exit 2
	fi
done
if [ -z "$cache" ]; then
	echo "engine.sh: give BUILD_DIR or --cache DIR (where the captures are kept)" >&2
	exit 2
fi
# sysdig 0.29.3 (Debian 12's): the outputs are compared line for line
. "$here/../test/lib/probe.sh"
pd_need sysdig
mkdir -p "$cache" || exit 1
engine=$(readlink -f "$engine") mult=$(readlink -f "$mult") gen=$(readlink -f "$gen")
[ -n "$pdig" ] && [ -x "$pdig" ] && pdig=$(readlink -f "$pdig") || pdig=
export TZ=UTC LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pin=(taskset -c 0)
if ! taskset -c 0 true 2>/dev/null; then
	echo "note: taskset -c 0 does not work here; the runs are not pinned"
	pin=()
fi

# ---- the seed: real programs recorded by pdig ----
# Changing this text re-records the seed (its checksum names the file).
workload='
i=0
while [ $i -lt 40 ]; do
	i=$((i + 1))
	cat /etc/passwd | grep -c root > count.txt
	ls -la /usr/bin > listing.txt
	sort -r listing.txt | uniq | wc -l > /dev/null
	head -n 20 /etc/services | sed -e s/tcp/TCP/ > services.txt
	mkdir -p dir$i && echo "data $i" > dir$i/f && cp dir$i/f dir$i/g && rm -rf dir$i
	find /etc -maxdepth 1 -name "*.conf" > found.txt 2>/dev/null
	tar cf a.tar count.txt listing.txt services.txt && tar tf a.tar > /dev/null
	gzip -c listing.txt > l.gz && gzip -dc l.gz | tail -n 3 > /dev/null
	date > stamp; id > /dev/null; cat /etc/hostname /etc/os-release > /dev/null
	if [ $((i % 10)) = 0 ]; then
		# now and then what stable rules alert on (harmless here)
		find . -name id_rsa > /dev/null
		ln -s /etc/shadow shadow_link && rm shadow_link
		grep -r aws_secret_access_key . > /dev/null
	fi
done
python3 - <<"EOF"
import os, socket, subprocess, threading
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(16)
port = srv.getsockname()[1]
def serve(n):
    for _ in range(n):
        c, _ = srv.accept()
        while True:
            d = c.recv(512)
            if not d:
                break
            c.sendall(d)
        c.close()
# The server is another process: threads sharing an fd table race between
# close and the next open, which pdig-engine and sysdig resolve differently
# (see README), and the comparison must not depend on the scheduler.
child = os.fork()
if child == 0:
    serve(40)
    os._exit(0)
srv.close()
for i in range(40):
    s = socket.create_connection(("127.0.0.1", port))
    for j in range(20):
        s.sendall(b"request %d %d" % (i, j))
        s.recv(512)
    s.close()
os.waitpid(child, 0)
# connected UDP, as the glibc resolver does (see README: unconnected sendto)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v.bind(("127.0.0.1", 0))
u.connect(v.getsockname())
v.connect(u.getsockname())
for i in range(300):
    v.send(b"datagram %d" % i)
    u.recv(64)
def reader(top):
    for root, dirs, files in os.walk(top):
        for f in files:
            try:
                with open(os.path.join(root, f), "rb") as fh:
                    fh.read(4096)
            except OSError:
                pass
# (not /etc/ssl/certs: see README, non-ASCII names)
tops = ("/etc/default", "/etc/apt", "/usr/lib/python3.11/json", "/usr/lib/python3.11/email")
# threads, one at a time for the same reason
for d in tops:
    th = threading.Thread(target=reader, args=(d,))
    th.start()
    th.join()
for i in range(5):
    subprocess.run(["ls", "-l", "/tmp"], stdout=subprocess.DEVNULL)
EOF
'
sum=$(printf '%s' "$workload" | cksum | cut -d' ' -f1)
seed=$cache/engine_seed_$sum.scap
kind=real
if [ ! -s "$seed" ]; then
	ok=0
	if [ -n "$pdig" ]; then
		mkdir -p "$tmp/work"
		# a small, fixed environment keeps the execve events like a service's
		if (cd "$tmp/work" && env -i PATH=/usr/bin:/bin HOME=/tmp LANG=C.UTF-8 \
			timeout 300 "$pdig" -q --io -w "$tmp/seed.scap" -- sh -c "$workload") \
			>"$tmp/pdig.out" 2>&1; then
			# seeds of older workloads go
			rm -f "$cache"/engine_seed_[0-9]*.scap "$cache"/engine_big_real_*
			mv "$tmp/seed.scap" "$seed" && ok=1
		else
			echo "note: pdig could not record the workload: $(head -c 300 "$tmp/pdig.out")"
		fi
	else
		echo "note: pdig is not built"
	fi
	if [ "$ok" = 0 ]; then
		kind=synthetic
		seed=$cache/engine_seed_synthetic.scap
		echo "note: using gen_capture's synthetic 'big' scenario as the seed instead"
		[ -s "$seed" ] || "$gen" big2000 "$seed" || {
			echo "FAIL: gen_capture big2000"; rm -f "$seed"; exit 1; }
	fi
fi

# ---- the large capture ----
big=$cache/engine_big_${kind}_$events.scap
if [ ! -s "$big" ] || [ ! -s "$big.count" ] || [ "$seed" -nt "$big" ] || [ "$mult" -nt "$big" ]; then
	# built aside and renamed, so that a concurrent run never reads half a file
	if ! "$mult" -e "$events" -j 4 "$seed" "$big.$$" >"$tmp/mult.out"; then
		echo "FAIL: engine_mult could not build $big"
		rm -f "$big.$$"
		exit 1
	fi
	sed -n 's/.*: \([0-9]*\) events .*/\1/p' "$tmp/mult.out" >"$big.count.$$"
	mv "$big.count.$$" "$big.count" && mv "$big.$$" "$big" || exit 1
fi
n=$(cat "$big.count")
case "$n" in ''|*[!0-9]*) echo "FAIL: no event count for $big"; exit 1 ;; esac
echo "capture: $big ($kind seed, $n events, $(($(stat -c %s "$big") / 1048576)) MiB)"

# ---- the filters: proc.name, fd.name and evt.type ----
# "filter" prints about a quarter of the events (output formatting weighs);
# "selective" a few percent, as an alerting filter would.
format='%evt.num %evt.time %proc.name (%thread.tid) %evt.dir %evt.type %fd.name'
filter='evt.type in (open, openat, read, write, connect, accept, sendto, recvfrom, execve)
  and (proc.name in (cat, grep, tar, gzip, python3, sh) or fd.name contains /etc/
       or fd.name startswith /usr/lib or fd.name contains 127.0.0.1)
  and not fd.name endswith .mo'
selective='evt.type in (open, openat, connect, execve) and evt.dir = <
  and (proc.name in (python3, tar, sh) or fd.name startswith /etc/)
  and not fd.name endswith .mo'

# Once each, in full: the engine must print exactly what sysdig prints.
for f in filter selective; do
	sysdig -r "$big" -p "$format" "${!f}" >"$tmp/sysdig.out" 2>"$tmp/sysdig.err" || {
		echo "FAIL: sysdig failed: $(head -c 500 "$tmp/sysdig.err")"; exit 1; }
	"$engine" -e "$big" -p "$format" "${!f}" >"$tmp/engine.out" 2>"$tmp/engine.err" || {
		echo "FAIL: pdig-engine failed: $(head -c 500 "$tmp/engine.err")"; exit 1; }
	if ! cmp -s "$tmp/sysdig.out" "$tmp/engine.out"; then
		echo "FAIL: $f: pdig-engine's output differs from sysdig's (< sysdig, > pdig-engine):"
		diff "$tmp/sysdig.out" "$tmp/engine.out" | head -20
		exit 1
	fi
	matched=$(wc -l <"$tmp/sysdig.out")
	if [ "$matched" -eq 0 ]; then
		echo "FAIL: $f selected nothing: the comparison proves nothing"
		exit 1
	fi
	echo "$f: outputs identical, $matched lines of $n events"
done
rm -f "$tmp/sysdig.out" "$tmp/engine.out"

have_rules=1
if [ ! -f "$rules" ]; then
	echo "note: no rules at $rules: the rule-set part is skipped"
	have_rules=0
fi

# CPU seconds (user + sys) into cpu, wall seconds into wall; stdout discarded.
TIMEFORMAT='%U %S %R'
measure() { # name, command...
	local name=$1 rc
	shift
	{ time "${pin[@]}" "$@" >/dev/null 2>"$tmp/$name.err"; } 2>"$tmp/time"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: $name exited with $rc: $(head -c 500 "$tmp/$name.err")"
		exit 1
	fi
	read -r u sy wall <"$tmp/time"
	cpu=$(awk -v u="$u" -v s="$sy" 'BEGIN { printf "%.3f", u + s }')
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
rate() { awk -v n="$n" -v t="$1" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > 0 ? a / b : 0) }'; }

# sysdig and the engine alternate, so that a slow spell of the machine
# falls on both; the ratios are per round.
for r in $(seq "$rounds"); do
	measure sysdig sysdig -r "$big" -p "$format" "$filter"; s=$cpu sw=$wall
	measure engine "$engine" -e "$big" -p "$format" "$filter"; e=$cpu ew=$wall
	measure sysdig_sel sysdig -r "$big" -p "$format" "$selective"; ss=$cpu
	measure engine_sel "$engine" -e "$big" -p "$format" "$selective"; es=$cpu
	echo "$s" >>"$tmp/sd"; echo "$e" >>"$tmp/en"
	div "$s" "$e" >>"$tmp/ratio"; div "$sw" "$ew" >>"$tmp/wratio"; div "$ss" "$es" >>"$tmp/sratio"
	line="round $r: filter: sysdig $(rate "$s") ev/s, pdig-engine $(rate "$e") ev/s;"
	line="$line selective: sysdig $(rate "$ss") ev/s, pdig-engine $(rate "$es") ev/s"
	if [ "$have_rules" = 1 ]; then
		measure rules "$engine" -r "$rules" -e "$big"; u=$cpu
		# the summary says how many events the rules saw: all of them
		read_n=$(sed -n 's/.*: \([0-9]*\) events read.*/\1/p' "$tmp/rules.err" | tail -1)
		if [ "$read_n" != "$n" ]; then
			echo "FAIL: the rules run read '${read_n}' events, the capture has $n:"
			tail -3 "$tmp/rules.err"
			exit 1
		fi
		echo "$u" >>"$tmp/ru"
		div "$e" "$u" >>"$tmp/rratio"
		line="$line; rules $(rate "$u") ev/s"
	fi
	echo "$line"
done

ratio=$(median <"$tmp/ratio")
printf 'median over %d rounds (CPU time): filter: sysdig %s ev/s, pdig-engine %s ev/s (wall-time ratio %.2fx); selective: %.2fx\n' \
	"$rounds" "$(rate "$(median <"$tmp/sd")")" "$(rate "$(median <"$tmp/en")")" \
	"$(median <"$tmp/wratio")" "$(median <"$tmp/sratio")"
summary=$(printf 'engine: %.2fx sysdig (filter), %.2fx (selective filter)' "$ratio" \
	"$(median <"$tmp/sratio")")
if [ "$have_rules" = 1 ]; then
	alerts=$(sed -n 's/.*, \([0-9]*\) alerts.*/\1/p' "$tmp/rules.err" | tail -1)
	summary=$(printf '%s, rules: %s events/s (%.2fx of filter; %s alerts, %s)' "$summary" \
		"$(rate "$(median <"$tmp/ru")")" "$(median <"$tmp/rratio")" "${alerts:-?}" \
		"$(basename "$rules")")
else
	summary="$summary, rules: skipped (no $rules)"
fi
echo "$summary"
exit 0
