#!/usr/bin/env bash
# --latency reports per-bar time on stderr, for every bar of the stream and
# only for those (warm-up bars are not live); the numbers themselves are a
# benchmark's business (scripts/bench/features), not a test's.
. tests/cli/lib.sh

in=tests/data/bars/sample.csv
rows=$(($(wc -l <"$in") - 1))
sp sp-features --stream --latency "$in" -o "$T/out.csv" 2>"$T/err"
ok $? "--stream --latency runs"
has "$T/err" "^sp-features: $rows bars, time per bar from parsed to printed \(no I/O\): p50 [0-9.]+ us, p99 [0-9.]+ us, p99\.9 [0-9.]+ us, max [0-9.]+ us$" \
	"one line with the count of bars and the percentiles"
sp sp-features --stream "$in" -o "$T/plain.csv" 2>/dev/null
same_file "$T/out.csv" "$T/plain.csv" "measuring changes no output"
head -n 1001 "$in" >"$T/history.csv"
{ head -n 1 "$in"; tail -n +1002 "$in"; } >"$T/live.csv"
sp sp-features --stream --latency --warmup "$T/history.csv" "$T/live.csv" -o /dev/null 2>"$T/err"
has "$T/err" "^sp-features: $((rows - 1000)) bars," "warm-up bars are not counted"
sp sp-features --stream "$in" -o /dev/null 2>"$T/err"
is "$(cat "$T/err")" "" "without --latency nothing is said"

done_testing
