#!/usr/bin/env bash
# t12-clean-flags: rows are flagged, never dropped: `jump` for a return beyond
# --mad-k robust sigmas of the last --mad-window returns, `split` when the
# close jumps but the adjusted close does not, `gap:N` after N missing
# trading days.  The series are made here from the NYSE session list, so
# the expected flags do not come from sp-clean.
. tests/cli/lib.sh

sessions() {	# NYSE sessions from 2019-01-02, one a line
	awk -F, 'NR > 1 && $1 >= "2019-01-02" { print substr($1, 1, 10) }' \
		tests/data/calendar/xnys_sessions_1990_2023.csv
}
# Bars from session number i (1-based) with a daily return alternating
# +1%, -0.5%, -1%, +0.5%; EVENTS lists "i:kind" with kind jump (close and
# adj_close x1.5), split (close / 2, adj_close as usual), drop (no bar:
# a gap), noadj (close / 2 in a series without adj_close).  The expected
# flags, "date flags", go to the file WANT.
series() {	# series SYMBOL N EVENTS WANT
	sessions | head -n "$2" | awk -v sym="$1" -v ev="$3" -v want="$4" '
	BEGIN { n = split(ev, e, " "); for (k = 1; k <= n; k++) { split(e[k], p, ":"); kind[p[1]] = p[2] }
		c = a = 100 }
	{
		i = NR; r = (i % 4 == 0) ? 0.01 : (i % 4 == 1) ? -0.005 : (i % 4 == 2) ? -0.01 : 0.005
		if (kind[i] == "drop") { missing++; next }
		if (kind[i] == "jump") { c *= 1.5; a *= 1.5 }
		else if (kind[i] == "split") { c /= 2; a *= 1 + r }
		else if (kind[i] == "noadj") c /= 2
		else if (i > 1) { c *= 1 + r; a *= 1 + r }
		f = kind[i] == "jump" || kind[i] == "noadj" ? "jump" : kind[i] == "split" ? "split" : ""
		if (missing) f = f (f ? ";" : "") "gap:" missing
		if (f) print $1, f > want
		missing = 0
		adj = kind[i] == "noadj" || ev ~ /noadj/ ? "" : sprintf("%.4f", a)
		printf "%s,%s,%.4f,%.4f,%.4f,%.4f,%s,1000\n", sym, $1, c, c * 1.01, c * 0.99, c, adj
	}'
}
invariant() {
	is "$(jq '.rows_read == .rows_written + .rows_rejected +
		.duplicates.exact + .duplicates.conflicting' "$1")" true \
		"$2: rows_read = rows_written + rows_rejected + duplicates"
}
flags_of() {	# flags_of CSV SYMBOL: "date flags" of the flagged rows
	awk -F, -v s="$2" '$1 == s && $NF != "" { print $2, $NF }' "$1"
}

{
	echo symbol,date,open,high,low,close,adj_close,volume
	series J 60 "35:jump 40:drop 41:drop 50:split 54:drop 55:jump" "$T/want.J"
	series K 30 "25:noadj" "$T/want.K"
} >"$T/in.csv"

exits 0 "flag series" sp sp-clean -q --summary "$T/s.json" -o "$T/out.csv" "$T/in.csv"
is "$(($(wc -l <"$T/out.csv") - 1))" 87 "flagged rows are written, not dropped (57 + 30)"
flags_of "$T/out.csv" J >"$T/got.J"
same_file "$T/got.J" "$T/want.J" "J: jump, gap:2, split, and jump;gap:1 on the right days"
is "$(cat "$T/want.J" | paste -sd' ')" \
	"2019-02-21 jump 2019-03-04 gap:2 2019-03-14 split 2019-03-21 jump;gap:1" \
	"(the expected J flags)"
flags_of "$T/out.csv" K >"$T/got.K"
same_file "$T/got.K" "$T/want.K" "K: without adj_close a halved close is a jump"
is "$(jq -c '.flags' "$T/s.json")" '{"jump":3,"split":1,"gap":2,"missing_days":3}' \
	"summary counts flags and missing days"
invariant "$T/s.json" "flag series"
is "$(flags_of "$T/out.csv" J | grep -c '2019-01-22\|2019-02-19')" 0 \
	"holidays (MLK, Presidents' Day) are no gap"
has "$T/out.csv" '^J,2019-03-14,[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+,1000,split$' \
	"flags is the last column"

# Stream mode keeps the same state per symbol and flags the same rows.
exits 0 "--stream on the same (sorted) input" \
	sp sp-clean -q --stream -o "$T/stream.csv" "$T/in.csv"
same_file "$T/stream.csv" "$T/out.csv" "--stream flags exactly as batch"

# --mad-k: a larger threshold flags no returns; gaps stay.
sp sp-clean -q --mad-k 1000 -o "$T/k.csv" "$T/in.csv"
is "$(flags_of "$T/k.csv" J | paste -sd' ')" "2019-03-04 gap:2 2019-03-21 gap:1" \
	"--mad-k 1000: no jump or split, the gaps remain"
# The split return is -69%; the jumps +41%; typical returns 1%.
sp sp-clean -q --mad-k 3 -o "$T/k3.csv" "$T/in.csv"
is "$(flags_of "$T/k3.csv" J | paste -sd' ')" "$(cat "$T/want.J" | paste -sd' ')" \
	"--mad-k 3 still flags only the real events"
# Before 1970 the calendar counts weekdays: Tuesday 1962-01-02 to Saturday
# 1962-01-06 misses Wednesday, Thursday and Friday.
printf '%s\n' symbol,date,open,high,low,close,adj_close,volume O,1962-01-02,1,2,1,1.5,, \
	O,1962-01-06,1,2,1,1.5,, >"$T/old.csv"
sp sp-clean -q -o "$T/old-out.csv" "$T/old.csv" 2>/dev/null
is "$(flags_of "$T/old-out.csv" O)" "1962-01-06 gap:3" "outside the calendar: weekdays missing before a weekend bar"
sp sp-clean -q --calendar none -o "$T/nocal.csv" "$T/in.csv"
is "$(grep -c gap "$T/nocal.csv")" 0 "--calendar none: no gap flags"

# --mad-window: 200 returns of 1% to 5%, then 30 of 0.02% to 0.1%, then +5%.
# In a window of 250 returns the move is ordinary; in the last 20 it is far
# beyond 10 sigmas.
sessions | head -n 232 | awk 'BEGIN { print "symbol,date,open,high,low,close,adj_close,volume"
		split("0.05 -0.03 0.01 -0.05 0.03 -0.01", cycle, " "); c = 100 }
	{ i = NR; r = cycle[i % 6 + 1] * (i <= 201 ? 1 : 0.02)
	  if (i == 232) r = 0.05
	  if (i > 1) c *= 1 + r
	  printf "W,%s,%.4f,%.4f,%.4f,%.4f,%.4f,1000\n", $1, c, c * 1.06, c * 0.94, c, c }' >"$T/w.csv"
last=$(sessions | sed -n 232p)
sp sp-clean -q -o "$T/w250.csv" "$T/w.csv"
is "$(flags_of "$T/w250.csv" W)" "" "default window (250): the last move is not flagged"
sp sp-clean -q --mad-window 20 --summary "$T/w.json" -o "$T/w20.csv" "$T/w.csv"
invariant "$T/w.json" "window series"
is "$(flags_of "$T/w20.csv" W)" "$last jump" "--mad-window 20: the last move is a jump"
exits 2 "--mad-window below 20 is a usage error" sp sp-clean --mad-window 5 "$T/w.csv" 2>/dev/null
exits 2 "--mad-k 0 is a usage error" sp sp-clean --mad-k 0 "$T/w.csv" 2>/dev/null

done_testing
