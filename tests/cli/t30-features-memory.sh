#!/usr/bin/env bash
# t30-features-memory: --stream keeps per-symbol state only: its peak
# memory does not grow with the length of the stream.  Peak RSS means
# nothing under valgrind or ASan, so those passes skip it.
. tests/cli/lib.sh

if [ -n "$SP_WRAP" ] || [[ $SP_BIN == *asan* ]]; then
	ok 0 "# SKIP peak memory is not measured under valgrind or ASan"
	done_testing
	exit
fi

# 25 symbols on every NYSE session, interleaved date by date as a live feed
# would send them: DAYS sessions give 25 * DAYS rows.
feed() {
	awk -F, -v days="$1" 'NR > 1 && n < days { n++; d = substr($1, 1, 10)
		for (s = 1; s <= 25; s++) {
			c = 100 + s + (n % 17) / 10
			printf "S%d,%s,%.2f,%.2f,%.2f,%.2f,%.2f,%d\n", s, d, c, c + 1, c - 1, c, c, 1000 + n % 7
		} }' tests/data/calendar/xnys_sessions_1990_2023.csv
}
for days in 800 8000; do
	{ echo "symbol,date,open,high,low,close,adj_close,volume"; feed $days; } >"$T/in-$days.csv"
	/usr/bin/time -f %M -o "$T/rss-$days" "$SP_BIN/sp-features" --stream "$T/in-$days.csv" \
		-o "$T/out-$days.csv"
	ok $? "--stream over $((days * 25)) rows with the default set"
done
small=$(cat "$T/rss-800") big=$(cat "$T/rss-8000")
is "$(wc -l <"$T/out-8000.csv")" 200001 "every row of the long stream is written"
ok $((big > small * 5 / 4 + 1024)) "peak memory is flat: ${small} KiB for 20000 rows, ${big} KiB for 200000"

done_testing
