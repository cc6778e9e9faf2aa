#!/bin/sh
# Container metadata in alerts: container.id, .name, .image from ECS's task
# metadata endpoint (a local HTTP server on loopback serving the recorded
# v4 format, test/trace/ecs_container_v4.json), read once at start with a
# short timeout that never holds the program up for long; chunked answers,
# errors and a silent endpoint; and Kubernetes' downward API variables.
# usage: metadata.sh BIN_DIR META_PROBE
BIN=$(realpath "$1") PROBE=$2
TRACE=$BIN/pdig-trace
D=$(cd "$(dirname "$0")" && pwd)
. "$D/lib.sh"
need_ptrace "$BIN/pdig"
need_python
T=$(mktemp -d) || exit 1
python3 "$D/ecs_server.py" "$D/ecs_container_v4.json" "$D/ecs_task_v4.json" "$T/port" &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$T"' EXIT
wait_until 20 test -s "$T/port" || skip "the test's HTTP server did not start on loopback"
PORT=$(cat "$T/port")
ID=cd189a933e5849daa93386466019ab50-2495160603
URL=http://127.0.0.1:$PORT
unset ECS_CONTAINER_METADATA_URI ECS_CONTAINER_METADATA_URI_V4 POD_NAME POD_NAMESPACE POD_UID \
	PDIG_ECS_CONTAINER PDIG_CONTAINER_ID PDIG_CONTAINER_NAME PDIG_CONTAINER_IMAGE
FIELDS='id=%container.id name=%container.name image=%container.image repo=%container.image.repository tag=%container.image.tag imageid=%container.image.id'

# the fetch itself
"$PROBE" get "$URL/v4/$ID" 2000 >"$T/plain.json" 2>"$T/probe.err" && cmp -s "$T/plain.json" "$D/ecs_container_v4.json" &&
	ok "GET with Content-Length: the body as served" || bad "plain GET: $(cat "$T/probe.err")"
"$PROBE" get "$URL/chunked/v4/$ID" 2000 >"$T/chunked.json" 2>"$T/probe.err" &&
	cmp -s "$T/chunked.json" "$D/ecs_container_v4.json" &&
	ok "GET with a chunked answer in several writes" || bad "chunked GET: $(cat "$T/probe.err")"
for c in "missing:HTTP status 404" "garbage:not HTTP" "slow:did not answer within 300 ms"; do
	"$PROBE" get "$URL/${c%%:*}/v4/$ID" 300 >/dev/null 2>"$T/probe.err"
	[ $? = 1 ] && grep -q "${c#*:}" "$T/probe.err" && ok "GET ${c%%:*}: ${c#*:}" ||
		bad "GET ${c%%:*}: $(cat "$T/probe.err")"
done
"$PROBE" get "http://metadata.example/v4/x" 300 >/dev/null 2>"$T/probe.err"
grep -q "not an IPv4 address" "$T/probe.err" && ok "GET: no name resolution (link-local address only)" ||
	bad "GET hostname: $(cat "$T/probe.err")"

# pdig-trace with the endpoint: the alert names the container
# (the read a moment after the start: the metadata may follow the start,
# later still on a loaded machine)
ECS_CONTAINER_METADATA_URI_V4=$URL/v4/$ID "$TRACE" -v --extra-output "$FIELDS" -- sh -c 'sleep 1.5; cat /etc/shadow' \
	>"$T/ecs.out" 2>"$T/ecs.err"
got=$(for f in container.id container.name container.image container.image.repository container.image.tag container.image.id; do
	printf '%s;' "$(field "$T/ecs.out" "$RULE_SHADOW" $f)"; done)
want="$ID;web;123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4.2;123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web;1.4.2;8a2b4c6d8e0f12345678901234567890abcdef1234567890abcdef1234567890;"
[ "$got" = "$want" ] && ok "ECS: container id, name, image (repository, tag, image id) in the alert" ||
	bad "ECS: got '$got', want '$want': $(cat "$T/ecs.err")"
ECS_CONTAINER_METADATA_URI_V4=$URL/v4/$ID "$TRACE" -- sh -c 'sleep 1.5; cat /etc/shadow' >"$T/def.out" 2>/dev/null
got="$(field "$T/def.out" "$RULE_SHADOW" container.id);$(field "$T/def.out" "$RULE_SHADOW" container.name);$(field "$T/def.out" "$RULE_SHADOW" container.image)"
[ "$got" = "$ID;web;123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4.2" ] &&
	ok "ECS: id, name and image in the default alert fields" || bad "ECS default: '$got'"

# a sidecar: its own URL, the application's entry in the task's metadata
SIDE=cd189a933e5849daa93386466019ab50-1784339512
ECS_CONTAINER_METADATA_URI_V4=$URL/v4/$SIDE PDIG_ECS_CONTAINER=web "$TRACE" -- sh -c 'sleep 1.5; cat /etc/shadow' \
	>"$T/side.out" 2>"$T/side.err"
got="$(field "$T/side.out" "$RULE_SHADOW" container.id);$(field "$T/side.out" "$RULE_SHADOW" container.name)"
[ "$got" = "$ID;web" ] && ok "sidecar: PDIG_ECS_CONTAINER=web picks the application's container in /task" ||
	bad "sidecar: '$got': $(cat "$T/side.err")"
ECS_CONTAINER_METADATA_URI_V4=$URL/v4/$SIDE PDIG_ECS_CONTAINER=nosuch "$TRACE" -- true >/dev/null 2>"$T/side2.err"
grep -q "no container named 'nosuch' in the task's metadata" "$T/side2.err" && ok "sidecar: an unknown name is said" ||
	bad "sidecar nosuch: $(cat "$T/side2.err")"

# a silent endpoint: the command does not wait for it; the id of the URL
start=$(date +%s%N)
ECS_CONTAINER_METADATA_URI_V4=$URL/slow/v4/$ID "$TRACE" --metadata-timeout 3000 --extra-output "$FIELDS" \
	-- sh -c 'date +%s%N >"$0"; cat /etc/shadow' "$T/slow.start" >"$T/slow.out" 2>"$T/slow.err"
rc=$?
late=$((($(cat "$T/slow.start" 2>/dev/null || echo 0) - start) / 1000000))
if [ $rc = 0 ] && [ "$late" -ge 0 ] && [ "$late" -lt 2000 ]; then
	ok "silent endpoint: the command ran after ${late} ms, not after the 3000 ms timeout"
else
	bad "silent endpoint: exit $rc, started after ${late} ms: $(cat "$T/slow.err")"
fi
[ "$(field "$T/slow.out" "$RULE_SHADOW" container.id)" = "$ID" ] &&
	ok "silent endpoint: the id from the end of the URL all the same" || bad "slow: $(cat "$T/slow.out")"
ECS_CONTAINER_METADATA_URI_V4=$URL/slow/v4/$ID "$TRACE" --metadata-timeout 300 -- sleep 1 >/dev/null 2>"$T/slow2.err"
grep -q "no container metadata from ECS (127.0.0.1 did not answer within 300 ms)" "$T/slow2.err" &&
	ok "silent endpoint: said once the timeout has passed" || bad "slow2: $(cat "$T/slow2.err")"

# a late answer: the command started without it, alerts after it have it all
ECS_CONTAINER_METADATA_URI_V4=$URL/late/v4/$ID "$TRACE" -v --metadata-timeout 3000 --extra-output "$FIELDS" \
	-- sh -c 'cat /etc/shadow; sleep 2.5; cat /etc/shadow' >"$T/late.out" 2>"$T/late.err"
got=$(python3 - "$T/late.out" "$RULE_SHADOW" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1]):
    try:
        a = json.loads(line)
    except ValueError:
        continue
    if a.get("rule") == sys.argv[2]:
        f = a["output_fields"]
        out.append("%s/%s" % (f.get("container.id"), f.get("container.name")))
print(" ".join(out))
PY
)
[ "$got" = "$ID/None $ID/web" ] &&
	ok "late answer: the first alert has the id, the one after the answer the name too" ||
	bad "late answer: '$got': $(cat "$T/late.err")"

ECS_CONTAINER_METADATA_URI_V4=$URL/missing/v4/$ID "$TRACE" -- true >/dev/null 2>"$T/404.err"
[ $? = 0 ] && grep -q "HTTP status 404" "$T/404.err" && ok "endpoint 404: said, the command runs" ||
	bad "404: $(cat "$T/404.err")"

# Kubernetes: the downward API's variables
POD_NAME=web-7d9f8c POD_NAMESPACE=shop POD_UID=6b1f2c4e-2d3a-4b5c-9d8e-7f6a5b4c3d2e \
	PDIG_CONTAINER_NAME=web PDIG_CONTAINER_IMAGE=registry.local/shop/web:2 \
	"$TRACE" -- cat /etc/shadow >"$T/k8s.out" 2>"$T/k8s.err"
got=$(for f in k8s.pod.name k8s.ns.name container.id container.name container.image; do
	printf '%s;' "$(field "$T/k8s.out" "$RULE_SHADOW" $f)"; done)
[ "$got" = "web-7d9f8c;shop;6b1f2c4e-2d3a-4b5c-9d8e-7f6a5b4c3d2e;web;registry.local/shop/web:2;" ] &&
	ok "Kubernetes: pod, namespace, the pod's uid as id, name and image from the environment" ||
	bad "k8s: '$got': $(cat "$T/k8s.out" "$T/k8s.err")"
# PDIG_CONTAINER_* win over ECS
ECS_CONTAINER_METADATA_URI_V4=$URL/v4/$ID PDIG_CONTAINER_NAME=override "$TRACE" -- sh -c 'sleep 1.5; cat /etc/shadow' \
	>"$T/ovr.out" 2>/dev/null
[ "$(field "$T/ovr.out" "$RULE_SHADOW" container.name)" = override ] && ok "PDIG_CONTAINER_NAME wins over ECS" ||
	bad "override: $(cat "$T/ovr.out")"
# nothing set: still a container (pdig's own id: mounts, hostname or made
# up), never the host, no message
"$TRACE" -- cat /etc/shadow >"$T/host.out" 2>"$T/host.err"
cid=$(field "$T/host.out" "$RULE_SHADOW" container.id)
case $cid in
"" | host | null) bad "host: $(cat "$T/host.out" "$T/host.err")" ;;
*) ! grep -q metadata "$T/host.err" && ok "no metadata anywhere: container $cid, nothing said" ||
	bad "host: $(cat "$T/host.err")" ;;
esac
exit $fail
