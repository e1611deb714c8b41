# shellcheck shell=bash
# Shared helpers for scripts/bench/*; source it, don't run it.

# Repository root, from this file's location, so the scripts work wherever the
# clone is (CI uses a fresh clone at X/main with shared/ at X/shared).
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SP_SHARED_DATA=${SP_SHARED_DATA:-$(cd "$BENCH_ROOT/.." && pwd)/shared/data}
BENCH_REPEAT=${BENCH_REPEAT:-3}

# bench_time LABEL OUT CMD...: runs CMD BENCH_REPEAT times with stdout to OUT
# and appends "LABEL<TAB>best wall seconds<TAB>peak RSS KiB of that run" to
# $BENCH_TSV.  /usr/bin/time gives the peak RSS; the wall time comes from
# $EPOCHREALTIME because time's %e has only 10 ms steps, too coarse for
# `wc -l`, which the targets compare against.  Best-of-N rather than the
# mean: noise on a shared machine only ever adds time.  A failing command is
# recorded as "failed", not fatal, so one broken peer doesn't hide the rest.
bench_time() {
	local label=$1 out=$2 tf best="" mem="" i t0 e m
	shift 2
	tf=$(mktemp)
	for ((i = 0; i < BENCH_REPEAT; i++)); do
		t0=$EPOCHREALTIME
		if ! /usr/bin/time -f '%M' -o "$tf" "$@" >"$out"; then
			printf '%s\tfailed\t-\n' "$label" >>"$BENCH_TSV"
			echo "bench: $label failed: $*" >&2
			rm -f "$tf"
			return 0
		fi
		e=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
		m=$(tail -n 1 "$tf")
		if [[ -z $best ]] || awk -v a="$e" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$e mem=$m
		fi
	done
	rm -f "$tf"
	printf '%s\t%s\t%s\n' "$label" "$best" "$mem" >>"$BENCH_TSV"
}

# bench_skip LABEL WHY: a table row for a peer that can't be measured here.
bench_skip() {
	printf '%s\t%s\t-\n' "$1" "$2" >>"$BENCH_TSV"
}
