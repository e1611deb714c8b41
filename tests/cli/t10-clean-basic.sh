#!/usr/bin/env bash
# t10-clean-basic: sp-clean normalises symbols, dates and numbers, sorts by
# symbol then date, drops exact duplicates and settles conflicting ones by
# "last one read wins", and accounts for every row in its summary.
. tests/cli/lib.sh

D=tests/data/bars
in=$D/basic.csv

# invariant SUMMARY WHAT: rows_read = written + rejected + both duplicates
invariant() {
	is "$(jq '.rows_read == .rows_written + .rows_rejected +
		.duplicates.exact + .duplicates.conflicting' "$1")" true \
		"$2: rows_read = rows_written + rows_rejected + duplicates"
}

exits 0 "basic.csv is cleaned" \
	sp sp-clean --summary "$T/s.json" -o "$T/out.csv" "$in" 2>"$T/err"
same_file "$T/out.csv" $D/basic.expected.csv \
	"upper-case symbols, ISO dates, shortest numbers, sorted, one row per key"

# The same properties, checked without the expected file.
LC_ALL=C sort -t, -k1,1 -k2,2 -c <(tail -n +2 "$T/out.csv")
ok $? "rows are in byte order of symbol, then date"
is "$(tail -n +2 "$T/out.csv" | cut -d, -f1,2 | sort | uniq -d | wc -l)" 0 \
	"no (symbol, date) appears twice"
is "$(cut -d, -f1 "$T/out.csv" | grep -c '[a-z]')" 1 \
	"only the header has lower case in the symbol column"
is "$(tail -n +2 "$T/out.csv" | cut -d, -f2 |
	grep -Evc '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?$')" 0 \
	"every date is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"
has "$T/out.csv" '^XYZ,2020-01-02,7,7.5,6.5,7.25,,240226800,$' \
	"7.0000 prints as 7 and volume 240226800.0 as 240226800"
has "$T/out.csv" '^MSFT,2020-01-03,158.32,' "20200103 is read as 2020-01-03"
has "$T/out.csv" '^AAPL,2020-01-03,' "1/3/2020 is read as 2020-01-03"
has "$T/out.csv" '^QQQ,2020-01-02T15:30:00Z,213,' \
	"a timestamp with an offset becomes UTC"

# Summary: 12 rows = 9 written + 2 exact + 1 conflicting duplicate.
is "$(jq -c '[.rows_read, .rows_written, .rows_rejected]' "$T/s.json")" \
	'[12,9,0]' "summary counts rows read, written, rejected"
is "$(jq -c '[.duplicates.exact, .duplicates.conflicting]' "$T/s.json")" \
	'[2,1]' "exact duplicates (also across number and date forms) and conflicts"
invariant "$T/s.json" basic.csv
is "$(jq -c '.conflicts' "$T/s.json")" \
	'[{"symbol":"AAPL","date":"2020-01-06","dropped_file":"tests/data/bars/basic.csv","dropped_line":7,"kept_file":"tests/data/bars/basic.csv","kept_line":13}]' \
	"the conflict is listed with the line that lost and the line that won"
has "$T/out.csv" '^AAPL,2020-01-06,73.45,74.99,73.19,74.9,74.14,' \
	"the conflicting row read last wins"
has "$T/err" "^sp-clean: $in:7: warning: AAPL 2020-01-06 differs from $in:13" \
	"the conflict is reported on stderr as FILE:LINE"
has "$T/err" '^sp-clean: 12 rows read from 1 input: 9 written, 0 rejected, 2 exact and 1 conflicting' \
	"a summary goes to stderr"
is "$(jq -r '.symbols, .first_date, .last_date, .mode' "$T/s.json" | paste -sd' ')" \
	"5 2020-01-02 2020-01-06 batch" "summary: symbols, date range, mode"

# Standard input, and -q.
sp sp-clean -q <"$in" >"$T/stdin.csv" 2>"$T/err"
ok $? "reads standard input"
same_file "$T/stdin.csv" $D/basic.expected.csv "stdin gives the same output"
is "$(wc -c <"$T/err")" 0 "-q: nothing on stderr, not even the conflict warning"
cat "$in" | sp sp-clean -q - >"$T/dash.csv"
same_file "$T/dash.csv" $D/basic.expected.csv "'-' names standard input"

# Reading the same file twice: the second copy is all exact duplicates.
exits 0 "the same input twice" \
	sp sp-clean -q --summary "$T/s2.json" -o "$T/twice.csv" "$in" "$in"
same_file "$T/twice.csv" $D/basic.expected.csv "twice the input, the same output"
is "$(jq -c '[.rows_read, .duplicates.exact, .duplicates.conflicting]' "$T/s2.json")" \
	'[24,12,3]' "the second copy repeats each row; the AAPL conflict now happens 3 times"
invariant "$T/s2.json" "basic.csv twice"

# Output is the input of the next run: cleaning is idempotent.
exits 0 "clean the clean output" \
	sp sp-clean -q -o "$T/again.csv" "$T/out.csv"
same_file "$T/again.csv" $D/basic.expected.csv "a second pass changes nothing"

done_testing
