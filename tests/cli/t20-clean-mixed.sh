#!/usr/bin/env bash
# t20-clean-mixed: one batch over a CSV file, an NDJSON file and a .zst file
# with their own column orders; unknown columns pass through (the union, in
# order of first appearance, before flags); --format ndjson writes one valid
# JSON object per line, with the same content.
. tests/cli/lib.sh

D=tests/data/bars
a=$D/mixed-a.csv b=$D/mixed-b.ndjson
zstd -q -c $D/mixed-c.csv >"$T/mixed-c.csv.zst"
c=$T/mixed-c.csv.zst
cols='.symbol, .date, .open, .high, .low, .close, .adj_close, .volume, .exchange, .note, .sector, .sector_id, .currency, .flags'
# ndjson_to_csv FILE: the NDJSON output as the CSV it stands for
ndjson_to_csv() {
	head -1 $D/mixed.expected.csv
	jq -r "[$cols] | map(if . == null then \"\" elif type == \"string\" and test(\",\")
		then \"\\\"\" + . + \"\\\"\" else tostring end) | join(\",\")" "$1"
}

exits 0 "CSV + NDJSON + zstd CSV in one run" \
	sp sp-clean --summary "$T/s.json" -o "$T/out.csv" $a $b "$c" 2>"$T/err"
same_file "$T/out.csv" $D/mixed.expected.csv \
	"columns matched by name; extras exchange,note,sector,sector_id,currency in first-seen order, then flags"
is "$(head -1 "$T/out.csv")" \
	"symbol,date,open,high,low,close,adj_close,volume,exchange,note,sector,sector_id,currency,flags" \
	"the header: the bar columns, the extras, flags last"
is "$(jq -c '[.rows_read, .rows_written, .duplicates.exact, .duplicates.conflicting]' "$T/s.json")" \
	'[7,5,1,1]' "an exact duplicate across CSV and NDJSON; a conflict across NDJSON and zstd"
is "$(jq '.rows_read == .rows_written + .rows_rejected +
	.duplicates.exact + .duplicates.conflicting' "$T/s.json")" true \
	"mixed: rows_read = rows_written + rows_rejected + duplicates"
is "$(jq -c '[.inputs[] | .rows]' "$T/s.json")" '[2,3,2]' "rows counted per input"
is "$(jq -r '.conflicts[0] | "\(.dropped_file):\(.dropped_line) \(.kept_file):\(.kept_line)"' "$T/s.json")" \
	"$b:3 $c:2" "the zstd row, read last, wins the conflict"
has "$T/err" "^sp-clean: $b:3: warning: BBB 2020-01-06 differs from $c:2" "and the warning says so"

# NDJSON output of the same run.
exits 0 "--format ndjson" sp sp-clean -q --format ndjson -o "$T/out.ndjson" $a $b "$c"
is "$(jq -c . "$T/out.ndjson" | wc -l)" 5 "every line is a JSON object jq reads"
is "$(jq -c 'keys_unsorted' "$T/out.ndjson" | sort -u)" \
	'["symbol","date","open","high","low","close","adj_close","volume","exchange","note","sector","sector_id","currency","flags"]' \
	"every object has all the columns, in order"
is "$(jq -r '[(.open | type), (.volume | type), (.adj_close | type), (.date | type)] | join(" ")' \
	"$T/out.ndjson" | sort -u | paste -sd'|')" \
	"number number null string|number number number string" \
	"prices and volume are numbers, missing values null, dates strings"
is "$(jq -c 'select(.symbol == "BBB" and .date == "2020-01-02") | [.sector_id, .sector]' "$T/out.ndjson")" \
	'[12,"tech"]' "NDJSON numbers and strings pass through with their types"
ndjson_to_csv "$T/out.ndjson" >"$T/back.csv"
same_file "$T/back.csv" $D/mixed.expected.csv "the NDJSON output holds the same values as the CSV"

# The default output format is the first input's.
sp sp-clean -q -o "$T/first-ndjson" $b $a "$c"
jq -c . "$T/first-ndjson" >/dev/null
ok $? "NDJSON first: the output is NDJSON"
ndjson_to_csv "$T/first-ndjson" >"$T/back2.csv"
same_file "$T/back2.csv" $D/mixed.expected.csv "with the same content (column order included)"
sp sp-clean -q --format csv -o "$T/csv-from-ndjson.csv" $b
has "$T/csv-from-ndjson.csv" '^BBB,2020-01-02,20,21,19,20.5,,500,,,tech,12,$' "--format csv from NDJSON input"
sp sp-clean -q -o "$T/from-zst" "$c"
is "$(head -1 "$T/from-zst")" "symbol,date,open,high,low,close,adj_close,volume,currency,exchange,flags" \
	"a zstd CSV first: CSV, its columns put in contract order"

# An old flags column is replaced, not repeated.
printf 'symbol,date,open,high,low,close,adj_close,volume,flags,x\nA,2020-01-02,1,2,1,1.5,,,jump,y\n' >"$T/old-flags.csv"
sp sp-clean -q -o "$T/of.csv" "$T/old-flags.csv"
is "$(cat "$T/of.csv")" "symbol,date,open,high,low,close,adj_close,volume,x,flags
A,2020-01-02,1,2,1,1.5,,,y," "a stale flags column is dropped and flags recomputed"

done_testing
