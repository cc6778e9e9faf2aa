#!/bin/sh
# --keep-warm (pdig/keepwarm.h): the CPUs are kept awake while stops come
# and let go once they stop; never spinning on one CPU or under a CPU quota.
# The tracer's own spin before it sleeps in waitpid (pdig/waitspin.h): on
# while the CPUs are kept awake and on one CPU, off with --keep-warm=off,
# under a CPU quota, and where several CPUs are left to halt; adaptive (a
# program busy between its calls has the tracer spin in vain a few times,
# not at every call).
#   qos:  /dev/cpu_dma_latency reads 0 during a burst of stops, and its old
#         value once the program only sleeps, and after pdig
#   spin: an idle-priority (SCHED_IDLE) thread per CPU, using CPU time during
#         the burst and none while the program sleeps, paused while forks come
PDIG=$1 P=$2
. "$(dirname "$0")/../lib/probe.sh"
PD_KPROBE=$P/kprobe
pd_need trace
fail=0
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
pid=

ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }

# a traced program: stops for about a second, then 2 s of nothing
busy_then_quiet() {
	echo "$P/openat_loop 1000000000 & l=\$!; sleep 1; kill \$l; echo loop-done > $tmp/mark; sleep 2"
}

# the value of the CPU latency target (an int32 in host byte order)
latency() { od -An -t d4 -N4 /dev/cpu_dma_latency | tr -d ' '; }

out=$("$PDIG" --keep-warm=warmest -- true 2>&1); st=$?
if [ $st = 2 ] && echo "$out" | grep -q "keep-warm: 'warmest' is none of auto, off, qos, spin"; then
	ok "a bad --keep-warm value: exit 2 and what the values are"
else bad "--keep-warm=warmest: exit $st: $out"; fi

out=$("$PDIG" -v --keep-warm=off --raw /dev/null -- true 2>&1)
echo "$out" | grep -q "keep-warm: off (--keep-warm=off)" && ! echo "$out" | grep -q "keep-warm (" &&
	ok "--keep-warm=off: said with -v, no threads" || bad "--keep-warm=off: $out"
echo "$out" | grep -q "wait spin: off (--keep-warm=off)" && ! echo "$out" | grep -q "wait spin (" &&
	ok "--keep-warm=off: no wait spin either, said with -v" || bad "--keep-warm=off, wait spin: $out"

# ---- the tracer's wait spin ----
# $1 pairs with $2 us of work after each: "HITS WAITS MISSES" from -v
spin_counts() {
	"$PDIG" -v --raw /dev/null -- "$P/openat_loop" "$1" "$2" 2>&1 |
		sed -n 's/^pdig: wait spin (20 us): \([0-9]*\) of \([0-9]*\) waits ended in it, \([0-9]*\) spins found nothing.*/\1 \2 \3/p'
}
set -- $(spin_counts 2000 0)
# (a wait only where no stop was due at once: their number varies)
[ "${1:-0}" -ge 100 ] && [ $(($1 * 2)) -ge "$2" ] &&
	ok "wait spin: $1 of $2 waits of a tight loop of 2000 opens ended in the spin" ||
	bad "wait spin: a tight loop: '$*' (hits waits misses), want half the waits and 100 or more"
# 200 us of work after each close: without the adaptation one spin in vain per pair
set -- $(spin_counts 2000 200)
[ -n "$3" ] && [ "$3" -lt 200 ] && [ "$1" -ge 1000 ] &&
	ok "wait spin: $3 spins in vain for 2000 pairs 200 us apart (the open's exit and the close still spun for: $1)" ||
	bad "wait spin: pairs 200 us apart: '$*' (hits waits misses), want under 200 misses and 1000 hits"

# ---- qos ----
qos=0
if [ "$(cat /sys/devices/system/cpu/cpu0/cpuidle/state0/name 2>/dev/null)" = POLL ] &&
	[ -w /dev/cpu_dma_latency ] && before=$(latency) && [ -n "$before" ]; then qos=1; fi
if [ $qos = 1 ] && [ "$before" = 0 ]; then
	echo "skip: qos: something else holds a 0 us latency request: nothing to see"; qos=0
fi
if [ $qos = 1 ]; then
	rm -f "$tmp/mark"
	"$PDIG" -v --keep-warm=qos --raw /dev/null -- sh -c "$(busy_then_quiet)" 2> "$tmp/err.qos" &
	pid=$!
	seen0=0
	while [ ! -e "$tmp/mark" ]; do [ "$(latency)" = 0 ] && seen0=1; sleep 0.05; done
	sleep 0.5 # the hold is 20 ms
	quiet=$(latency)
	wait $pid; pid=
	after=$(latency)
	[ $seen0 = 1 ] && ok "qos: a 0 us request while stops come" ||
		bad "qos: /dev/cpu_dma_latency never read 0 during the loop (was $before)"
	[ "$quiet" = "$before" ] && ok "qos: the request gone while the program sleeps" ||
		bad "qos: while quiet the target is $quiet, before it was $before"
	[ "$after" = "$before" ] && ok "qos: nothing held after pdig" || bad "qos: after pdig $after, before $before"
	grep -q "keep-warm: qos" "$tmp/err.qos" && grep -Eq "keep-warm \(qos\): [1-9][0-9]* bursts" "$tmp/err.qos" &&
		ok "qos: reported by -v" || { bad "qos: -v said:"; cat "$tmp/err.qos"; }
	if pd_have cpu2; then
		out=$("$PDIG" -v --raw /dev/null -- true 2>&1)
		echo "$out" | grep -q "keep-warm: qos" && ok "qos: what auto chooses on two CPUs" ||
			bad "auto on two CPUs where qos works: $(echo "$out" | grep keep-warm)"
	fi
else
	[ $qos = 1 ] || echo "skip: qos: no polling idle state (cpuidle state0 POLL) or /dev/cpu_dma_latency not writable here: only the spin mode is checked"
fi

# ---- qos asked for by name where it cannot be: said without -v, the program runs ----
if pd_have mountns; then
	out=$(unshare -m sh -c "mount -t tmpfs none /sys/devices/system/cpu/cpu0/cpuidle 2>/dev/null; \"$PDIG\" --keep-warm=qos --raw /dev/null -- sh -c 'echo ran'" 2>"$tmp/err.noqos"); st=$?
	[ $st = 0 ] && [ "$out" = ran ] && grep -q "^pdig: --keep-warm=qos: off (no polling idle state" "$tmp/err.noqos" &&
		[ "$(wc -l < "$tmp/err.noqos")" = 1 ] &&
		ok "--keep-warm=qos where it cannot be: one line on stderr, the program ran" ||
		bad "--keep-warm=qos without a polling state: exit $st, out '$out': $(cat "$tmp/err.noqos")"
	out=$(unshare -m sh -c "mount -t tmpfs none /sys/devices/system/cpu/cpu0/cpuidle 2>/dev/null; \"$PDIG\" --raw /dev/null -- true" 2>&1)
	echo "$out" | grep -q "keep-warm" && bad "auto said something without -v: $out" ||
		ok "auto says nothing without -v"
	if pd_have cpu2; then
		# CPUs left to halt: a busy tracer would send its tracees to halted ones
		out=$(unshare -m sh -c "mount -t tmpfs none /sys/devices/system/cpu/cpu0/cpuidle 2>/dev/null; \"$PDIG\" -v --keep-warm=qos --raw /dev/null -- true" 2>&1)
		echo "$out" | grep -q "wait spin: off (the CPUs are not kept awake" &&
			ok "wait spin off where the CPUs are left to halt (--keep-warm=qos refused)" ||
			bad "wait spin with halting CPUs: $(echo "$out" | grep 'wait spin')"
	fi
else
	pd_skip "qos refused" "only the message for an impossible --keep-warm=qos goes unchecked"
fi

# ---- spin ----
# threads of pdig's tracer with policy SCHED_IDLE (5), as "TID TICKS" lines
spinners() {
	for t in /proc/[0-9]*/task/[0-9]*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = pdig ] || continue
		grep -Eq '^policy +: +5$' "$t/sched" 2>/dev/null || continue
		# utime + stime: fields 14 and 15 after the ")"
		echo "${t##*/} $(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}')"
	done
}
if ! pd_have cpu2; then
	pd_skip "spin" "spinning is for machines with two CPUs or more; pdig then keeps nothing awake (checked below)"
else
	rm -f "$tmp/mark"
	"$PDIG" -v --keep-warm=spin --raw /dev/null -- sh -c "$(busy_then_quiet)" 2> "$tmp/err.spin" &
	pid=$!
	sleep 0.5
	during=$(spinners)
	while [ ! -e "$tmp/mark" ]; do sleep 0.05; done
	sleep 0.3
	q1=$(spinners); sleep 0.6; q2=$(spinners)
	wait $pid; pid=
	n=$(printf '%s\n' "$during" | grep -c .)
	[ "$n" -ge 2 ] && ok "spin: $n idle-priority threads during the loop" ||
		bad "spin: $n SCHED_IDLE threads of pdig during the loop, want one per CPU: $during"
	[ -n "$q1" ] && [ "$q1" = "$q2" ] && ok "spin: no CPU time spent while the program sleeps" ||
		bad "spin: the spinners' ticks moved while quiet: '$q1' then '$q2'"
	grep -Eq "keep-warm \(spin, [0-9]+ CPUs\): [1-9][0-9]* bursts" "$tmp/err.spin" &&
		ok "spin: reported by -v" || { bad "spin: -v said:"; cat "$tmp/err.spin"; }
	grep -q "wait spin: up to 20 us before sleeping, yielding the CPU, while the spin threads run" "$tmp/err.spin" &&
		ok "spin: the wait spin with it, while the spin threads run" ||
		bad "spin: the wait spin: $(grep 'wait spin' "$tmp/err.spin")"
	# spinning slows forks down: it pauses while new tasks come
	out=$("$PDIG" -v --keep-warm=spin --raw /dev/null -- "$P/fork_storm" 2>&1 | grep "keep-warm (")
	echo "$out" | grep -Eq "spinning paused 0\.0[1-9][0-9]* s|spinning paused (0\.[1-9]|[1-9])[0-9.]* s" &&
		ok "spin: paused while processes are created ($out)" || bad "spin: no pause for 500 forks: $out"
fi

# ---- never on one CPU ----
one=$(taskset -pc $$ 2>/dev/null | sed 's/.*: //; s/[,-].*//')
if [ -n "$one" ] && taskset -c "$one" true 2>/dev/null; then
	out=$(taskset -c "$one" "$PDIG" -v --raw /dev/null -- true 2>&1)
	echo "$out" | grep -q "keep-warm: off (one CPU" && ok "auto on one CPU: off, and said" ||
		bad "auto on one CPU: $(echo "$out" | grep keep-warm)"
	# the wait spin yields: the program gets the CPU at once
	echo "$out" | grep -q "wait spin: up to 20 us before sleeping, yielding" &&
		ok "wait spin on one CPU: on (it yields the CPU)" || bad "wait spin on one CPU: $(echo "$out" | grep 'wait spin')"
else
	echo "skip: one CPU: taskset cannot pin here"
fi

# ---- never spinning under a CPU quota (auto) ----
# qos hidden (an empty cpuidle folder) so that auto has to choose spin or off
cg=/sys/fs/cgroup/cpu/pdig-test-$$
v2=
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
	cg=/sys/fs/cgroup/pdig-test-$$ v2=1
	grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || cg=
fi
if ! pd_have mountns || ! pd_have cpu2; then
	pd_skip "CPU quota" "only the choice under a quota goes unchecked"
elif [ -z "$cg" ] || ! mkdir "$cg" 2>/dev/null; then
	echo "skip: CPU quota: cannot make a cgroup with a CPU quota here (not root, or no cpu controller)"
else
	# pdig -v under a quota of $1 CPU-microseconds per 100 ms, qos hidden
	under_quota() {
		if [ -n "$v2" ]; then echo "$1 100000" > "$cg/cpu.max"; else
			echo 100000 > "$cg/cpu.cfs_period_us"; echo "$1" > "$cg/cpu.cfs_quota_us"; fi
		sh -c "echo \$\$ > $cg/cgroup.procs; exec unshare -m sh -c 'mount -t tmpfs none /sys/devices/system/cpu/cpu0/cpuidle 2>/dev/null; exec \"$PDIG\" -v --raw /dev/null -- true'" 2>&1 | grep "keep-warm\|wait spin"
	}
	ncpu=$(nproc)
	out=$(under_quota 50000)
	echo "$out" | grep -q "keep-warm: off (a CPU quota applies: .*\(cfs_quota_us\|cpu.max\) is 50000.*: 0.50 of $ncpu CPUs" &&
		ok "auto under a quota of half a CPU: off, and which quota is said" ||
		bad "auto under a quota of half a CPU: $out"
	echo "$out" | grep -q "wait spin: off (a CPU quota applies: .*: 0.50 of $ncpu CPUs" &&
		ok "wait spin under a quota of half a CPU: off, and said" ||
		bad "wait spin under a quota of half a CPU: $out"
	out=$(under_quota $((ncpu * 100000)))
	echo "$out" | grep -q "keep-warm: spin" &&
		ok "auto under a quota of all $ncpu CPUs: spin (nothing can be throttled for it)" ||
		bad "auto under a quota of all CPUs: $out"
	rmdir "$cg" 2>/dev/null
fi
exit $fail
