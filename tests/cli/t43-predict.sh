#!/usr/bin/env bash
# t43-predict: sp-predict's numbers against the model file's coefficients,
# the contract's columns, missing values, errors, --stream and SIGHUP.
. tests/cli/lib.sh

synth() { awk "$@" -f tests/cli/synth.awk; }
synth -v seed=9 -v nsym=6 -v ndates=400 -v beta=0.004 >"$T/a.csv"
sp sp-train -q "$T/a.csv" -o "$T/m.json" --buy 0.002 --sell -0.002
ok $? "a model to predict with"

sp sp-predict -m "$T/m.json" "$T/a.csv" >"$T/p.csv"
ok $? "batch run"
is "$(head -1 "$T/p.csv")" "symbol,date,target_date,close,pred_return,pred_close,pred_lo,pred_hi,signal,model" \
	"the contract's columns"
is "$(($(wc -l <"$T/p.csv") - 1))" $(($(wc -l <"$T/a.csv") - 1)) "one prediction per input row"

# Independently: pred = intercept + coef . (sig, noise), from the model file.
read -r b0 b1 b2 hw <<<"$(jq -r '[.params.intercept, .params.coef[0], .params.coef[1], .interval.half_width] | @tsv' "$T/m.json")"
awk -F, -v b0="$b0" -v b1="$b1" -v b2="$b2" -v hw="$hw" 'NR == FNR { if (FNR > 1) want[$1 "," $2] = $3 "," $4 "," $5; next }
	FNR > 1 {
		split(want[$1 "," $2], w, ",")
		r = b0 + b1 * w[2] + b2 * w[3]
		s = r > 0.002 ? "buy" : r < -0.002 ? "sell" : "hold"
		bad += abs($5 - r) > 1e-12 * (abs(r) + 1e-300) + 1e-17
		bad += abs($6 - w[1] * (1 + r)) > 1e-12 * $6
		bad += abs($7 - w[1] * (1 + r - hw)) > 1e-12 * $7
		bad += abs($8 - w[1] * (1 + r + hw)) > 1e-12 * $8
		bad += $4 != w[1] || $9 != s || $10 != "ridge"
		n++
	}
	function abs(v) { return v < 0 ? -v : v }
	END { print bad + 0, n }' "$T/a.csv" "$T/p.csv" >"$T/check"
is "$(cat "$T/check")" "0 2400" "pred_return, pred_close, interval, signal and model agree with the coefficients"
is "$(awk -F, '$2 == "2010-01-04" { print $3; exit }' "$T/p.csv")" 2010-01-11 \
	"target_date: five sessions on (over a weekend)"
is "$(awk -F, '$2 == "2010-05-28" { print $3; exit }' "$T/p.csv")" 2010-06-07 \
	"target_date: five sessions on, skipping Memorial Day"

# NDJSON in and out.
jq -R -c 'split(",") as $f | select($f[0] != "symbol") | {symbol: $f[0], date: $f[1], close: ($f[2]|tonumber), sig: ($f[3]|tonumber), noise: ($f[4]|tonumber)}' \
	"$T/a.csv" >"$T/a.ndjson"
sp sp-predict -m "$T/m.json" "$T/a.ndjson" | jq -r '[.symbol, .date, .pred_return] | @csv' | tr -d '"' >"$T/pj.csv"
cut -d, -f1,2,5 "$T/p.csv" | tail -n +2 >"$T/pc.csv"
# jq prints numbers its own way: compare them as numbers.
is "$(paste -d, "$T/pj.csv" "$T/pc.csv" | awk -F, '$1 != $4 || $2 != $5 || $3 != $6 + 0 { n++ } END { print NR, n + 0 }')" \
	"2400 0" "NDJSON input gives NDJSON predictions with the same numbers"

# A missing value: that row is skipped and counted; a missing column fails.
awk -F, -v OFS=, 'NR == 3 { $4 = "" } 1' "$T/a.csv" >"$T/hole.csv"
sp sp-predict -m "$T/m.json" "$T/hole.csv" >"$T/ph.csv" 2>"$T/err"
ok $? "a row with a missing feature: still exit 0"
has "$T/err" "1 of 2400 rows not predicted" "the skipped row is counted on stderr"
is "$(($(wc -l <"$T/ph.csv") - 1))" 2399 "the other rows are predicted"
cut -d, -f1-3,5 "$T/a.csv" >"$T/nosig.csv"
exits 1 "a column the model reads is missing" sp sp-predict -m "$T/m.json" "$T/nosig.csv" 2>"$T/err"
has "$T/err" "no column 'sig', which the model ridge reads" "the message names the feature"
echo '{"format": "sp-model", "format_version": 9}' >"$T/new.json"
exits 1 "a model from a newer format" sp sp-predict -m "$T/new.json" "$T/a.csv" 2>"$T/err"
has "$T/err" "format version 9" "a newer format: says so"
exits 2 "neither --model nor --registry" sp sp-predict "$T/a.csv" 2>/dev/null
{ head -1 "$T/a.csv"; echo "S000,2010-01-04,100,x,1,"; } >"$T/bad.csv"
exits 1 "a bad number" sp sp-predict -m "$T/m.json" "$T/bad.csv" 2>"$T/err"
has "$T/err" "bad.csv:2: sig is not a number" "a bad number: FILE:LINE"

# A logistic model: the probability of a rise from its coefficients, the
# return as p * up_mean + (1 - p) * down_mean, signals on the probability.
sp sp-train -q -m logistic "$T/a.csv" -o "$T/l.json"
ok $? "a logistic model"
sp sp-predict -m "$T/l.json" "$T/a.csv" >"$T/pl.csv"
read -r l0 l1 l2 up down <<<"$(jq -r '[.params.intercept, .params.coef[0], .params.coef[1], .params.up_mean, .params.down_mean] | @tsv' "$T/l.json")"
is "$(awk -F, -v l0="$l0" -v l1="$l1" -v l2="$l2" -v up="$up" -v down="$down" '
	NR == FNR { if (FNR > 1) { x1[$1 "," $2] = $4; x2[$1 "," $2] = $5 }; next }
	FNR > 1 { k = $1 "," $2; p = 1 / (1 + exp(-(l0 + l1 * x1[k] + l2 * x2[k])))
		r = p * up + (1 - p) * down; d = $5 - r; if (d < 0) d = -d
		if (d > 1e-12) bad++
		s = p > 0.55 ? "buy" : p < 0.45 ? "sell" : "hold"; if (s != $9) bad++
		sig[$9]++; n++ }
	END { print n, bad + 0, (sig["buy"] > 0 && sig["sell"] > 0) }' "$T/a.csv" "$T/pl.csv")" "2400 0 1" \
	"logistic: returns and buy/sell signals agree with the probability from the coefficients"

# gbdt and ensemble model files load back (XGBoost's reals stay reals).
sp sp-train -q -m gbdt --threads 1 --rounds 30 "$T/a.csv" -o "$T/g.json"
sp sp-predict -m "$T/g.json" "$T/a.csv" >"$T/pg.csv" 2>"$T/err"
ok $? "a gbdt model file loads and predicts"
is "$(tail -n +2 "$T/pg.csv" | awk -F, '$5 == "" || $10 != "gbdt"' | wc -l)" 0 "gbdt: every row predicted"
sp sp-train -q -m ensemble --threads 1 --rounds 30 "$T/a.csv" -o "$T/e.json"
sp sp-predict -m "$T/e.json" "$T/a.csv" >"$T/pe.csv" 2>"$T/err"
ok $? "an ensemble model file loads and predicts"
is "$(jq -r '[.params.members[].weight] | add' "$T/e.json")" 1 "ensemble: weights sum to 1"

# A momentum model reads ret_5 only: its prediction is that column.
awk -F, -v OFS=, 'NR == 1 { print $0, "ret_5"; next }
	{ k = $1; n[k]++; c[k, n[k]] = $3; r = n[k] > 5 ? $3 / c[k, n[k] - 5] - 1 : ""; print $0, r }' \
	"$T/a.csv" >"$T/mom.csv"
sp sp-train -q -m naive --naive momentum "$T/mom.csv" -o "$T/mom.json"
is "$(jq -c .features "$T/mom.json")" '["ret_5"]' "momentum: the model reads ret_5 only"
sp sp-predict -m "$T/mom.json" "$T/mom.csv" >"$T/pm.csv" 2>"$T/err"
ok $? "momentum: predicts"
is "$(awk -F, 'NR == FNR { if (FNR > 1 && $7 != "") want[$1 "," $2] = $7; next }
	FNR > 1 { n++; if (($1 "," $2) in want && $5 + 0 != want[$1 "," $2] + 0) bad++ } END { print n, bad + 0 }' "$T/mom.csv" "$T/pm.csv")" \
	"2370 0" "momentum: pred_return is ret_5 wherever it is known"

# Large plain files are read on several threads: the same bytes come out.
awk -v seed=21 -v nsym=40 -v ndates=300 -v beta=0.004 -f tests/cli/synth.awk >"$T/big.csv"
SP_SPLIT_MIN=1000000000000 sp sp-predict -m "$T/m.json" "$T/big.csv" >"$T/one.csv" 2>/dev/null
SP_SPLIT_MIN=1 SP_SPLIT_CHUNK=20000 sp sp-predict -m "$T/m.json" "$T/big.csv" >"$T/many.csv" 2>/dev/null
ok $? "threads: a file cut in chunks of 20 kB"
is "$(($(wc -l <"$T/many.csv") - 1))" 12000 "threads: every row predicted"
same_file "$T/many.csv" "$T/one.csv" "threads: byte for byte the output of one thread"
SP_SPLIT_MIN=1 SP_SPLIT_CHUNK=20000 sp sp-predict -m "$T/m.json" -f ndjson "$T/big.csv" | tail -n +1 | wc -l >"$T/nd"
is "$(cat "$T/nd")" 12000 "threads: NDJSON output too"
awk -F, -v OFS=, 'NR == 9001 { $4 = "oops" } 1' "$T/big.csv" >"$T/bigbad.csv"
SP_SPLIT_MIN=1 SP_SPLIT_CHUNK=20000 sp sp-predict -m "$T/m.json" "$T/bigbad.csv" -o "$T/bb.csv" 2>"$T/err"
is "$?" 1 "threads: a bad row in a later chunk fails the run"
has "$T/err" "bigbad.csv:9001: sig is not a number" "threads: the message has the file's line number"
[ ! -e "$T/bb.csv" ]
ok $? "threads: a failed run leaves no -o file"

# --stream: a prediction is out before the next row comes; SIGHUP reloads.
wait_lines() {	# wait_lines FILE N: up to 20 s for FILE to have N lines
	for _ in $(seq 200); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
R=$T/reg
sp sp-train -q "$T/a.csv" --registry "$R" --name live 2>/dev/null
mkfifo "$T/fifo"
: >"$T/live"
(exec $SP_WRAP "$SP_BIN/sp-predict" --stream --registry "$R" --name live "$T/fifo" >"$T/live" 2>"$T/err") &
pid=$!
exec 3>"$T/fifo"
head -2 "$T/a.csv" >&3
wait_lines "$T/live" 2
ok $? "--stream: the first prediction is out before the next row"
sed -n 3p "$T/a.csv" >&3
wait_lines "$T/live" 3
ok $? "--stream: the second follows at once"
sp sp-train -q -m naive "$T/a.csv" --registry "$R" --name live --promote always 2>/dev/null
kill -HUP $pid
sleep 0.5
sed -n 4,5p "$T/a.csv" >&3
wait_lines "$T/live" 5
ok $? "--stream: rows after SIGHUP are predicted"
exec 3>&-
wait $pid
ok $? "--stream: exits 0 at the end of its input"
is "$(tail -n +2 "$T/live" | cut -d, -f10 | tr '\n' ' ')" "live@1 live@1 live@2 live@2 " \
	"SIGHUP: the model is reloaded between two rows, none lost"
has "$T/err" "reloaded: live@2" "SIGHUP: the reload is reported"

done_testing
