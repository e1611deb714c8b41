#!/usr/bin/env bash
# t19-clean-bad-input: the corpus in tests/data/bad/.  Each broken row gets
# its reject reason, the run goes on, and nothing else is lost: every GOOD
# row is written and rows_read = written + rejected + duplicates.
. tests/cli/lib.sh

B=tests/data/bad

# check FILE WANT: run on FILE; the rejects must be WANT ("LINE CODE ..."),
# every row of symbol GOOD must be written, and the invariant must hold.
check() {
	local f=$1 want=$2 name
	name=$(basename "$f")
	sp sp-clean -q --rejects "$T/rej.csv" --summary "$T/s.json" -o "$T/out" "$f" 2>"$T/err"
	ok $? "$name: cleaned with status 0"
	is "$(awk -F, -v src="$f" '$1 == src { r = $3; sub(/^"/, "", r); sub(/:.*/, "", r); print $2, r }' \
		"$T/rej.csv" | paste -sd' ')" "$want" "$name: rejects $want"
	is "$(jq '.rows_read == .rows_written + .rows_rejected +
		.duplicates.exact + .duplicates.conflicting' "$T/s.json")" true \
		"$name: rows_read = rows_written + rows_rejected + duplicates"
	is "$(grep -ac '"\?GOOD' "$T/out")" "$(grep -ac '"\?GOOD' "$f")" "$name: every GOOD row is written"
}

check $B/stray-quote.csv "3 malformed"
has "$T/rej.csv" '^tests/data/bad/stray-quote.csv,3,malformed: malformed quoting,"BAD,2020-01-02,""10,11' \
	"stray quote: the rejected row is that one line, as read"
check $B/unterminated-quote.csv "3 malformed"
has "$T/rej.csv" ',3,malformed: unterminated quoted field,' "the quote that never closes is named"
check $B/truncated-quote.csv "4 malformed"
has "$T/rej.csv" ',4,malformed: unterminated quoted field,' "a file that ends inside quotes"
check $B/field-count.csv "3 malformed 4 malformed 5 malformed 6 missing_field"
has "$T/rej.csv" ',4,"malformed: expected 8 fields, found 9",' "too many fields: the counts are given"
check $B/non-utf8.csv "3 malformed 4 malformed 5 malformed"
has "$T/rej.csv" ',3,malformed: invalid UTF-8,' "Latin-1 bytes are invalid UTF-8"
has "$T/out" '^GOOD,2020-01-02,10,11,9,10,10,100,café,$' "valid UTF-8 passes through"

# BOM and CRLF: read as if absent, never written.
check $B/bom-crlf.csv ""
printf 'symbol,date,open,high,low,close,adj_close,volume,flags\n' >"$T/want"
for d in 02 03 06; do echo "GOOD,2020-01-$d,10,11,9,10,10,100,"; done >>"$T/want"
same_file "$T/out" "$T/want" "BOM and CRLF input: plain output"

# Empty inputs are no error.
check $B/empty.csv ""
has "$T/err" "^sp-clean: $B/empty.csv: warning: empty input" "empty file: a warning"
is "$(cat "$T/out")" "symbol,date,open,high,low,close,adj_close,volume,flags" "empty file: a header alone"
check $B/header-only.csv ""
is "$(jq .rows_read "$T/s.json")" 0 "header only: 0 rows read"

# NDJSON with wrong types.
check $B/types.ndjson "2 bad_number 3 bad_symbol 4 bad_number 5 bad_number 6 bad_number 7 bad_date 8 bad_number 9 bad_volume 10 missing_field 11 missing_field 12 malformed 14 malformed 15 malformed 16 malformed"
jq -c . "$T/out" >/dev/null
ok $? "types.ndjson: the output is NDJSON that jq reads"
is "$(jq -r '[.date, .open, .high, .low, .close, .volume] | @csv' "$T/out" | tail -1)" \
	'"2020-01-06",10,11,9,10,100' "1e1, 1.1e1, 9.0 and 1.0e2 print as 10, 11, 9 and 100"
has "$T/rej.csv" ',2,"bad_number: open is a string, not a number: ""abc""",' "price \"abc\": bad_number"
has "$T/rej.csv" ',3,bad_symbol: symbol is not a string,' "symbol 7: bad_symbol"
has "$T/rej.csv" ',8,"bad_number: open is a string, not a number: ""10""",' "price \"10\" is a string"
has "$T/rej.csv" ',12,"?malformed: invalid JSON' "a broken line is invalid JSON"
has "$T/rej.csv" ',16,"malformed: invalid JSON: duplicate object key' "duplicate keys are refused"

# A NUL byte in a symbol: the row is rejected, not cut to "A".
printf 'symbol,date,open,high,low,close,adj_close,volume\nA\0B,2020-01-02,10,11,9,10,10,100\nGOOD,2020-01-02,10,11,9,10,10,100\n' >"$T/nul.csv"
sp sp-clean -q --rejects "$T/rej.csv" --summary "$T/s.json" -o "$T/out" "$T/nul.csv"
is "$(jq -c '[.rows_written, .rows_rejected]' "$T/s.json")" '[1,1]' "a NUL byte in a symbol: that row is rejected"
is "$(cut -d, -f1 "$T/out" | paste -sd' ')" "symbol GOOD" "and no symbol A appears"

# Huge fields, made here: 2 MB in a pass-through column, in a price, and a
# 2 MB quoted field that never closes.
{
	echo symbol,date,open,high,low,close,adj_close,volume,note
	echo "GOOD,2020-01-02,10,11,9,10,10,100,$(head -c 2000000 /dev/zero | tr '\0' x)"
	echo "BAD,2020-01-03,$(head -c 2000000 /dev/zero | tr '\0' 1),11,9,10,10,100,"
	echo "GOOD,2020-01-03,10,11,9,10,10,100,ok"
} >"$T/huge.csv"
check "$T/huge.csv" "3 bad_number"
is "$(head -2 "$T/out" | tail -1 | cut -d, -f9 | wc -c)" 2000001 "the 2 MB field passes through whole"
has "$T/rej.csv" ",3,bad_number: open is not a number: '1{40}'," "the message shows 40 bytes of it"
{
	echo symbol,date,open,high,low,close,adj_close,volume,note
	echo "GOOD,2020-01-02,10,11,9,10,10,100,ok"
	echo "BAD,2020-01-03,10,11,9,10,10,100,\"$(head -c 2000000 /dev/zero | tr '\0' y)"
	for d in 03 06 07; do echo "GOOD,2020-01-$d,10,11,9,10,10,100,ok"; done
} >"$T/huge-quote.csv"
check "$T/huge-quote.csv" "3 malformed"

done_testing
