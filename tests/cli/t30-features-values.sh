#!/usr/bin/env bash
# t30-features-values: sp-features' numbers against awk on the real sample
# (sma, ret, logret and the targets, adjusted and --raw), and the shape of
# its output: columns, formats, one row per bar, empty warm-up.
. tests/cli/lib.sh

S=tests/data/bars/sample.csv
# Two symbols keep the valgrind pass short.
head -3437 "$S" >"$T/in.csv"
rows=$(($(wc -l <"$T/in.csv") - 1))

# check OUT EXPECT DESCRIPTION: OUT and EXPECT are files of one number a
# line (empty = no value); they agree to 1e-9 relative, empties alike.
check() {
	local bad
	bad=$(paste -d' ' "$1" "$2" | awk '
		{ g = $1; w = $2 }
		NF > 2 { bad++; next }
		NF == 0 { next }
		NF == 1 { bad++; if (bad < 4) print "# line " NR ": got \"" $0 "\": one empty" > "/dev/stderr"; next }
		{ n++; d = g - w; if (d < 0) d = -d; m = w < 0 ? -w : w; if (m < 1e-300) m = 1e-300
		  if (d / m > 1e-9 && d > 1e-15) { bad++; if (bad < 4) print "# line " NR ": got " g ", want " w > "/dev/stderr" } }
		END { print bad + 0 }')
	is "$bad" 0 "$3"
}

# col FILE NAME: the column NAME of a CSV file, without its header.
col() {
	awk -F, -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next } { print $c }' "$1"
}

sp sp-features --spec 'sma:5,ret:1,ret:5,logret:1' -t 5 "$T/in.csv" >"$T/out.csv" 2>"$T/err"
ok $? "sp-features --spec ... -t 5 runs"
is "$(head -1 "$T/out.csv")" "symbol,date,close,sma_5,ret_1,ret_5,logret_1,y_ret_5" "columns"
is "$(($(wc -l <"$T/out.csv") - 1))" "$rows" "one row per bar"
is "$(cut -d, -f1-2 "$T/out.csv")" "$(cut -d, -f1-2 "$T/in.csv")" "symbol and date in input order"
col "$T/in.csv" close >"$T/close.in"
col "$T/out.csv" close >"$T/close.out"
check "$T/close.out" "$T/close.in" "the close column is the traded close"

# Expected values from the adjusted close (adj_close), per symbol.
awk -v OFMT=%.17g -F, 'NR > 1 {
	if ($1 != sym) { sym = $1; n = 0 }
	a[n] = $7; n++
	if (n >= 5) { s = 0; for (i = n - 5; i < n; i++) s += a[i]; sma = s / 5 } else sma = ""
	r1 = n >= 2 ? a[n-1] / a[n-2] - 1 : ""
	r5 = n >= 6 ? a[n-1] / a[n-6] - 1 : ""
	l1 = n >= 2 ? log(a[n-1] / a[n-2]) : ""
	print sma > "'"$T"'/sma.want"; print r1 > "'"$T"'/r1.want"
	print r5 > "'"$T"'/r5.want"; print l1 > "'"$T"'/l1.want"
}' "$T/in.csv"
# y_ret_5: five rows ahead within the symbol.
awk -v OFMT=%.17g -F, 'NR > 1 { s[NR] = $1; a[NR] = $7; last = NR }
	END { for (i = 2; i <= last; i++) print (i + 5 <= last && s[i + 5] == s[i]) ? a[i + 5] / a[i] - 1 : "" }' \
	"$T/in.csv" >"$T/y5.want"
for c in sma_5:sma ret_1:r1 ret_5:r5 logret_1:l1 y_ret_5:y5; do
	col "$T/out.csv" "${c%%:*}" >"$T/got"
	check "$T/got" "$T/${c#*:}.want" "${c%%:*} equals awk's on the adjusted close"
done
is "$(col "$T/out.csv" sma_5 | head -5 | tr '\n' ' ')" "    $(col "$T/out.csv" sma_5 | sed -n 5p) " \
	"warm-up rows are empty: sma_5 starts on the 5th bar"
is "$(awk -F, 'NR > 1 && $1 == "AAPL"' "$T/out.csv" | tail -5 | cut -d, -f8 | tr -d '\n')" "" \
	"y_ret_5 is empty for the last 5 rows of a symbol"
is "$(grep -ciE 'nan|inf' "$T/out.csv")" 0 "no nan or inf printed"

# EMA, Wilder's RSI and Bollinger %b, as TA-Lib seeds and defines them,
# written again in awk: EMA(10) seeded with the mean of the first 10
# closes; RSI(14) with the means of the first 14 gains and losses, then
# Wilder's smoothing; %b with the population deviation of 20 closes.
sp sp-features --spec 'ema:10,rsi:14,bb:20:2' "$T/in.csv" >"$T/osc.csv"
awk -v OFMT=%.17g -v CONVFMT=%.17g -F, -v dir="$T" 'NR > 1 {
	if ($1 != sym) { sym = $1; n = 0; ema = 0; s = 0; g = 0; l = 0 }
	c = $7; a[n] = c; n++
	# ema
	if (n < 10) { s += c; e = "" } else if (n == 10) { s += c; ema = s / 10; e = ema }
	else { ema = (c - ema) * (2 / 11) + ema; e = ema }
	# rsi
	r = ""
	if (n > 1) {
		d = c - a[n - 2]; up = d > 0 ? d : 0; dn = d < 0 ? -d : 0
		if (n <= 15) { g += up; l += dn; if (n == 15) { g /= 14; l /= 14 } }
		else { g = (g * 13 + up) / 14; l = (l * 13 + dn) / 14 }
		if (n >= 15) r = g + l == 0 ? 0 : 100 * g / (g + l)
	}
	# %b
	b = ""
	if (n >= 20) {
		m = 0; for (i = n - 20; i < n; i++) m += a[i]; m /= 20
		v = 0; for (i = n - 20; i < n; i++) v += (a[i] - m) ^ 2; sd = sqrt(v / 20)
		b = sd == 0 ? 0.5 : (c - (m - 2 * sd)) / (4 * sd)
	}
	print e > (dir "/ema.want"); print r > (dir "/rsi.want"); print b > (dir "/pctb.want")
}' "$T/in.csv"
for c in ema_10:ema rsi_14:rsi bb_pctb_20_2:pctb; do
	col "$T/osc.csv" "${c%%:*}" >"$T/got"
	check "$T/got" "$T/${c#*:}.want" "${c%%:*} equals awk's TA-Lib-style computation"
done

# Hand-computed values (tests/data/features/hand.expected.csv, worked out
# on paper from hand.csv; exact decimals, so compared to 1e-12 relative).
D=tests/data/features
sp sp-features --spec 'tr,gap,hlrange,dow,obv,willr:3,dhigh:3,dlow:3,mom:2,roc:2' "$D/hand.csv" >"$T/hand.out"
is "$(head -1 "$T/hand.out")" "$(head -1 "$D/hand.expected.csv")" "hand-computed case: columns"
is "$(paste -d'|' "$T/hand.out" "$D/hand.expected.csv" | awk -F'|' 'NR > 1 {
	n = split($1, g, ","); m = split($2, w, ",")
	if (n != m) { bad++; next }
	for (i = 1; i <= n; i++) {
		if (g[i] == w[i]) continue
		if (g[i] == "" || w[i] == "" || i <= 2) { bad++; print "# row " NR " field " i ": " g[i] " vs " w[i] > "/dev/stderr"; continue }
		d = g[i] - w[i]; if (d < 0) d = -d; a = w[i] < 0 ? -w[i] : w[i]
		if (d > 1e-12 * a && d > 1e-15) { bad++; print "# row " NR " field " i ": " g[i] " vs " w[i] > "/dev/stderr" }
	}
} END { print bad + 0 }')" 0 "hand-computed case: tr, gap, hlrange, dow, obv, willr, dhigh, dlow, mom, roc"

# Target kinds.
sp sp-features --spec ret:1 -t 5 --target-kind logret "$T/in.csv" >"$T/lr.csv"
col "$T/lr.csv" y_logret_5 >"$T/got"
awk -v OFMT=%.17g '{ print $1 == "" ? "" : log($1 + 1) }' "$T/y5.want" >"$T/want"
check "$T/got" "$T/want" "--target-kind logret: y_logret_5 = ln(1 + y_ret_5)"
sp sp-features --spec ret:1 -t 5 --target-kind dir "$T/in.csv" >"$T/dir.csv"
col "$T/dir.csv" y_dir_5 >"$T/got"
awk '{ print $1 == "" ? "" : ($1 > 0 ? 1 : 0) }' "$T/y5.want" >"$T/want"
same_file "$T/got" "$T/want" "--target-kind dir: y_dir_5 is 1 when y_ret_5 > 0, else 0"

# --raw: indicators on the traded close; they differ from the adjusted ones
# exactly where adj_close/close changes from one bar to the next.
sp sp-features --raw --spec 'sma:5,ret:1' "$T/in.csv" >"$T/raw.csv"
awk -v OFMT=%.17g -F, 'NR > 1 {
	if ($1 != sym) { sym = $1; n = 0 }
	a[n] = $6; n++
	if (n >= 5) { s = 0; for (i = n - 5; i < n; i++) s += a[i]; print s / 5 } else print ""
}' "$T/in.csv" >"$T/want"
col "$T/raw.csv" sma_5 >"$T/got"
check "$T/got" "$T/want" "--raw: sma_5 on the traded close"
col "$T/raw.csv" ret_1 >"$T/raw.r1"
col "$T/out.csv" ret_1 >"$T/adj.r1"
awk -v OFMT=%.17g -F, 'NR > 1 { f = $7 / $6; if ($1 == sym) print (f == pf ? "same" : "diff"); else print "none"; sym = $1; pf = f }' \
	"$T/in.csv" >"$T/factor"
is "$(paste -d' ' "$T/raw.r1" "$T/adj.r1" "$T/factor" | awk '
	$3 == "none" { next }
	{ d = $1 - $2; if (d < 0) d = -d; differ = d > 1e-12 * (($2 < 0 ? -$2 : $2) + 1e-300) }
	($3 == "diff") != differ { bad++ } END { print bad + 0 }')" 0 \
	"ret_1 raw and adjusted differ exactly where the adjustment factor changes"
is "$(col "$T/raw.csv" close | md5sum)" "$(col "$T/out.csv" close | md5sum)" \
	"--raw leaves the close column as traded too"

# Without adj_close the indicators use the close.
cut -d, -f1-6,8 "$T/in.csv" >"$T/noadj.csv"
sp sp-features --spec 'sma:5,ret:1' "$T/noadj.csv" >"$T/noadj.out"
same_file "$T/noadj.out" "$T/raw.csv" "no adj_close column: the same as --raw"

# Formats: NDJSON in and out, zstd, the column aliases.
sp sp-features --spec 'sma:5,ret:1' -f ndjson "$T/in.csv" >"$T/out.ndjson"
is "$(head -1 "$T/out.ndjson")" \
	'{"symbol":"AAPL","date":"2014-01-02","close":19.754642,"sma_5":null,"ret_1":null}' \
	"-f ndjson: warm-up values are null"
jq -c '{symbol, date, open: .close, high: .close, low: .close, close}' "$T/out.ndjson" >"$T/bars.ndjson" 2>"$T/junk" ||
	awk -F, 'NR > 1 { printf "{\"symbol\":\"%s\",\"date\":\"%s\",\"open\":%s,\"high\":%s,\"low\":%s,\"close\":%s}\n", $1, $2, $6, $6, $6, $6 }' \
		"$T/in.csv" >"$T/bars.ndjson"
sp sp-features --spec 'sma:5,ret:1' "$T/bars.ndjson" >"$T/nd.out"
head -1 "$T/nd.out" | grep -q '^{"symbol":"AAPL"'
ok $? "NDJSON input gives NDJSON output"
sp sp-features --spec 'sma:5,ret:1' -f csv "$T/bars.ndjson" >"$T/nd.csv"
same_file "$T/nd.csv" "$T/raw.csv" "NDJSON bars without adj_close give the same numbers as --raw on CSV"
if command -v zstd >"$T/junk"; then
	zstd -q -c "$T/in.csv" >"$T/in.csv.zst"
	sp sp-features --spec 'sma:5,ret:1' "$T/in.csv.zst" -o "$T/z.csv.zst"
	zstd -q -d -c "$T/z.csv.zst" >"$T/z.csv"
	sp sp-features --spec 'sma:5,ret:1' "$T/in.csv" >"$T/plain.csv"
	same_file "$T/z.csv" "$T/plain.csv" "zstd in and -o FILE.zst out"
fi
sed '1s/.*/Ticker,Date,Open,High,Low,Close,Adj Close,Volume/' "$T/in.csv" >"$T/alias.csv"
sp sp-features --spec 'sma:5,ret:1' "$T/alias.csv" >"$T/alias.out"
sp sp-features --spec 'sma:5,ret:1' "$T/in.csv" >"$T/plain.csv"
same_file "$T/alias.out" "$T/plain.csv" "Yahoo-style column names are understood"
cut -d, -f2- "$T/in.csv" | head -30 >"$T/nosym.csv"
sp sp-features --symbol xyz --spec ret:1 "$T/nosym.csv" >"$T/nosym.out"
is "$(sed -n 2p "$T/nosym.out" | cut -d, -f1)" XYZ "--symbol names input without a symbol column"

# Missing and bad price fields give empty features, not errors.
cat >"$T/holes.csv" <<'X'
symbol,date,open,high,low,close,adj_close,volume
AAA,2024-01-02,10,11,9,10,,100
AAA,2024-01-03,10,11,9,,,100
AAA,2024-01-04,10,11,9,x,,100
AAA,2024-01-05,10,11,9,12,,100
AAA,2024-01-08,10,11,9,13,,100
AAA,2024-01-09,10,11,9,13,oops,100
AAA,2024-01-10,10,11,9,14,,100
X
sp sp-features --spec 'ret:1,sma:2' "$T/holes.csv" >"$T/holes.out"
is "$(tail -n +2 "$T/holes.out" | cut -d, -f3- | tr '\n' ' ')" \
	"10,, ,, ,, 12,, 13,0.08333333333333326,12.5 13,, 14,, " \
	"missing or bad close or adj_close: empty features while they matter"

# -o writes the file and nothing to stdout.
sp sp-features --spec ret:1 "$T/in.csv" -o "$T/o.csv" >"$T/stdout"
is "$(wc -c <"$T/stdout")" 0 "-o FILE: nothing on stdout"
sp sp-features --spec ret:1 "$T/in.csv" >"$T/o2.csv"
same_file "$T/o.csv" "$T/o2.csv" "-o FILE: the same output"

done_testing
