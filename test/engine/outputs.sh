#!/bin/sh
# pdig-engine's output channels against real receivers: stdout (text and
# JSON), a file, a program (one for all alerts, one per alert; one that
# dies is in live_service.sh), syslog on a local socket, and HTTP against a
# receiver that checks each payload as falcosidekick does: up, answering
# 500 for a while, slow, down, over TLS. The engine always reads every event, and
# what each channel sent and lost adds up to the alerts.
# usage: outputs.sh PDIG-ENGINE GEN_CAPTURE HTTP_RECEIVER.py
ENGINE=$1 GEN=$2 RECV=$3
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is not installed (the receivers are Python)"; exit 77; }
T=$(mktemp -d) || exit 1
rpid=
trap '[ -n "$rpid" ] && kill $rpid 2>/dev/null; rm -rf "$T"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

"$GEN" big200 "$T/b.scap" || { echo "FAIL: gen_capture"; exit 1; }
cat >"$T/r.yaml" <<'Y'
- rule: etc open
  desc: an open below /etc
  condition: evt.type in (open, openat) and fd.name startswith /etc
  output: etc file %fd.name opened by %proc.name
  priority: WARNING
  tags: [filesystem, t1]
Y
run() { "$ENGINE" -r "$T/r.yaml" -e "$T/b.scap" "$@"; }
# the reference: how many events and alerts the capture gives, on stdout
run >"$T/ref.txt" 2>"$T/ref.err" || { echo "FAIL: the plain run: $(cat "$T/ref.err")"; exit 1; }
alerts=$(sed -n 's/^pdig-engine: .* \([0-9]*\) alerts$/\1/p' "$T/ref.err")
events=$(sed -n 's/^pdig-engine: \([0-9]*\) events read.*/\1/p' "$T/ref.err")
[ "$alerts" -gt 100 ] && [ "$(wc -l <"$T/ref.txt")" = "$alerts" ] &&
	ok "stdout: $alerts text alerts of $events events" || bad "stdout: $alerts alerts, $(wc -l <"$T/ref.txt") lines"
# stats ERRFILE CHANNEL: "sent failed lost" from the end-of-run report
stats() { sed -n "s/^pdig-engine: output $2: \([0-9]*\) alerts sent, \([0-9]*\) attempts failed, \([0-9]*\) alerts lost$/\1 \2 \3/p" "$1"; }
events_of() { sed -n 's/^pdig-engine: \([0-9]*\) events read.*/\1/p' "$1"; }

# JSON on stdout: Falco's keys, the include_* switches
run --json >"$T/j.txt" 2>/dev/null
python3 - "$T/j.txt" "$alerts" <<'P' && ok "stdout: JSON alerts with Falco's keys" || bad "stdout JSON"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == int(sys.argv[2]), len(lines)
for l in lines:
    a = json.loads(l)
    assert sorted(a) == ['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time'], a
    assert a['rule'] == 'etc open' and a['priority'] == 'Warning' and a['tags'] == ['filesystem', 't1']
    assert a['output_fields']['fd.name'].startswith('/etc') and a['output'].endswith(a['output_fields']['proc.name'])
P
run --json -o json_include_output_property=false -o json_include_tags_property=false \
	-o json_include_output_fields_property=false 2>/dev/null | head -1 >"$T/j2.txt"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert sorted(a)==["hostname","priority","rule","source","time"], a' "$T/j2.txt" &&
	ok "stdout: json_include_*=false leave their keys out" || bad "json_include_*: $(cat "$T/j2.txt")"

# file, kept open and opened per alert: the same lines as stdout
for ka in true false; do
	rm -f "$T/f.txt"
	run -o stdout_output.enabled=false -o file_output.enabled=true -o file_output.keep_alive=$ka \
		-o file_output.filename="$T/f.txt" >"$T/f.out" 2>"$T/f.err"
	cmp -s "$T/f.txt" "$T/ref.txt" && [ ! -s "$T/f.out" ] && [ "$(stats "$T/f.err" file)" = "$alerts 0 0" ] &&
		ok "file (keep_alive=$ka): every alert, nothing on stdout" ||
		bad "file keep_alive=$ka: $(wc -l <"$T/f.txt") lines, $(cat "$T/f.err")"
done
run -o file_output.enabled=true -o file_output.filename="$T/no/such/dir/f" >"$T/fx.out" 2>"$T/fx.err"
[ $? != 0 ] && [ ! -s "$T/fx.out" ] && grep -q "file_output.filename: cannot open $T/no/such/dir/f" "$T/fx.err" &&
	ok "file: a path that cannot be opened stops the engine before it starts" || bad "file bad path: $(cat "$T/fx.err")"

# program: one process for every alert; one per alert (a shorter capture)
run -o stdout_output.enabled=false -o program_output.enabled=true -o program_output.keep_alive=true \
	-o program_output.program="cat >> '$T/p.txt'" 2>"$T/p.err"
cmp -s "$T/p.txt" "$T/ref.txt" && [ "$(stats "$T/p.err" program)" = "$alerts 0 0" ] &&
	ok "program (keep_alive): every alert through one pipe" || bad "program: $(wc -l <"$T/p.txt") lines, $(cat "$T/p.err")"
"$GEN" big5 "$T/s.scap"
"$ENGINE" -r "$T/r.yaml" -e "$T/s.scap" -o stdout_output.enabled=false -o program_output.enabled=true \
	-o program_output.program="echo \$\$ >> '$T/pp.pids'; cat >> '$T/pp.txt'" 2>"$T/pp.err"
n=$(wc -l <"$T/pp.txt")
[ "$n" = 10 ] && [ "$(sort -u "$T/pp.pids" | wc -l)" = 10 ] &&
	ok "program (no keep_alive): one process per alert" || bad "program per alert: $n lines, $(sort -u "$T/pp.pids" | wc -l) processes"
# syslog on a local datagram socket
python3 - "$T/log.sock" "$T/syslog.txt" <<'P' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(5)
with open(sys.argv[2], 'w', buffering=1) as f:
    try:
        while True:
            f.write(s.recv(65536).decode() + '\n')
    except socket.timeout:
        pass
P
rpid=$!
for _ in $(seq 100); do [ -S "$T/log.sock" ] && break; sleep 0.05; done
"$GEN" big20 "$T/m.scap"
"$ENGINE" -r "$T/r.yaml" -e "$T/m.scap" -o stdout_output.enabled=false -o syslog_output.enabled=true \
	-o syslog_output.socket="$T/log.sock" 2>"$T/sl.err"
wait $rpid; rpid=
n=$(grep -c '^<12>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* pdig-engine\[[0-9]*\]: [0-9:.]*: Warning etc file /etc/' "$T/syslog.txt")
[ "$n" = 40 ] && [ "$(stats "$T/sl.err" syslog)" = "40 0 0" ] &&
	ok "syslog: 40 alerts, user.warning, BSD format" || bad "syslog: $n of 40: $(head -2 "$T/syslog.txt") $(cat "$T/sl.err")"

# /healthz: ok while the run loop goes on; 503 once it has been stuck (here
# on a stdout pipe nobody reads) for ten seconds; the alerts all arrive
# once the pipe is read again (a blocked write is not cut by the ticks)
"$GEN" big1000 "$T/k.scap"
rm -f "$T/k.err"
"$ENGINE" -r "$T/r.yaml" -e "$T/k.scap" --json -o webserver.enabled=true -o webserver.listen_address=127.0.0.1 \
	-o webserver.listen_port=0 2>"$T/k.err" | {
	for _ in $(seq 100); do grep -q 'webserver on' "$T/k.err" 2>/dev/null && break; sleep 0.1; done
	kport=$(sed -n 's/^pdig-engine: webserver on 127.0.0.1 port \([0-9]*\) .*/\1/p' "$T/k.err")
	status() { python3 -c 'import sys, urllib.request as u, urllib.error as e
try: r = u.urlopen(sys.argv[1], timeout=5); print(r.status, r.read().decode())
except e.HTTPError as x: print(x.code, x.read().decode())' "http://127.0.0.1:$kport/healthz"; }
	status >"$T/k.first"
	for _ in $(seq 300); do status >"$T/k.last"; grep -q '^503' "$T/k.last" && break; sleep 0.1; done
	cat >"$T/k.out"
}
[ "$(cat "$T/k.first")" = '200 {"status": "ok"}' ] && [ "$(cat "$T/k.last")" = '503 {"status": "stalled"}' ] &&
	[ "$(wc -l <"$T/k.out")" = 2000 ] && grep -q ' 2000 alerts$' "$T/k.err" &&
	ok "/healthz: 200 while it runs, 503 when stuck on its stdout, every alert once it was read" ||
	bad "/healthz stall: first '$(cat "$T/k.first")', last '$(cat "$T/k.last")', $(wc -l <"$T/k.out") lines, $(cat "$T/k.err")"

# http: start_receiver [OPTIONS]; sets $url
start_receiver() {
	rm -f "$T/port" "$T/http.log"
	python3 "$RECV" "$T/port" "$T/http.log" "$@" &
	rpid=$!
	for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
	url=http://127.0.0.1:$(cat "$T/port")/
}
stop_receiver() { kill $rpid; wait $rpid 2>/dev/null; rpid=; }
http() { run -o http_output.enabled=true -o http_output.url="$url" "$@"; }
start_receiver
http -o stdout_output.enabled=false >/dev/null 2>"$T/h.err"
stop_receiver
[ "$(grep -c '^ok etc open$' "$T/http.log")" = "$alerts" ] && ! grep -qv '^ok ' "$T/http.log" &&
	[ "$(stats "$T/h.err" http)" = "$alerts 0 0" ] &&
	ok "http: $alerts payloads, each one falcosidekick accepts" || bad "http: $(sort "$T/http.log" | uniq -c) $(cat "$T/h.err")"

# answering 500 to the first 20 requests: 20 failures counted, the alerts
# retried then given up (lost), the rest delivered once it answers again
start_receiver --fail-first 20
http >"$T/h5.out" 2>"$T/h5.err"
stop_receiver
# shellcheck disable=SC2046 # "sent failed lost", split on purpose
set -- $(stats "$T/h5.err" http)
if [ "$2" = 20 ] && [ "$3" -gt 0 ] && [ $(($1 + $3)) = "$alerts" ] &&
	[ "$(grep -c '^ok ' "$T/http.log")" = "$1" ] && [ "$(wc -l <"$T/h5.out")" = "$alerts" ]; then
	ok "http 500: 20 failures, $3 alerts lost, $1 delivered after it recovered, stdout complete"
else
	bad "http 500: stats '$*', log $(sort "$T/http.log" | uniq -c)"
fi

# down: nobody listens on the port any more
http >"$T/hd.out" 2>"$T/hd.err"
# shellcheck disable=SC2046 # "sent failed lost", split on purpose
set -- $(stats "$T/hd.err" http)
[ "$1" = 0 ] && [ "$2" -gt 0 ] && [ "$3" = "$alerts" ] && [ "$(events_of "$T/hd.err")" = "$events" ] &&
	[ "$(wc -l <"$T/hd.out")" = "$alerts" ] &&
	ok "http down: every event read, stdout complete, $2 failures, all $alerts alerts counted lost" ||
	bad "http down: stats '$*', $(cat "$T/hd.err")"

# slow: each answer takes 0.3 s; the engine does not wait for it
start_receiver --delay 0.3
start=$(date +%s)
http >"$T/hs.out" 2>"$T/hs.err"
took=$(($(date +%s) - start))
stop_receiver
# shellcheck disable=SC2046 # "sent failed lost", split on purpose
set -- $(stats "$T/hs.err" http)
# delivering everything would take alerts * 0.3 s; the engine ends long before
if [ "$(wc -l <"$T/hs.out")" = "$alerts" ] && [ "$(events_of "$T/hs.err")" = "$events" ] &&
	[ $(($1 + $3)) = "$alerts" ] && [ "$3" -gt 0 ] && [ $((took * 10)) -lt $((alerts * 3 / 2)) ]; then
	ok "http slow: all events and stdout alerts in ${took}s; $1 delivered, $3 counted lost"
else
	bad "http slow: ${took}s, stats '$*', $(wc -l <"$T/hs.out") stdout lines"
fi
# https: the receiver's certificate checked against http_output.ca_cert;
# without it the delivery fails (counted), unless http_output.insecure
if ! command -v openssl >/dev/null 2>&1; then
	echo "skip: https: openssl (to make a certificate) is not installed: plain http is checked above"
elif ! openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	-keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1; then
	bad "https: openssl could not make a certificate"
else
	"$GEN" big2 "$T/t.scap"
	https() { "$ENGINE" -r "$T/r.yaml" -e "$T/t.scap" -o stdout_output.enabled=false -o http_output.enabled=true \
		-o http_output.url="https://127.0.0.1:$(cat "$T/port")/" "$@"; }
	start_receiver --tls "$T/cert.pem" "$T/key.pem"
	https -o http_output.ca_cert="$T/cert.pem" 2>"$T/tls1.err"
	https 2>"$T/tls2.err"
	https -o http_output.insecure=true 2>"$T/tls3.err"
	stop_receiver
	set -- "$(stats "$T/tls1.err" http)" "$(stats "$T/tls2.err" http)" "$(stats "$T/tls3.err" http)"
	case "$2" in "0 "*" 4") unknown_ca=1 ;; *) unknown_ca=0 ;; esac
	[ "$1" = "4 0 0" ] && [ $unknown_ca = 1 ] && [ "$3" = "4 0 0" ] && [ "$(grep -c '^ok ' "$T/http.log")" = 8 ] &&
		ok "https: ca_cert trusted, an unknown CA refused (counted), insecure accepted" ||
		bad "https: '$1' / '$2' / '$3', $(sort "$T/http.log" | uniq -c)"
	grep -q '^pdig-engine: http_output: .*certificate' "$T/tls2.err" &&
		[ "$(grep -c '^pdig-engine: http_output: ' "$T/tls2.err")" = 1 ] &&
		ok "https: the refused certificate said once on stderr" || bad "https: no reason: $(cat "$T/tls2.err")"

	# mutual TLS: a test CA signs the receiver's and the engine's certificates;
	# the receiver demands the client's
	mk() { # NAME SUBJECT [EXTENSION]: a key and a certificate signed by the CA
		openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$T/$1.key" -out "$T/$1.csr" >/dev/null 2>&1 &&
			printf '%s\n' "${3:-basicConstraints=CA:FALSE}" >"$T/$1.ext" &&
			openssl x509 -req -in "$T/$1.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
				-extfile "$T/$1.ext" -out "$T/$1.pem" >/dev/null 2>&1
	}
	if openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=pdig-test-ca -keyout "$T/ca.key" \
		-out "$T/ca.pem" >/dev/null 2>&1 && mk srv 127.0.0.1 subjectAltName=IP:127.0.0.1 && mk cli pdig-engine; then
		start_receiver --tls "$T/srv.pem" "$T/srv.key" --client-ca "$T/ca.pem"
		https -o http_output.ca_cert="$T/ca.pem" -o http_output.client_cert="$T/cli.pem" \
			-o http_output.client_key="$T/cli.key" 2>"$T/m1.err"
		https -o http_output.ca_cert="$T/ca.pem" 2>"$T/m2.err"
		stop_receiver
		[ "$(stats "$T/m1.err" http)" = "4 0 0" ] && [ "$(grep -c '^ok ' "$T/http.log")" = 4 ] &&
			[ "$(stats "$T/m2.err" http | cut -d' ' -f1,3)" = "0 4" ] && grep -q '^pdig-engine: http_output: ' "$T/m2.err" &&
			ok "mutual TLS: client_cert and client_key accepted; without them refused, said and counted" ||
			bad "mutual TLS: '$(stats "$T/m1.err" http)' / '$(stats "$T/m2.err" http)': $(cat "$T/m1.err" "$T/m2.err")"
		# a file that is no certificate: every delivery fails, said once, counted
		echo "not a certificate" >"$T/junk.pem"
		start_receiver --tls "$T/srv.pem" "$T/srv.key" --client-ca "$T/ca.pem"
		https -o http_output.ca_cert="$T/ca.pem" -o http_output.client_cert="$T/junk.pem" \
			-o http_output.client_key="$T/cli.key" 2>"$T/m3.err"
		stop_receiver
		[ "$(stats "$T/m3.err" http | cut -d' ' -f1,3)" = "0 4" ] &&
			[ "$(grep -c '^pdig-engine: http_output: ' "$T/m3.err")" = 1 ] &&
			ok "client_cert that is no certificate: one message ($(grep '^pdig-engine: http_output: ' "$T/m3.err" | cut -c1-60)...), alerts counted lost" ||
			bad "junk client_cert: $(cat "$T/m3.err")"
	else
		bad "mutual TLS: openssl could not make the test CA and certificates"
	fi
fi

# paths a user gets wrong: the engine says which key and why, and starts nothing
"$GEN" big2 "$T/t.scap"
badpath() { # WHAT MESSAGE -o...
	what=$1 msg=$2; shift 2
	"$ENGINE" -r "$T/r.yaml" -e "$T/t.scap" -o http_output.enabled=true -o http_output.url=http://127.0.0.1:9/ \
		"$@" >"$T/bp.out" 2>"$T/bp.err"
	rc=$?
	[ $rc != 0 ] && [ ! -s "$T/bp.out" ] && grep -qF "pdig-engine: $msg" "$T/bp.err" && ! grep -q 'events read' "$T/bp.err" &&
		ok "http_output: $what: '$msg', nothing started" || bad "$what: exit $rc, $(cat "$T/bp.err")"
}
badpath "no client_cert file" "http_output.client_cert: cannot read $T/nope.pem: No such file or directory" \
	-o http_output.client_cert="$T/nope.pem"
badpath "client_key a folder" "http_output.client_key: $T is a folder, not a file" -o http_output.client_key="$T"
badpath "no ca_cert file" "http_output.ca_cert: cannot read $T/nope.pem: No such file or directory" \
	-o http_output.ca_cert="$T/nope.pem"
badpath "ca_path a file" "http_output.ca_path: $T/r.yaml is not a folder" -o http_output.ca_path="$T/r.yaml"
if [ "$(id -u)" != 0 ]; then
	echo x >"$T/locked.pem"; chmod 000 "$T/locked.pem"
	badpath "an unreadable client_key" "http_output.client_key: cannot read $T/locked.pem: Permission denied" \
		-o http_output.client_key="$T/locked.pem"
else
	echo "skip: an unreadable client_key: root reads every file"
fi

# echo: the receiver's answers on stdout; compress_uploads: gzipped bodies
# (the receiver decompresses them; with --gzip it refuses plain ones)
start_receiver --answer ECHO-MARK
http -o stdout_output.enabled=false -o http_output.echo=true >"$T/e.out" 2>"$T/e.err"
stop_receiver
[ "$(grep -o ECHO-MARK "$T/e.out" | wc -l)" = "$alerts" ] && [ "$(stats "$T/e.err" http)" = "$alerts 0 0" ] &&
	ok "http echo: the receiver's $alerts answers on stdout" || bad "echo: $(grep -o ECHO-MARK "$T/e.out" | wc -l) answers, $(cat "$T/e.err")"
start_receiver --gzip
http -o stdout_output.enabled=false -o http_output.compress_uploads=true >/dev/null 2>"$T/z.err"
stop_receiver
[ "$(grep -c '^ok etc open$' "$T/http.log")" = "$alerts" ] && [ "$(stats "$T/z.err" http)" = "$alerts 0 0" ] &&
	ok "http compress_uploads: $alerts gzipped payloads, each falcosidekick's" || bad "gzip: $(sort "$T/http.log" | uniq -c) $(cat "$T/z.err")"
start_receiver --gzip
"$ENGINE" -r "$T/r.yaml" -e "$T/t.scap" -o stdout_output.enabled=false -o http_output.enabled=true \
	-o http_output.url="$url" 2>"$T/z2.err"
stop_receiver
[ "$(grep -c '^bad not gzipped$' "$T/http.log")" -gt 0 ] && ! grep -q '^ok' "$T/http.log" &&
	grep -q '^pdig-engine: http_output: the receiver answered 400$' "$T/z2.err" &&
	ok "http: the receiver's gzip check refuses a plain body (so the check above means something)" ||
	bad "gzip control: $(sort "$T/http.log" | uniq -c) $(cat "$T/z2.err")"
exit $fail
