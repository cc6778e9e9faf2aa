#!/usr/bin/env bash
# bench/tracer: each workload natively, under pdig (pdig-engine consuming,
# Falco's stable rules loaded), under pdig -a, under strace with pdig's
# syscall set and under the reference tracer; attach mode (pdig -p, with and
# without the injected filter, and strace -p) on workloads that wait for a
# file before they start. Modes interleaved round by round (A B C A B C, the
# order rotated each round), ratios to native per round, then median and
# min-max: the machine is shared, so absolute times mean little.
#
# scripts/bench.sh installs what is missing, builds, and runs this; the
# ctest bench.tracer_quick runs it with --tiny. Nothing here asserts a time.
set -uo pipefail

usage() {
	cat <<EOF
usage: $0 --pdig PDIG --engine PDIG-ENGINE --reftrace REFTRACE --workloads WORKLOADS
          --benchrun BENCHRUN --rules RULES.yaml --out DIR [options]
  --rounds N     rounds (default 5; 1 with --quick or --tiny)
  --quick        fewer iterations and smaller trees: a smoke run of a minute or two
  --tiny         the smallest sizes (the ctest smoke test)
  --only REGEX   only the workloads whose name matches (names: --list)
  --list         list the workloads and exit
  --keep-warm MODE  pdig's --keep-warm in the "pdig" runs (default: pdig's own, auto;
                 the "pdig --keep-warm=off" runs stay off)
  --cc-include DIR  include folder for the gcc workload (shm's generated headers;
                 default: beside the pdig binary, ../shm/generated)
Writes DIR/raw.tsv (one line per run), DIR/results.md (the tables, also
printed), DIR/tracer_overhead.png (with gnuplot), DIR/logs/ (failed runs).
EOF
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PDIG='' ENGINE='' REF='' WL='' BR='' RULES='' OUT='' ROUNDS='' SCALE=full ONLY='' CCINC='' LIST=0 KW=auto
while [ $# -gt 0 ]; do
	case $1 in
	--pdig) PDIG=$2; shift ;;
	--engine) ENGINE=$2; shift ;;
	--reftrace) REF=$2; shift ;;
	--workloads) WL=$2; shift ;;
	--benchrun) BR=$2; shift ;;
	--rules) RULES=$2; shift ;;
	--out) OUT=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--quick) SCALE=quick ;;
	--tiny) SCALE=tiny ;;
	--only) ONLY=$2; shift ;;
	--cc-include) CCINC=$2; shift ;;
	--keep-warm) KW=$2; shift ;;
	--list) LIST=1 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

# Workloads, in table order. "attach-*" run in attach mode.
ALL_WL=(openat stat getppid files threads procs spawn alloc find tar gcc sh_true
	sng_fork sng_open attach-openat attach-procs)
declare -A LABEL=(
	[openat]="openat+close loop" [stat]="stat loop (untraced)" [getppid]="getppid loop (untraced)"
	[files]="create files" [threads]="create threads" [procs]="create processes"
	[spawn]="launch programs" [alloc]="allocate memory"
	[find]="find /usr" [tar]="tar cf - /usr/include | cat" [gcc]="gcc -O2 -c (shm/event_format.c)"
	[sh_true]="sh: 500 x /bin/true" [sng_fork]="stress-ng --fork" [sng_open]="stress-ng --open"
	[attach-openat]="attach: openat+close loop" [attach-procs]="attach: create processes")
if [ $LIST = 1 ]; then
	for w in "${ALL_WL[@]}"; do printf '%-14s %s\n' "$w" "${LABEL[$w]}"; done
	exit 0
fi
for v in PDIG ENGINE REF WL BR RULES OUT; do
	[ -n "${!v}" ] || { echo "run.sh: missing option for $v" >&2; usage >&2; exit 2; }
done
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
PDIG=$(abs "$PDIG") ENGINE=$(abs "$ENGINE") REF=$(abs "$REF") WL=$(abs "$WL") BR=$(abs "$BR")
RULES=$(abs "$RULES")
[ -z "$CCINC" ] || CCINC=$(abs "$CCINC")
for b in "$PDIG" "$ENGINE" "$REF" "$WL" "$BR"; do
	[ -x "$b" ] || { echo "run.sh: $b: not an executable (build it first)" >&2; exit 2; }
done
[ -r "$RULES" ] || { echo "run.sh: no rules file $RULES" >&2; exit 2; }
for c in strace stress-ng gcc tar find python3; do
	command -v $c > /dev/null || { echo "run.sh: $c is not installed" >&2; exit 2; }
done
[ -n "$ROUNDS" ] || { [ $SCALE = full ] && ROUNDS=5 || ROUNDS=1; }
[ -n "$CCINC" ] || CCINC=$(cd "$(dirname "$PDIG")/.." && pwd)/shm/generated
# strace traces pdig's default set, from the same file as pdig and reftrace
SET=$(python3 "$HERE/gen_refset.py" "$ROOT/pdig/syscalls.in" list) || exit 2

# Sizes. Self-timed workloads (the workloads program) report time per
# operation, so the -a runs of the untraced loops use fewer operations
# (N_A): every call stops there.
case $SCALE in
full)
	declare -A N=([openat]=40000 [stat]=200000 [getppid]=2000000 [files]=5000 [threads]=1000
		[procs]=500 [spawn]=200 [alloc]=1000000 [sh_true]=500 [sng_fork]=1000 [sng_open]=5000
		[attach-openat]=40000 [attach-procs]=500)
	FIND_DIR=/usr TAR_DIR=/usr/include CC_SRC=$ROOT/shm/event_format.c ;;
quick)
	declare -A N=([openat]=5000 [stat]=20000 [getppid]=100000 [files]=1000 [threads]=200
		[procs]=100 [spawn]=40 [alloc]=40000 [sh_true]=100 [sng_fork]=200 [sng_open]=1000
		[attach-openat]=5000 [attach-procs]=100)
	FIND_DIR=/usr/share TAR_DIR=/usr/include/linux CC_SRC=$ROOT/shm/event_format.c ;;
tiny)
	declare -A N=([openat]=500 [stat]=2000 [getppid]=5000 [files]=50 [threads]=20 [procs]=10
		[spawn]=5 [alloc]=2000 [sh_true]=5 [sng_fork]=20 [sng_open]=50
		[attach-openat]=500 [attach-procs]=10)
	FIND_DIR=/usr/include/linux TAR_DIR=/usr/include/linux/netfilter CC_SRC=$HERE/workloads.c ;;
esac
declare -A N_A=([stat]=$((N[stat] / 20)) [getppid]=$((N[getppid] / 50)))
LABEL[find]="find $FIND_DIR"
LABEL[tar]="tar cf - $TAR_DIR | cat"
LABEL[gcc]="gcc -O2 -c ${CC_SRC#"$ROOT"/}"
LABEL[sh_true]="sh: ${N[sh_true]} x /bin/true"

WLS=()
for w in "${ALL_WL[@]}"; do
	[ -z "$ONLY" ] || [[ $w =~ $ONLY ]] && WLS+=("$w")
done
[ ${#WLS[@]} -gt 0 ] || { echo "run.sh: no workload matches '$ONLY'" >&2; exit 2; }

mkdir -p "$OUT/logs" || exit 2
OUT=$(cd "$OUT" && pwd)
rm -f "$OUT"/logs/*
# Scratch on tmpfs when there is one: "create files" then measures the
# tracer rather than the disk. The engine's socket lives there too.
T=$(mktemp -d "$( [ -w /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/pdig-bench.XXXXXX") || exit 2
SOCK=$T/engine.sock
ENG_BR=
cleanup() {
	# an engine left by an interrupted run: benchrun's child, then benchrun
	if [ -n "$ENG_BR" ]; then
		local e
		for e in $(cat "/proc/$ENG_BR/task/$ENG_BR/children" 2> /dev/null) "$ENG_BR"; do
			kill "$e" 2> /dev/null
		done
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
RAW=$OUT/raw.tsv
printf 'workload\tmode\tround\tops\ttime_ns\twall_ns\tstatus\tpdig_hwm_kb\tengine_rss_kb\tstops\tevents\tpdig_drops\tengine_read\tengine_drops\talerts\tunreadable\n' > "$RAW"

# The command of workload $1 in mode $2: sets CMD, TIMING (self: the
# program's own elapsed_ns; wall: benchrun's) and OPS.
wl_cmd() {
	local w=${1#attach-} mode=$2 n=${N[$1]:-1}
	if [ "$mode" = pdig-a ] && [ -n "${N_A[$w]:-}" ]; then n=${N_A[$w]}; fi
	TIMING=self OPS=$n
	case $w in
	openat | stat | getppid | files | threads | procs | spawn | alloc) CMD=("$WL" "$w" "$n") ;;
	find) TIMING=wall CMD=(find "$FIND_DIR") ;;
	tar) TIMING=wall CMD=(sh -c "tar cf - $TAR_DIR 2> /dev/null | cat > /dev/null") ;;
	gcc) TIMING=wall CMD=(gcc -O2 -c "$CC_SRC" -I"$ROOT/shm" -I"$CCINC" -o "$T/cc.o") ;;
	sh_true) TIMING=wall CMD=(sh -c "i=0; while [ \$i -lt $n ]; do /bin/true; i=\$((i + 1)); done") ;;
	sng_fork) TIMING=wall CMD=(stress-ng --fork 1 --fork-ops "$n" -q --temp-path "$T") ;;
	sng_open) TIMING=wall CMD=(stress-ng --open 1 --open-ops "$n" -q --temp-path "$T") ;;
	esac
}

# pdig-engine with the stable rules on a private ring (a socket), in the
# background, until pdig is gone and the ring is read. Returns once it reads.
engine_start() {
	rm -f "$SOCK" "$T/ready" "$T/eng."*
	mkfifo "$T/ready"
	"$BR" -o "$T/eng.run" -- "$ENGINE" -r "$RULES" --listen "$SOCK" --exit-with-producer \
		--ready-fd 3 3> "$T/ready" > "$T/eng.out" 2> "$T/eng.err" &
	ENG_BR=$!
	local byte=
	read -r -t 60 -n 1 byte < "$T/ready"
	[ -n "$byte" ] || { echo "run.sh: pdig-engine did not start: $(head -c 300 "$T/eng.err")" >&2; return 1; }
}

engine_stop() {
	[ -n "$ENG_BR" ] || return 0
	for _ in $(seq 300); do # 30 s for the engine to read what is left
		kill -0 "$ENG_BR" 2> /dev/null || break
		sleep 0.1
	done
	if kill -0 "$ENG_BR" 2> /dev/null; then
		# pdig never came (or hung): SIGUSR1 tells the engine none will
		local e
		e=$(cat "/proc/$ENG_BR/task/$ENG_BR/children" 2> /dev/null)
		echo "run.sh: pdig-engine still running 30 s after pdig: stopping it" >&2
		[ -n "$e" ] && kill -USR1 "${e%% *}" 2> /dev/null
		sleep 2
		[ -n "$e" ] && kill "${e%% *}" 2> /dev/null
	fi
	wait "$ENG_BR" 2> /dev/null
	ENG_BR=
}

# Waits until pid $1 is traced (and has a seccomp filter when $2 = 2).
wait_traced() {
	local st
	for _ in $(seq 1000); do
		st=$(cat "/proc/$1/status" 2> /dev/null) || return 1
		if ! grep -q '^TracerPid:[[:space:]]*0$' <<< "$st"; then
			[ "$2" != 2 ] || grep -q '^Seccomp:[[:space:]]*2' <<< "$st" && return 0
		fi
		sleep 0.01
	done
	return 1
}

field() { sed -n "s/.*\\b$1=\\([-0-9]*\\).*/\\1/p" "$2" 2> /dev/null | tail -1; }

run_one() {
	local w=$1 mode=$2 round=$3 rc=0 attach=0 tpid='' wpid=''
	[[ $w == attach-* ]] && attach=1
	wl_cmd "$w" "$mode"
	rm -f "$T/out" "$T/err" "$T/run" "$T/eng."* "$T/go"
	case $mode in
	pdig | pdig-cold | pdig-a | pdig-p | pdig-p-plain) engine_start || rc=125 ;;
	esac
	local out=$T/out
	[ $TIMING = wall ] && out=/dev/null
	if [ $rc = 0 ] && [ $attach = 0 ]; then
		case $mode in
		native) "$BR" -o "$T/run" -- "${CMD[@]}" > "$out" 2> "$T/err" ;;
		pdig) "$BR" -o "$T/run" --hwm pdig -- "$PDIG" -v --keep-warm="$KW" --connect "$SOCK" -- "${CMD[@]}" > "$out" 2> "$T/err" ;;
		pdig-cold) "$BR" -o "$T/run" --hwm pdig -- "$PDIG" -v --keep-warm=off --connect "$SOCK" -- "${CMD[@]}" > "$out" 2> "$T/err" ;;
		pdig-a) "$BR" -o "$T/run" --hwm pdig -- "$PDIG" -v -a --connect "$SOCK" -- "${CMD[@]}" > "$out" 2> "$T/err" ;;
		strace) "$BR" -o "$T/run" -- strace -f -qq --seccomp-bpf -o /dev/null -e trace="$SET" -- "${CMD[@]}" > "$out" 2> "$T/err" ;;
		ref) "$BR" -o "$T/run" -- "$REF" -v -- "${CMD[@]}" > "$out" 2> "$T/err" ;;
		esac
		rc=$?
	elif [ $rc = 0 ]; then
		# the workload waits for $T/go; the tracer attaches first
		"${CMD[0]}" --wait "$T/go" "${CMD[@]:1}" > "$T/out" 2> "$T/err.wl" &
		wpid=$!
		case $mode in
		pdig-p) "$BR" -o "$T/run" --hwm pdig -- "$PDIG" -v -p "$wpid" --connect "$SOCK" 2> "$T/err" &
			tpid=$! ; wait_traced $wpid 2 || rc=124 ;;
		pdig-p-plain) "$BR" -o "$T/run" --hwm pdig -- "$PDIG" -v -p "$wpid" --no-inject --connect "$SOCK" 2> "$T/err" &
			tpid=$! ; wait_traced $wpid 0 || rc=124 ;;
		strace-p) "$BR" -o "$T/run" -- strace -f -qq -o /dev/null -e trace="$SET" -p "$wpid" 2> "$T/err" &
			tpid=$! ; wait_traced $wpid 0 || rc=124 ;;
		esac
		touch "$T/go"
		wait $wpid || rc=$?
		if [ -n "$tpid" ]; then
			wait $tpid
			local trc=$?
			[ $rc = 0 ] && rc=$trc
		fi
	fi
	engine_stop
	local t wall status hwm erss stops='' events='' pdrops='' eread='' edrops='' alerts='' unread=''
	wall=$(field wall_ns "$T/run") status=$(field status "$T/run") hwm=$(field hwm_kb "$T/run")
	[ $attach = 1 ] && status=$rc
	if [ $TIMING = self ]; then t=$(field elapsed_ns "$T/out"); else t=$wall; fi
	erss=$(field maxrss_kb "$T/eng.run")
	touch "$T/err" "$T/eng.err"
	case $mode in
	pdig*)
		stops=$(sed -n 's/^pdig: \([0-9]*\) stops, .*/\1/p' "$T/err" | tail -1)
		events=$(sed -n 's/^pdig: [0-9]* stops, \([0-9]*\) events.*/\1/p' "$T/err" | tail -1)
		pdrops=$(sed -n 's/^pdig: .* dropped: \([0-9]*\) (ring full).*/\1/p' "$T/err" | tail -1)
		eread=$(sed -n 's/^pdig-engine: ring: \([0-9]*\) events read.*/\1/p' "$T/eng.err" | tail -1)
		# the slots' ring-full and lossless-timeout drops; unreadable tracee
		# memory (the engine counts it as lost too) is kept apart
		edrops=$(sed -n 's/^pdig-engine: .*: [0-9]* events, dropped \([0-9]*\) (ring full) \([0-9]*\) (wait gave up).*/\1 \2/p' \
			"$T/eng.err" | awk 'NF { s += $1 + $2; n++ } END { if (n) print s }')
		unread=$(sed -n 's/^pdig: .* \([0-9]*\) unreadable values.*/\1/p' "$T/err" | tail -1)
		if [ -z "$edrops" ] && [ -s "$T/eng.err" ]; then
			# no per-producer line: the total, less what was unreadable
			edrops=$(sed -n 's/^pdig-engine: ring: .* \([0-9]*\) dropped by producers.*/\1/p' "$T/eng.err" | tail -1)
			[ -n "$edrops" ] && edrops=$((edrops - ${unread:-0})) && [ "$edrops" -lt 0 ] && edrops=0
			cp "$T/eng.err" "$OUT/logs/$w.$mode.$round.engine"
		fi
		alerts=$(sed -n 's/^pdig-engine: [0-9]* events read.* \([0-9]*\) alerts.*/\1/p' "$T/eng.err" | tail -1)
		;;
	ref) stops=$(sed -n 's/^reftrace: \([0-9]*\) waits.*/\1/p' "$T/err" | tail -1) ;;
	esac
	if [ "$rc" != 0 ] || [ -z "$t" ] || [ "${status:-1}" != 0 ]; then
		local log=$OUT/logs/$w.$mode.$round
		{
			echo "== $mode: ${CMD[*]} (rc $rc, wait status ${status:-?})"
			echo "== stderr"; cat "$T/err" "$T/err.wl" 2> /dev/null
			echo "== engine stderr"; cat "$T/eng.err" 2> /dev/null
		} > "$log"
		echo "run.sh: $w under $mode failed (rc $rc): see $log" >&2
		t=
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$mode" \
		"$round" "$OPS" "$t" "$wall" "${status:-$rc}" "$hwm" "$erss" "$stops" "$events" \
		"$pdrops" "$eread" "$edrops" "$alerts" "$unread" >> "$RAW"
}

cd "$T" || exit 2
MODES=(native pdig pdig-cold pdig-a strace ref)
AMODES=(native pdig-p pdig-p-plain strace-p)
START=$(date +%s)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
for w in "${WLS[@]}"; do
	if [[ $w == attach-* ]]; then modes=("${AMODES[@]}"); else modes=("${MODES[@]}"); fi
	printf 'run.sh: %-14s' "$w" >&2
	for r in $(seq "$ROUNDS"); do
		# the order rotates, so no mode always runs first or after another
		for k in $(seq 0 $((${#modes[@]} - 1))); do
			run_one "$w" "${modes[$(((k + r - 1) % ${#modes[@]}))]}" "$r"
		done
		printf ' %d' "$r" >&2
	done
	printf ' (%ds)\n' $(($(date +%s) - START)) >&2
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

cmdline="bench/tracer/run.sh"
[ $SCALE != full ] && cmdline="$cmdline --$SCALE"
[ -n "$ONLY" ] && cmdline="$cmdline --only '$ONLY'"
cmdline="$cmdline --rounds $ROUNDS"
[ "$KW" != auto ] && cmdline="$cmdline --keep-warm $KW"
{
	echo "scale=$SCALE"
	echo "rounds=$ROUNDS"
	echo "command=${BENCH_COMMAND:-$cmdline}"
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "duration_s=$(($(date +%s) - START))"
	echo "nproc=$(nproc)"
	echo "kernel=$(uname -r)"
	echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	echo "load=$LOAD0 -> $LOAD1"
	echo "pdig=$(git -C "$ROOT" describe --always --dirty 2> /dev/null || echo unknown)"
	echo "strace=$(strace -V | head -1)"
	echo "syscalls=$(tr ',' '\n' <<< "$SET" | wc -l)"
	for w in "${WLS[@]}"; do echo "label.$w=${LABEL[$w]}"; done
	for w in "${WLS[@]}"; do echo "n.$w=${N[$w]:-}"; done
	for w in "${WLS[@]}"; do wl_cmd "$w" native; echo "timing.$w=$TIMING"; done
} > "$OUT/meta.txt"

python3 "$HERE/report.py" "$OUT" > "$OUT/results.md" || exit 1
if command -v gnuplot > /dev/null; then
	gnuplot "$OUT/plot.gp" 2> "$OUT/logs/gnuplot.err" || echo "run.sh: gnuplot failed: $OUT/logs/gnuplot.err" >&2
else
	echo "run.sh: gnuplot is not installed: no plot (apt-get install gnuplot-nox)" >&2
fi
cat "$OUT/results.md"
