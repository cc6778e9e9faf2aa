#!/bin/sh
# Alerts to falcosidekick (https://github.com/falcosecurity/falcosidekick),
# which routes Falco alerts to Slack, SNS, Elasticsearch, ...: every JSON line
# read is copied to standard output (the log keeps it) and POSTed to the
# falcosidekick URL, as Falco's http_output does.
#
#   pdig-trace -n gunicorn --tree | falcosidekick-forward.sh http://falcosidekick:2801/
#
# Needs curl or wget (busybox's will do). A POST that fails is said on
# stderr; the alert is still in the log.
set -u
URL=${1:?usage: falcosidekick-forward.sh URL}
if command -v curl >/dev/null 2>&1; then
	post() { curl -fsS -m 5 -H 'Content-Type: application/json' --data-binary @- "$URL" >/dev/null; }
elif command -v wget >/dev/null 2>&1; then
	post() { wget -q -T 5 -O /dev/null --header 'Content-Type: application/json' --post-file=/dev/stdin "$URL"; }
else
	echo "falcosidekick-forward.sh: needs curl or wget" >&2
	exit 1
fi
while IFS= read -r line; do
	printf '%s\n' "$line"
	case $line in
	'{'*) printf '%s' "$line" | post || echo "falcosidekick-forward.sh: could not post an alert to $URL" >&2 ;;
	esac
done
