#!/usr/bin/env bash
# The tracer benchmark (bench/tracer, bench/README.md): installs what is
# missing, builds what it needs, and runs every workload natively, under
# pdig with pdig-engine and Falco's stable rules, under pdig -a, under
# strace and under the reference tracer, interleaved. Prints the tables as
# markdown; they also land in the results folder with the raw runs and the
# plot. Never a test: run it by hand (ctest's bench.tracer_quick is the
# smoke test).
#   scripts/bench.sh                 5 rounds, about 10-15 minutes on 2 vCPUs
#   scripts/bench.sh --quick         fewer iterations, 1 round: a minute or two
#   scripts/bench.sh --rounds N      rounds
#   scripts/bench.sh --only REGEX    some workloads (bench/tracer/run.sh --list)
#   scripts/bench.sh --out DIR       results folder (default BUILD/bench/tracer/results)
# PDIG_BUILD picks the build folder (default build/).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

out='' pass=()
while [ $# -gt 0 ]; do
	case $1 in
	--quick | --tiny) pass+=("$1") ;;
	--rounds | --only) pass+=("$1" "$2"); shift ;;
	--out) out=$2; shift ;;
	-h | --help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: $0 [--quick] [--rounds N] [--only REGEX] [--out DIR]" >&2; exit 2 ;;
	esac
	shift
done

pdig_install_missing
# The benchmark's own: gnuplot draws the plot (strace and stress-ng are
# among the project's packages already).
if ! command -v gnuplot > /dev/null; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "pdig: installing gnuplot-nox (the benchmark's plot)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gnuplot-nox ||
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gnuplot-nox; }
	else
		echo "pdig: gnuplot is missing: no plot (apt-get install gnuplot-nox)" >&2
	fi
fi

# Only what the benchmark runs: a part someone is changing elsewhere in the
# tree does not stop it.
cmake -S "$PDIG_ROOT" -B "$PDIG_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$PDIG_BUILD" -j"$(nproc)" --target pdig pdig-engine reftrace workloads benchrun >&2

B=$PDIG_BUILD
out=${out:-$B/bench/tracer/results}
BENCH_COMMAND=$(echo "scripts/bench.sh ${pass[*]:-}" | sed 's/ *$//') \
	exec "$PDIG_ROOT/bench/tracer/run.sh" --pdig "$B/bin/pdig" --engine "$B/bin/pdig-engine" \
	--reftrace "$B/bench/tracer/reftrace" --workloads "$B/bench/tracer/workloads" \
	--benchrun "$B/bench/tracer/benchrun" --cc-include "$B/shm/generated" \
	--rules "$PDIG_ROOT/../shared/falco-rules/falco_rules.yaml" --out "$out" "${pass[@]}"
