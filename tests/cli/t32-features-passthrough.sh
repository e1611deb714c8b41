#!/usr/bin/env bash
# t32-features-passthrough: input columns that are not bars' (sp-clean's
# flags, a user's sector) pass through sp-features unchanged and in input
# order, between close and the features, in batch and --stream mode, CSV and
# NDJSON in and out; the feature columns stay those of a run without them.
# The expected pass-through text is written by hand below (one table), and
# spliced by awk into the output of the same run on the bars alone.
. tests/cli/lib.sh

S=tests/data/bars/sample.csv
# Two symbols, 400 bars each: long enough for --target 40 to wrap the
# queue of waiting rows, short enough for the valgrind pass.
head -3437 "$S" | awk -F, 'NR == 1 || ++n[$1] <= 400' >"$T/bars.csv"
rows=$(($(wc -l <"$T/bars.csv") - 1))

# Each value as written in the CSV input | as sp-features writes it in CSV |
# in NDJSON.  Quoted commas and quotes, an empty field, a needless quote, a
# number, and text that looks like one but is not JSON's.
sector_table='"Tech, Inc"|"Tech, Inc"|"Tech, Inc"
||null
"Energy"|Energy|"Energy"
"say ""hi"""|"say ""hi"""|"say \"hi\""
007|007|"007"
1.5|1.5|1.5
Utilities|Utilities|"Utilities"'
flags_table='||null
jump|jump|"jump"
jump;gap:3|jump;gap:3|"jump;gap:3"'
# awk reads them from the environment (-v would undo the backslashes).
export ST="$sector_table" FT="$flags_table"

# The bars with flags after high and sector last: the output has flags,
# then sector (input order), right after close.  Row i takes sector i % 7
# and flags i % 3 of the tables.
awk -F, -v OFS=, '
	BEGIN { ns = split(ENVIRON["ST"], s, "\n"); nf = split(ENVIRON["FT"], f, "\n")
		for (i = 1; i <= ns; i++) { split(s[i], p, "|"); s_in[i - 1] = p[1] }
		for (i = 1; i <= nf; i++) { split(f[i], p, "|"); f_in[i - 1] = p[1] } }
	NR == 1 { print "symbol,date,open,high,flags,low,close,adj_close,volume,sector"; next }
	{ i = NR - 2; print $1, $2, $3, $4, f_in[i % nf], $5, $6, $7, $8, s_in[i % ns] }' \
	"$T/bars.csv" >"$T/in.csv"

# The same rows as NDJSON, prices as JSON numbers, the extras in their
# NDJSON form: an empty flags as null, an empty sector as an absent key.
awk -F, '
	BEGIN { ns = split(ENVIRON["ST"], s, "\n"); nf = split(ENVIRON["FT"], f, "\n")
		for (i = 1; i <= ns; i++) { split(s[i], p, "|"); sj[i - 1] = p[3] }
		for (i = 1; i <= nf; i++) { split(f[i], p, "|"); fj[i - 1] = p[3] } }
	NR > 1 { i = NR - 2
		fl = ",\"flags\":" fj[i % nf]
		se = sj[i % ns] == "null" ? "" : ",\"sector\":" sj[i % ns]
		printf "{\"symbol\":\"%s\",\"date\":\"%s\",\"open\":%s,\"high\":%s%s,\"low\":%s,\"close\":%s,\"adj_close\":%s,\"volume\":%s%s}\n",
			$1, $2, $3, $4, fl, $5, $6, $7, $8, se }' "$T/bars.csv" >"$T/in.ndjson"
# The first record must show both keys, or they would not be columns.
is "$(head -1 "$T/in.ndjson" | jq -c 'keys_unsorted | map(select(. == "flags" or . == "sector"))')" \
	'["flags","sector"]' "the NDJSON input's first record has flags and sector"

# want_csv PLAIN OUT: PLAIN (numbers only, so plain commas) with each
# row's flags and sector in CSV form put after its third field.
want_csv() {
	awk -F, -v OFS=, '
		BEGIN { ns = split(ENVIRON["ST"], s, "\n"); nf = split(ENVIRON["FT"], f, "\n")
			for (i = 1; i <= ns; i++) { split(s[i], p, "|"); sc[i - 1] = p[2] }
			for (i = 1; i <= nf; i++) { split(f[i], p, "|"); fc[i - 1] = p[2] } }
		{ x = NR == 1 ? "flags,sector" : fc[(NR - 2) % nf] "," sc[(NR - 2) % ns]
		  rest = $0; sub(/^[^,]*,[^,]*,[^,]*/, "", rest)
		  print $1, $2, $3, x rest }' "$1" >"$2"
}

# want_ndjson PLAIN OUT: the same for NDJSON, "flags":F,"sector":S after
# the close.
want_ndjson() {
	awk '
		BEGIN { ns = split(ENVIRON["ST"], s, "\n"); nf = split(ENVIRON["FT"], f, "\n")
			for (i = 1; i <= ns; i++) { split(s[i], p, "|"); sj[i - 1] = p[3] }
			for (i = 1; i <= nf; i++) { split(f[i], p, "|"); fj[i - 1] = p[3] } }
		{ i = NR - 1
		  match($0, /"close":[^,}]*/)
		  print substr($0, 1, RSTART + RLENGTH - 1) ",\"flags\":" fj[i % nf] ",\"sector\":" \
			sj[i % ns] substr($0, RSTART + RLENGTH) }' "$1" >"$2"
}

spec='ret:1,sma:5,rsi:14,macd'

# ---- CSV to CSV, batch with targets (rows wait in a queue) ------------------
for t in 5 40; do
	sp sp-features --spec "$spec" -t $t "$T/bars.csv" >"$T/plain-t$t.csv"
	sp sp-features --spec "$spec" -t $t "$T/in.csv" >"$T/got-t$t.csv" 2>"$T/err"
	ok $? "batch -t $t with flags and sector runs"
	is "$(wc -c <"$T/err")" 0 "batch -t $t: nothing on stderr"
	want_csv "$T/plain-t$t.csv" "$T/want-t$t.csv"
	same_file "$T/got-t$t.csv" "$T/want-t$t.csv" \
		"batch -t $t: flags and sector after close, unchanged; features and target as without them"
done
is "$(head -1 "$T/got-t5.csv")" \
	"symbol,date,close,flags,sector,ret_1,sma_5,rsi_14,macd_12_26_9,macd_signal_12_26_9,macd_hist_12_26_9,y_ret_5" \
	"columns: symbol,date,close, pass-through in input order, features, target last"
is "$(($(wc -l <"$T/got-t5.csv") - 1))" "$rows" "one row per bar"

# ---- CSV to CSV, batch (the formatting thread is not used) and --stream -------
sp sp-features --spec "$spec" "$T/bars.csv" >"$T/plain.csv"
want_csv "$T/plain.csv" "$T/want.csv"
sp sp-features --spec "$spec" "$T/in.csv" >"$T/got.csv"
same_file "$T/got.csv" "$T/want.csv" "batch, no target: pass-through as expected"
sp sp-features --stream --spec "$spec" "$T/in.csv" >"$T/got-stream.csv"
same_file "$T/got-stream.csv" "$T/want.csv" "--stream: the same bytes"
sp sp-features --stream --spec "$spec" <"$T/in.csv" >"$T/got-stdin.csv"
same_file "$T/got-stdin.csv" "$T/want.csv" "--stream from stdin: the same bytes"

# ---- CSV to NDJSON ------------------------------------------------------------
sp sp-features --spec "$spec" -t 5 -f ndjson "$T/bars.csv" >"$T/plain-t5.ndjson"
want_ndjson "$T/plain-t5.ndjson" "$T/want-t5.ndjson"
sp sp-features --spec "$spec" -t 5 -f ndjson "$T/in.csv" >"$T/got-t5.ndjson"
same_file "$T/got-t5.ndjson" "$T/want-t5.ndjson" \
	"CSV to NDJSON, batch -t 5: text as strings, 1.5 as a number, empty as null"
sp sp-features --spec "$spec" -f ndjson "$T/bars.csv" >"$T/plain.ndjson"
want_ndjson "$T/plain.ndjson" "$T/want.ndjson"
sp sp-features --stream --spec "$spec" -f ndjson "$T/in.csv" >"$T/got-stream.ndjson"
same_file "$T/got-stream.ndjson" "$T/want.ndjson" "CSV to NDJSON, --stream"
is "$(jq -r 'select(.sector == "Tech, Inc" or .sector == "say \"hi\"") | .sector' "$T/got-t5.ndjson" |
	sort -u | tr '\n' '|')" 'Tech, Inc|say "hi"|' "jq reads the commas and quotes back"

# ---- NDJSON to CSV --------------------------------------------------------------
sp sp-features --spec "$spec" -t 5 -f csv "$T/in.ndjson" >"$T/nd-t5.csv" 2>"$T/err"
ok $? "NDJSON input with flags and sector runs"
same_file "$T/nd-t5.csv" "$T/want-t5.csv" "NDJSON to CSV, batch -t 5: the same as from CSV"
sp sp-features --stream --spec "$spec" -f csv "$T/in.ndjson" >"$T/nd-stream.csv"
same_file "$T/nd-stream.csv" "$T/want.csv" "NDJSON to CSV, --stream"
sp sp-features --spec "$spec" "$T/in.ndjson" >"$T/nd.ndjson"
same_file "$T/nd.ndjson" "$T/want.ndjson" "NDJSON to NDJSON, batch"

# ---- an NDJSON key first seen in a later record: dropped, as sp-clean --stream -
cat >"$T/late.ndjson" <<'X'
{"symbol":"AAA","date":"2024-01-02","open":10,"high":11,"low":9,"close":10,"sector":"T","n":1}
{"symbol":"AAA","date":"2024-01-03","open":10,"high":11,"low":9,"close":11,"flags":"jump","sector":"U","x":[1,{"a":2}]}
{"symbol":"AAA","date":"2024-01-04","open":10,"high":11,"low":9,"close":11.5,"n":2.5}
X
for mode in batch stream; do
	m=
	[ $mode = stream ] && m=--stream
	sp sp-features $m --spec ret:1 "$T/late.ndjson" >"$T/late-$mode.ndjson" 2>"$T/late-$mode.err"
	ok $? "$mode: a key first seen in a later record is not an error"
	is "$(jq -c '[.sector, .n]' "$T/late-$mode.ndjson" | tr '\n' ' ')" '["T",1] ["U",null] [null,2.5] ' \
		"$mode: the first record's keys pass through; absent ones are null"
	is "$(jq -c 'keys_unsorted' "$T/late-$mode.ndjson" | sort -u)" '["symbol","date","close","sector","n","ret_1"]' \
		"$mode: the later keys are not in the output"
	is "$(grep -c "not in the output, which has begun: dropped" "$T/late-$mode.err")" 2 \
		"$mode: one warning for each of flags and x"
	has "$T/late-$mode.err" "late.ndjson:2: warning: column 'x'" "$mode: the warning names the line and key"
done
sp sp-clean -q --stream "$T/late.ndjson" >"$T/late-clean.ndjson" 2>"$T/junk"
is "$(jq -c 'keys_unsorted - ["open","high","low","adj_close","volume","flags"]' "$T/late-clean.ndjson" | sort -u)" \
	'["symbol","date","close","sector","n"]' "sp-clean --stream keeps the same keys"

# ---- several inputs: the first one's columns -------------------------------------
{ echo 'symbol,date,open,high,low,close,note'; echo 'BBB,2024-01-02,10,11,9,10,hello'; } >"$T/second.csv"
{ head -1 "$T/in.csv"; sed -n 2,3p "$T/in.csv"; } >"$T/first.csv"
sp sp-features --spec ret:1 "$T/first.csv" "$T/second.csv" >"$T/two.csv" 2>"$T/two.err"
ok $? "two inputs with different columns run"
is "$(head -1 "$T/two.csv")" "symbol,date,close,flags,sector,ret_1" "the first input sets the columns"
is "$(tail -1 "$T/two.csv")" "BBB,2024-01-02,10,,," "a column the later input lacks is empty"
has "$T/two.err" "second.csv:1: warning: column 'note' is not in the output" \
	"a column only the later input has is dropped with a warning on its header line"

# ---- a column named like a feature, a duplicate, a header without rows --------
printf 'symbol,date,open,high,low,close,ret_1,tag,tag\nAAA,2024-01-02,10,11,9,10,99,a,b\nAAA,2024-01-03,10,11,9,11,99,c,d\n' \
	>"$T/clash.csv"
sp sp-features --spec ret:1 "$T/clash.csv" >"$T/clash.out" 2>"$T/clash.err"
is "$(cat "$T/clash.out")" "$(printf 'symbol,date,close,tag,ret_1\nAAA,2024-01-02,10,a,\nAAA,2024-01-03,11,c,0.10000000000000009')" \
	"an input ret_1 gives way to the feature; of two tag columns the first passes"
has "$T/clash.err" "column 'ret_1' is one sp-features writes" "with a warning that names it"
head -1 "$T/in.csv" >"$T/header-only.csv"
sp sp-features --spec ret:1 "$T/header-only.csv" >"$T/header-only.out"
is "$(cat "$T/header-only.out")" "symbol,date,close,flags,sector,ret_1" \
	"a CSV header without rows: its pass-through columns are in the output's"

# ---- more rows than one batch of the batch mode's printing ------------------------
awk -F, -v OFS=, 'NR == 1 { print $0, "note"; next } { print $0, (NR % 3 ? "\"n, " NR "\"" : "") }' "$S" \
	>"$T/long.csv"
sp sp-features --spec ret:1 -t 1 "$T/long.csv" >"$T/long-batch.csv"
sp sp-features --spec ret:1 -t 1 "$S" >"$T/long-plain.csv"
is "$(awk -F'"' '{ print $2 }' "$T/long-batch.csv" | tr '\n' ' ' | md5sum)" \
	"$(awk -F, 'NR == 1 { print ""; next } { print (NR % 3 ? "n, " NR : "") }' "$S" | tr '\n' ' ' | md5sum)" \
	"$(($(wc -l <"$S") - 1)) rows: every note in its row"
is "$(sed -E '1d; s/^([^,]*,[^,]*,[^,]*),("[^"]*")?,/\1,/' "$T/long-batch.csv" | md5sum)" \
	"$(sed 1d "$T/long-plain.csv" | md5sum)" "$(($(wc -l <"$S") - 1)) rows: the rest as without the note"

# ---- after sp-clean: its flags column comes through -------------------------------
sp sp-clean -q "$T/bars.csv" -o "$T/clean.csv"
sp sp-features --spec ret:1 "$T/clean.csv" >"$T/clean-f.csv"
is "$(head -1 "$T/clean-f.csv")" "symbol,date,close,flags,ret_1" "sp-clean | sp-features: flags after close"
is "$(cut -d, -f1,2,9 "$T/clean.csv" | md5sum)" "$(cut -d, -f1,2,4 "$T/clean-f.csv" | md5sum)" \
	"sp-clean's flags, row for row"
is "$(cut -d, -f4 "$T/clean-f.csv" | grep -c .)" "$(cut -d, -f9 "$T/clean.csv" | grep -c .)" \
	"and some are set"

done_testing
