#!/bin/sh
# pdig-engine as a service beside traced programs (pdig --connect): its
#  webserver (/healthz, /metrics, /versions);
#  SIGUSR1 reopens the file output (log rotation); a program output that
#  ends is started again; SIGHUP reloads configuration and rules with the
#  state kept (a process seen before the reload is still known), a broken
#  reload keeps the old ones; SIGTERM reads what is in the ring, flushes
#  and exits 0; the socket and
#  the ring the engine made are removed at exit, and a stale one left by a
#  killed engine is taken over at the next start.
# usage: live_service.sh PDIG PDIG-ENGINE
PDIG=$1 ENGINE=$2
[ -x "$PDIG" ] || { echo "FAIL: no pdig at '$PDIG' (it is built with pdig-engine)"; exit 1; }
. "$(dirname "$0")/../lib/probe.sh"
pd_need trace
T=$(mktemp -d) || exit 1
eng=
ring=/pdig-svc-$$
trap '[ -n "$eng" ] && kill $eng 2>/dev/null; rm -f "/dev/shm$ring"; rm -rf "$T"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
# wait_until SECONDS COMMAND...: polls every 0.1 s
wait_until() {
	_w=$(($1 * 10)); shift
	while [ $_w -gt 0 ]; do "$@" && return 0; sleep 0.1; _w=$((_w - 1)); done
	return 1
}
lines() { [ -f "$1" ] && wc -l <"$1" || echo 0; }
has_lines() { [ "$(lines "$1")" -ge "$2" ]; }

echo secret >"$T/secret.txt"
rules() {
	cat >"$T/r.yaml" <<Y
- rule: secret read $1
  desc: the test's file
  condition: evt.type in (open, openat) and fd.name = $T/secret.txt
  output: $1 read %fd.name by %proc.name parent %proc.pname
  priority: WARNING
Y
}
rules v1
cat >"$T/c.yaml" <<Y
rules_files: [$T/r.yaml]
stdout_output:
  enabled: false
file_output:
  enabled: true
  keep_alive: true
  filename: $T/alerts.log
program_output:
  enabled: true
  keep_alive: true
  program: read l; echo "\$\$ \$l" >> $T/prog.txt
webserver:
  enabled: true
  listen_address: 127.0.0.1
  listen_port: 0
Y
# start NAME [OPTIONS]: the engine, ready when it returns
start() {
	n=$1; shift
	"$ENGINE" -c "$T/c.yaml" --ready-fd 3 "$@" 3>"$T/$n.ready" >"$T/$n.out" 2>"$T/$n.err" &
	eng=$!
	wait_until 20 test -s "$T/$n.ready" || { bad "$n: the engine never said it was ready: $(cat "$T/$n.err")"; return 1; }
}
read_secret() { "$PDIG" -q --connect "$T/e.sock" -- "$@" >/dev/null || bad "pdig --connect failed"; }

start svc --listen "$T/e.sock" || exit 1
read_secret cat "$T/secret.txt"
wait_until 20 has_lines "$T/alerts.log" 1 && grep -q "v1 read $T/secret.txt by cat" "$T/alerts.log" &&
	ok "the file output has the alert" || bad "no alert in the file: $(cat "$T/svc.err")"

# the webserver: /healthz, and /metrics with the events, the rule's match,
# the outputs and the producer (its region, or once let go, "released";
# published each second)
port=$(sed -n 's/^pdig-engine: webserver on 127.0.0.1 port \([0-9]*\) .*/\1/p' "$T/svc.err")
get() { python3 -c 'import sys, urllib.request as u; r = u.urlopen(sys.argv[1], timeout=5); sys.stdout.write(r.read().decode())' "http://127.0.0.1:$port$1"; }
metric() { get /metrics | sed -n "s/^$1 \([0-9]*\)$/\1/p"; }
matched() { [ "$(metric 'pdig_engine_rule_matches_total{rule="secret read v1",priority="Warning"}')" = 1 ]; }
if [ -z "$port" ]; then
	bad "the webserver did not say where it listens: $(cat "$T/svc.err")"
elif [ "$(get /healthz)" = '{"status": "ok"}' ] && wait_until 10 matched &&
	[ "$(metric pdig_engine_events_total)" -gt 0 ] && [ "$(metric 'pdig_engine_output_sent_total{output="file"}')" = 1 ] &&
	get /metrics | grep -q '^pdig_engine_producer_events_total{ring="\(socket\|gone\)".*} [1-9]' &&
	get /versions | grep -q '"pdig_engine_version"'; then
	ok "webserver: /healthz ok, /metrics has the events, the match, the output, the gone producer"
else
	bad "webserver: $(get /healthz) $(get /metrics | grep -v '^#' | head -20)"
fi

# producer counters never go down: a producer traced while /metrics is read
# every 0.1 s, through its end and the release of its ring (about a second
# after); each series and their sum only grow, and its counts end in "gone"
if [ -n "$port" ]; then
	python3 - "http://127.0.0.1:$port/metrics" >"$T/mono.txt" 2>&1 <<'P' &
import re, sys, time, urllib.request as u
last, total = {}, 0
for _ in range(50):
    cur = {}
    for l in u.urlopen(sys.argv[1], timeout=5).read().decode().splitlines():
        m = re.match(r'^(pdig_engine_producer_events_total\{.*\}) (\d+)$', l)
        if m:
            cur[m.group(1)] = int(m.group(2))
    for k, v in cur.items():
        assert v >= last.get(k, 0), ('down', k, last.get(k), v)
    assert sum(cur.values()) >= total, ('sum down', total, cur)
    last.update(cur)
    total = sum(cur.values())
    time.sleep(0.1)
print('gone', cur.get('pdig_engine_producer_events_total{ring="gone"}', 0),
      'socket', sum(v for k, v in cur.items() if 'socket' in k))
P
	mpid=$!
	sleep 0.3
	read_secret sh -c 'ls / >/dev/null; ls /tmp >/dev/null'
	wait $mpid
	# shellcheck disable=SC2046 # "gone N socket M", split on purpose
	set -- $(cat "$T/mono.txt")
	[ "$1" = gone ] && [ "$2" -gt 0 ] && [ "$4" = 0 ] &&
		ok "/metrics: producer counters only grow, through a producer's end and its ring's release" ||
		bad "producer counters: $(cat "$T/mono.txt")"
fi

# log rotation: the file moved away, SIGUSR1, the next alert in a new file
mv "$T/alerts.log" "$T/alerts.log.1"
kill -USR1 $eng
wait_until 20 has_lines "$T/prog.txt" 1
read_secret cat "$T/secret.txt"
wait_until 20 has_lines "$T/alerts.log" 1 && [ "$(lines "$T/alerts.log.1")" = 1 ] && kill -0 $eng &&
	ok "SIGUSR1: the rotated file kept its alert, the new one has the next" ||
	bad "rotation: $(lines "$T/alerts.log.1") and $(lines "$T/alerts.log") lines"

# the program read one alert and ended: started again for the second
wait_until 20 has_lines "$T/prog.txt" 2
pids=$(cut -d' ' -f1 "$T/prog.txt" | sort -u | wc -l)
[ "$(lines "$T/prog.txt")" = 2 ] && [ "$pids" = 2 ] && ! grep -qv " v1 read $T/secret.txt by cat" "$T/prog.txt" &&
	ok "program output: a program that ended was started again" || bad "program: $(cat "$T/prog.txt")"

# SIGHUP: new rules while a traced shell runs; cat's parent, seen before
# the reload, is still known after it (the state is kept)
rules v2
"$PDIG" -q --connect "$T/e.sock" -- sh -c "sleep 1; cat '$T/secret.txt' >/dev/null" &
p=$!
sleep 0.3
kill -HUP $eng
wait $p
wait_until 20 grep -q "v2 read $T/secret.txt by cat parent sh" "$T/alerts.log" && kill -0 $eng &&
	grep -q "reloaded: 1 rules active" "$T/svc.err" &&
	ok "SIGHUP: the new rules, the state kept, still running" || bad "SIGHUP: $(cat "$T/alerts.log" "$T/svc.err")"
# a reload keeps the counters: the rule of the same name, the alerts, the
# outputs go on where they were (Prometheus counters never go down)
is() { [ "$(metric "$1")" = "$2" ]; }
said() { [ "$(grep -c "$1" "$T/svc.err")" -ge "$2" ]; } # PATTERN N: said N times by now
kill -HUP $eng
wait_until 20 said 'reloaded:' 2 &&
	wait_until 5 is 'pdig_engine_rule_matches_total{rule="secret read v2",priority="Warning"}' 1 &&
	is 'pdig_engine_output_sent_total{output="file"}' 3 && is 'pdig_engine_output_sent_total{output="program"}' 3 &&
	is pdig_engine_alerts_total 3 && [ "$(grep -c 'webserver on' "$T/svc.err")" = 1 ] &&
	ok "SIGHUP: rule, alert and output counters kept, the webserver (same settings) left alone" ||
	bad "counters after a reload: $(get /metrics | grep -e alerts_total -e sent_total -e rule_matches)"
# a reload with other webserver settings restarts it: the new endpoint answers
sed -i 's|^  listen_port: 0$|  listen_port: 0\n  k8s_healthz_endpoint: /health2|' "$T/c.yaml"
kill -HUP $eng
code() { python3 -c 'import sys, urllib.request as u, urllib.error as e
try: print(u.urlopen(sys.argv[1], timeout=5).status)
except e.HTTPError as x: print(x.code)' "http://127.0.0.1:$port$1"; }
if wait_until 20 said 'webserver on' 2; then
	port=$(sed -n 's/^pdig-engine: webserver on 127.0.0.1 port \([0-9]*\) .*/\1/p' "$T/svc.err" | tail -1)
	[ "$(get /health2)" = '{"status": "ok"}' ] && [ "$(code /healthz)" = 404 ] && is pdig_engine_alerts_total 3 &&
		ok "SIGHUP: the webserver restarted with the new k8s_healthz_endpoint, counters kept" ||
		bad "webserver restart: /health2 '$(get /health2)', /healthz $(code /healthz)"
else
	bad "SIGHUP: the webserver did not restart: $(cat "$T/svc.err")"
fi
# a reload that fails keeps what runs
printf -- '- rule: broken\n  condition: evt.type = \n' >"$T/r.yaml"
kill -HUP $eng
wait_until 20 grep -q "reload failed: the previous rules and configuration stay in use" "$T/svc.err" &&
	read_secret cat "$T/secret.txt" &&
	wait_until 20 has_lines "$T/alerts.log" 3 && kill -0 $eng &&
	ok "SIGHUP with broken rules: an error, the previous rules go on" || bad "broken reload: $(cat "$T/svc.err")"

# SIGTERM: exit 0, outputs reported (their counters kept across the
# reloads: the 4 alerts of the run), the socket removed
kill -TERM $eng
wait $eng; rc=$?; eng=
[ $rc = 0 ] && [ ! -e "$T/e.sock" ] && grep -q "output file: 4 alerts sent, 0 attempts failed, 0 alerts lost" "$T/svc.err" &&
	ok "SIGTERM: exit 0, outputs flushed and counted, socket removed" || bad "SIGTERM: exit $rc, $(ls "$T"), $(cat "$T/svc.err")"

# a killed engine leaves its socket; the next one takes it over and removes it
rules v3
start k1 --listen "$T/e.sock" || exit 1
kill -KILL $eng; wait $eng 2>/dev/null; eng=
[ -S "$T/e.sock" ] || bad "a killed engine left no socket (nothing to test)"
start k2 --listen "$T/e.sock" && read_secret cat "$T/secret.txt" && kill -INT $eng && wait $eng && eng= &&
	[ ! -e "$T/e.sock" ] && ok "a stale socket is taken over, removed at SIGINT" || bad "stale socket: $(cat "$T/k2.err")"

# a named ring keeps its producers' counters: /metrics shows them per producer
start web2 --ring="$ring" || exit 1
port=$(sed -n 's/^pdig-engine: webserver on 127.0.0.1 port \([0-9]*\) .*/\1/p' "$T/web2.err")
"$PDIG" -q --ring "$ring" -- cat "$T/secret.txt" >/dev/null || bad "pdig --ring failed"
produced() { get /metrics | grep -q '^pdig_engine_producer_events_total{ring="0",slot="0",pid="[0-9]*"} [1-9]'; }
wait_until 10 produced && get /metrics | grep -q '^pdig_engine_producer_drops_ring_full_total{ring="0",slot="0",pid="[0-9]*"} 0$' &&
	ok "webserver: /metrics has each producer's events and drops" || bad "producer metrics: $(get /metrics | grep producer)"
kill -TERM $eng; wait $eng; eng=

# SIGTERM reads what the producers wrote before it: the engine stopped
# while pdig writes the ring, then SIGTERM and SIGCONT
start drain --ring="$ring" || exit 1
before=$(lines "$T/alerts.log")
kill -STOP $eng
"$PDIG" -q --ring "$ring" -- cat "$T/secret.txt" >/dev/null || bad "pdig --ring failed"
kill -TERM $eng
kill -CONT $eng
wait $eng; rc=$?; eng=
[ $rc = 0 ] && [ "$(lines "$T/alerts.log")" = $((before + 1)) ] && [ ! -e "/dev/shm$ring" ] &&
	ok "SIGTERM: the ring read to its end first, exit 0, the ring removed" ||
	bad "SIGTERM drain: exit $rc, $before then $(lines "$T/alerts.log") alerts: $(cat "$T/drain.err")"

# a killed engine's ring is taken over
start ring --ring="$ring" || exit 1
kill -KILL $eng; wait $eng 2>/dev/null; eng=
start ring2 --ring="$ring" && kill -TERM $eng && wait $eng && eng= && [ ! -e "/dev/shm$ring" ] &&
	ok "a stale ring is taken over, removed at SIGTERM" || bad "ring: $(cat "$T/ring2.err"); $(ls /dev/shm)"

# -U: an alert reaches a pipe reader while the engine runs, even where the
# configuration buffers (buffered_outputs: true); without -U it waits in the
# buffer (the file output, written per alert, says the alert was raised)
unbuf() { # NAME [-U]: sets $eng, $cpid
	rm -f "$T/$1.fifo" "$T/$1.log"; mkfifo "$T/$1.fifo"
	cat "$T/$1.fifo" >"$T/$1.out" &
	cpid=$!
	"$ENGINE" -r "$T/r.yaml" --listen "$T/$1.sock" -o buffered_outputs=true -o file_output.enabled=true \
		-o file_output.filename="$T/$1.log" --ready-fd 3 $2 3>"$T/$1.ready" >"$T/$1.fifo" 2>"$T/$1.err" &
	eng=$!
	wait_until 20 test -s "$T/$1.ready" || { bad "$1: the engine never said it was ready: $(cat "$T/$1.err")"; return 1; }
	"$PDIG" -q --connect "$T/$1.sock" -- cat "$T/secret.txt" >/dev/null || bad "pdig --connect failed"
	wait_until 20 has_lines "$T/$1.log" 1
}
if unbuf u -U; then
	wait_until 20 has_lines "$T/u.out" 1 && kill -0 $eng && grep -q "v3 read $T/secret.txt by cat" "$T/u.out" &&
		ok "-U: the alert reached the pipe while the engine runs" || bad "-U: $(lines "$T/u.out") lines: $(cat "$T/u.err")"
	kill -TERM $eng; wait $eng; eng=; wait $cpid
fi
if unbuf b; then
	sleep 0.5
	n=$(lines "$T/b.out")
	kill -TERM $eng; wait $eng; eng=; wait $cpid
	[ "$n" = 0 ] && [ "$(lines "$T/b.out")" = 1 ] &&
		ok "without -U (buffered_outputs: true) the alert came at exit" || bad "buffered: $n then $(lines "$T/b.out") lines"
fi
exit $fail
