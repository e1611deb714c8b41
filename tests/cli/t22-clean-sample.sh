#!/usr/bin/env bash
# t22-clean-sample: the bundled sample (Yahoo daily bars of AAPL, DXC, JPM,
# MSFT, XOM, 2014-01-02 .. 2020-10-27).  What must happen is worked out here
# with awk over the input and the NYSE session list, not taken from sp-clean.
. tests/cli/lib.sh

in=tests/data/bars/sample.csv
sessions=tests/data/calendar/xnys_sessions_1990_2023.csv

exits 0 "sample.csv is cleaned" \
	sp sp-clean -q --rejects "$T/rej.csv" --summary "$T/s.json" -o "$T/out.csv" $in

# Rows awk finds inconsistent (tolerance 1e-6), and rows on closed days.
awk -F, 'NR == FNR { if (FNR > 1) open[substr($1, 1, 10)] = 1; next }
	FNR > 1 {
	if ($4 < $5) print FNR, "high_below_low"
	else if ($3 > $4 * (1 + 1e-6) || $3 < $5 * (1 - 1e-6)) print FNR, "open_outside_range"
	else if ($6 > $4 * (1 + 1e-6) || $6 < $5 * (1 - 1e-6)) print FNR, "close_outside_range"
	else if (!open[$2]) print FNR, "non_trading_day" }' $sessions $in >"$T/want-rej"
awk -F, 'NR > 1 { r = $3; sub(/^"/, "", r); sub(/:.*/, "", r); print $2, r }' "$T/rej.csv" >"$T/got-rej"
same_file "$T/got-rej" "$T/want-rej" "the rows awk finds bad are rejected, with the same reason"
is "$(cat "$T/want-rej")" "2831 close_outside_range" "(that is DXC 2018-06-01 alone)"
has "$T/rej.csv" ',2831,"close_outside_range: close 79.68 is outside \[low 80.05, high 83.4\]","DXC,2018-06-01,' \
	"DXC 2018-06-01: close 79.68 below the low 80.05"

# Every other row is written unchanged (the sample is sorted, without duplicates).
grep -v '^DXC,2018-06-01,' $in >"$T/want.csv"
cut -d, -f1-8 "$T/out.csv" >"$T/got.csv"
same_file "$T/got.csv" "$T/want.csv" "every other row is written unchanged, in order"
is "$(head -1 "$T/out.csv")" "symbol,date,open,high,low,close,adj_close,volume,flags" "header with flags"

# Gaps: runs of NYSE sessions without a row, from the session list.
awk -F, 'NR == FNR { if (FNR > 1) ord[substr($1, 1, 10)] = FNR; next }
	FNR > 1 { if ($1 == sym && ord[$2] - ord[prev] > 1) print $1, $2, "gap:" ord[$2] - ord[prev] - 1
		sym = $1; prev = $2 }' $sessions "$T/out.csv" >"$T/want-gaps"
awk -F, '$NF ~ /gap:/ { print $1, $2, $NF }' "$T/out.csv" | sed 's/ [a-z;]*gap/ gap/' >"$T/got-gaps"
same_file "$T/got-gaps" "$T/want-gaps" "gap flags where sessions are missing"
is "$(cat "$T/want-gaps")" "DXC 2018-06-04 gap:1" "(exactly one: DXC 2018-06-04, after the rejected day)"
is "$(cut -d, -f9 "$T/out.csv" | tail -n +2 | grep -v '^$' |
	grep -Evc '^(jump|split|gap:[0-9]+)(;(split|gap:[0-9]+))*$')" 0 "flags are only jump, split, gap:N"
# DXC 2015-11-30, the CSRA spin-off: close -20%, adjusted close +8%.
has "$T/out.csv" '^DXC,2015-11-30,.*,split$' "the spin-off's price drop is flagged split, not jump"

# The summary.
is "$(jq -c '[.rows_read, .rows_written, .rows_rejected, .rejected.close_outside_range]' "$T/s.json")" \
	"[$(($(wc -l <$in) - 1)),$(($(wc -l <"$T/want.csv") - 1)),1,1]" "summary: read, written, rejected"
is "$(jq '.rows_read == .rows_written + .rows_rejected +
	.duplicates.exact + .duplicates.conflicting' "$T/s.json")" true \
	"sample.csv: rows_read = rows_written + rows_rejected + duplicates"
is "$(jq -c '[.symbols, .first_date, .last_date, .flags.gap, .flags.missing_days]' "$T/s.json")" \
	'[5,"2014-01-02","2020-10-27",1,1]' "summary: 5 symbols, the date range, one gap of one day"
is "$(jq .flags.jump "$T/s.json")" "$(grep -c 'jump' "$T/out.csv")" "summary: jumps as flagged"

done_testing
