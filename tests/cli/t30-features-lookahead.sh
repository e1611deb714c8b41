#!/usr/bin/env bash
# t30-features-lookahead: no look-ahead.  For random rows t, scrambling
# every row after t (prices, volumes, missing fields; of the same symbol and
# of others) leaves every non-y_ field of the rows up to t unchanged, in
# batch mode on sorted bars and in --stream mode on bars interleaved by
# date.  The y_ columns, which look ahead, do change.
. tests/cli/lib.sh

S=tests/data/bars/sample.csv
awk -F, 'NR == 1 || ($1 == "AAPL" && ++a <= 400) || ($1 == "XOM" && ++x <= 400)' "$S" >"$T/sorted.csv"
(head -1 "$T/sorted.csv" && tail -n +2 "$T/sorted.csv" | sort -t, -k2,2 -s) >"$T/inter.csv"
rows=$(($(wc -l <"$T/sorted.csv") - 1))
spec='ret:1,ret:5,logret:1,roc:3,mom:3,sma:5,ema:10,wma:5,macd,bb:20:2,vol:10,rsi:14,stoch,willr:14,cci:20,mfi:14,adx:14,tr,atr:14,obv,vzscore:20,gap,hlrange,dhigh:50,dlow:50,dow,lag:ret:1:3'
trials=12
[ -n "${SP_VALGRIND:-}" ] && trials=5

# scramble IN T SEED: IN with every row after data row T changed.
scramble() {
	awk -F, -v OFS=, -v t="$2" -v seed="$3" 'BEGIN { srand(seed) }
		NR <= t + 1 { print; next }
		{
			f = 0.5 + rand()
			for (i = 3; i <= 7; i++) $i = $i * f
			$8 = int($8 * (0.2 + 2 * rand()))
			r = rand()
			if (r < 0.05) $6 = ""; else if (r < 0.1) $8 = ""; else if (r < 0.12) $7 = "x"
			print
		}' "$1"
}

# nony FILE N: the first N data rows of FILE without its y_ columns.
nony() {
	awk -F, -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) keep[i] = $i !~ /^y_/ }
		NR > n + 1 { exit }
		{ s = ""; for (i = 1; i <= NF; i++) if (keep[i]) s = s (s == "" ? "" : ",") $i; print s }' "$1"
}

sp sp-features --spec "$spec" -t 5 "$T/sorted.csv" >"$T/base.batch"
sp sp-features --stream --spec "$spec" "$T/inter.csv" >"$T/base.stream"
bad_batch="" bad_stream="" ychanged=0
for k in $(seq "$trials"); do
	t=$(( (k * 7919 + 31) % (rows - 10) + 5 ))
	scramble "$T/sorted.csv" "$t" "$k" >"$T/s.csv"
	sp sp-features --spec "$spec" -t 5 "$T/s.csv" >"$T/s.out"
	[ "$(nony "$T/s.out" "$t")" = "$(nony "$T/base.batch" "$t")" ] || bad_batch="$bad_batch $t"
	# y_ret_5 of the rows just before t+1 looks at scrambled rows.
	[ "$(sed -n "$((t + 1))p" "$T/s.out")" != "$(sed -n "$((t + 1))p" "$T/base.batch")" ] &&
		ychanged=$((ychanged + 1))
	scramble "$T/inter.csv" "$t" "$k" >"$T/i.csv"
	sp sp-features --stream --spec "$spec" "$T/i.csv" >"$T/i.out"
	[ "$(nony "$T/i.out" "$t")" = "$(nony "$T/base.stream" "$t")" ] || bad_stream="$bad_stream $t"
done
is "$bad_batch" "" "batch: rows up to t unchanged by scrambling the rows after t ($trials random t)"
is "$bad_stream" "" "--stream, interleaved symbols: the same ($trials random t)"
ok $((ychanged == 0)) "the y_ret_5 of rows near t do change (the scrambling reaches them)"
# And the scrambled rows do change features: the test can see a change.
scramble "$T/sorted.csv" 10 1 >"$T/s.csv"
sp sp-features --spec "$spec" -t 5 "$T/s.csv" >"$T/s.out"
st=0
cmp -s <(nony "$T/s.out" 12) <(nony "$T/base.batch" 12) || st=$?
is "$st" 1 "scrambling the rows after t=10 changes row 11 (the comparison can fail)"

done_testing
