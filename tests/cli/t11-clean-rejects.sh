#!/usr/bin/env bash
# t11-clean-rejects: every bad row goes to --rejects with its source, line,
# a reason starting with a stable code, and the row as read; the summary
# counts each reason; --tolerance, --calendar none and --strict.
. tests/cli/lib.sh

B=tests/data/bad
in=$B/reasons.csv

invariant() {
	is "$(jq '.rows_read == .rows_written + .rows_rejected +
		.duplicates.exact + .duplicates.conflicting' "$1")" true \
		"$2: rows_read = rows_written + rows_rejected + duplicates"
}
# codes REJECTS: "LINE CODE" for each rejected row (no field here has a
# comma before the reason, and no raw row spans lines)
codes() {
	awk -F, 'NR > 1 { r = $3; sub(/^"/, "", r); sub(/:.*/, "", r); print $2, r }' "$1"
}

exits 0 "reasons.csv is cleaned (rejects do not fail the run)" \
	sp sp-clean -q --rejects "$T/rej.csv" --summary "$T/s.json" -o "$T/out.csv" "$in"
is "$(head -1 "$T/rej.csv")" "source,line,reason,row" "rejects header"
cat >"$T/want" <<'EOF'
3 bad_number
4 bad_number
5 nonpositive_price
6 nonpositive_price
7 high_below_low
8 open_outside_range
9 close_outside_range
10 bad_date
11 bad_date
12 bad_date
13 bad_date
14 non_trading_day
15 non_trading_day
16 non_trading_day
17 missing_field
18 missing_field
19 missing_field
20 missing_field
21 negative_volume
22 bad_volume
23 bad_volume
24 nonpositive_price
25 malformed
26 malformed
27 malformed
28 bad_symbol
EOF
codes "$T/rej.csv" >"$T/got"
same_file "$T/got" "$T/want" "each bad row is rejected at its line with its reason code"
is "$(cut -d, -f1 "$T/rej.csv" | tail -n +2 | sort -u)" "$in" "source names the input"

# The reasons say what is wrong, in words.
has "$T/rej.csv" ',7,high_below_low: high 9 is below low 11,' "high_below_low says which values"
has "$T/rej.csv" ',9,"close_outside_range: close 8.5 is outside \[low 9, high 11\]",' \
	"close_outside_range gives the range"
has "$T/rej.csv" ',10,bad_date: impossible date' "2020-02-30 is an impossible date"
has "$T/rej.csv" ',14,non_trading_day: 2020-07-03 .*Independence Day' \
	"2020-07-03, the observed Independence Day, is no trading day"
has "$T/rej.csv" ',15,non_trading_day: 2020-01-04 .*Saturday' "nor is a Saturday"
has "$T/rej.csv" ',16,non_trading_day: 2012-10-29 ' "nor the Hurricane Sandy closure"
has "$T/rej.csv" ',19,missing_field: high is empty,' "the missing field is named"
has "$T/rej.csv" ',25,"malformed: expected 8 fields, found 7",' "a short row is malformed"

# The row column is the input line exactly as read (CSV-quoted).
for n in 3 21 27; do
	line=$(grep "^$in,$n," "$T/rej.csv")
	raw=$(sed -n "${n}p" "$in" | sed 's/"/""/g')
	[ -n "$line" ] && [ "${line%,\"$raw\"}" != "$line" ]
	ok $? "rejected line $n is kept as read"
done

# Counts by reason, and the invariant.
is "$(jq -cS '.rejected' "$T/s.json")" \
	"$(cut -d' ' -f2 "$T/want" | sort | uniq -c | jq -cSnR \
		'[inputs | capture(" *(?<n>[0-9]+) (?<k>.*)") | {(.k): (.n | tonumber)}] | add')" \
	"summary.rejected counts each reason"
is "$(jq -c '[.rows_read, .rows_written, .rows_rejected]' "$T/s.json")" '[28,2,26]' \
	"28 rows read: 2 written, 26 rejected"
invariant "$T/s.json" reasons.csv
is "$(cut -d, -f1,2 "$T/out.csv" | tail -n +2 | paste -sd' ')" \
	"GOOD,2020-01-02 GOOD,2020-01-03" "only the good rows are written"

# Without --rejects the rows are still counted, and said so on stderr.
sp sp-clean -o "$T/out2.csv" "$in" 2>"$T/err"
has "$T/err" '^sp-clean: 28 rows read from 1 input: 2 written, 26 rejected \(.*high_below_low 1' \
	"stderr summary counts rejects by reason"

# --strict: any reject fails the run.
exits 1 "--strict with rejects" sp sp-clean -q --strict -o "$T/s1.csv" "$in"
exits 0 "--strict without rejects" sp sp-clean -q --strict -o "$T/s2.csv" tests/data/bars/basic.csv

# --calendar none: no trading-day check.
sp sp-clean -q --calendar none --rejects "$T/rej3.csv" -o "$T/out3.csv" "$in"
is "$(codes "$T/rej3.csv" | grep -c non_trading_day)" 0 "--calendar none: no non_trading_day"
is "$(grep -c '^BAD,' "$T/out3.csv")" 3 "--calendar none: the three closed days are written"

# Dates beyond the calendar (1970 .. 2040) are not checked against it, but
# counted and said; years outside 1800 .. 2200 are bad dates.
printf '%s\n' symbol,date,open,high,low,close,adj_close,volume OLD,1962-01-06,1,2,1,1.5,, \
	NEW,2045-06-03,1,2,1,1.5,, X,1799-12-31,1,2,1,1.5,, >"$T/range.csv"
sp sp-clean --rejects "$T/rr.csv" --summary "$T/rs.json" -o "$T/ro.csv" "$T/range.csv" 2>"$T/err"
is "$(cut -d, -f1,2 "$T/ro.csv" | tail -n +2 | paste -sd' ')" "NEW,2045-06-03 OLD,1962-01-06" \
	"a Saturday in 1962 and a day in 2045 are written"
is "$(jq .outside_calendar "$T/rs.json")" 2 "summary: outside_calendar 2"
has "$T/err" "^sp-clean: warning: 2 rows lie outside the XNYS calendar" "and a warning says so"
is "$(codes "$T/rr.csv")" "4 bad_date" "1799-12-31 is a bad date"

# --tolerance: open and close may lie outside [low, high] by this fraction.
tol=$B/tolerance.csv
sp sp-clean -q --rejects "$T/t1.csv" --summary "$T/t1.json" -o /dev/null "$tol"
invariant "$T/t1.json" tolerance.csv
is "$(codes "$T/t1.csv" | paste -sd' ')" "3 close_outside_range 5 open_outside_range" \
	"default tolerance 1e-6: 5e-7 outside passes, 2e-6 outside is rejected"
sp sp-clean -q --tolerance 1e-5 --rejects "$T/t2.csv" -o /dev/null "$tol"
is "$(wc -l <"$T/t2.csv")" 1 "--tolerance 1e-5 accepts all five rows"
sp sp-clean -q --tolerance 0 --rejects "$T/t3.csv" -o /dev/null "$tol"
is "$(codes "$T/t3.csv" | cut -d' ' -f1 | paste -sd' ')" "2 3 4 5" \
	"--tolerance 0 rejects any excess (a flat bar still passes)"

done_testing
