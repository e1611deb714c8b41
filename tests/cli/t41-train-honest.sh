#!/usr/bin/env bash
# t41-train-honest: no leakage across walk-forward folds, conformal coverage
# under changing volatility, byte-identical model files, bad input.
. tests/cli/lib.sh

synth() { awk "$@" -f tests/cli/synth.awk; }
synth -v seed=3 -v nsym=12 -v ndates=600 -v beta=0.004 >"$T/a.csv"

# ---- no leakage ---------------------------------------------------------------
sp sp-train -q "$T/a.csv" --report "$T/r.json" --oos-predictions "$T/oos-a.csv"
ok $? "leakage: first run"
end2=$(jq -r '.folds[1].test.to' "$T/r.json")
# The date 5 trading dates (the embargo) after fold 2's test period.
cut=$(tail -n +2 "$T/a.csv" | cut -d, -f2 | sort -u | awk -v e="$end2" '$0 > e { if (++n == 5) { print; exit } }')
# Change every value of every row after CUT: prices, features and targets.
awk -F, -v OFS=, -v cut="$cut" 'NR > 1 && $2 > cut {
	$3 = $3 * 1.5; $4 = -$4 + 1; $5 = $5 * 3; if ($6 != "") $6 = $6 * -2 + 0.01 } 1' \
	"$T/a.csv" >"$T/b.csv"
cmp -s "$T/a.csv" "$T/b.csv"
ok $((!$?)) "leakage: the perturbed data differs (after $cut)"
sp sp-train -q "$T/b.csv" --oos-predictions "$T/oos-b.csv"
ok $? "leakage: second run"
awk -F, -v e="$end2" 'NR == 1 || $2 <= e' "$T/oos-a.csv" >"$T/early-a.csv"
awk -F, -v e="$end2" 'NR == 1 || $2 <= e' "$T/oos-b.csv" >"$T/early-b.csv"
is "$(($(wc -l <"$T/early-a.csv") > 1000))" 1 "leakage: folds 1 and 2 have many predictions"
same_file "$T/early-b.csv" "$T/early-a.csv" \
	"leakage: changing data after fold 2 + embargo changes none of folds 1-2's predictions"
awk -F, -v e="$end2" 'NR > 1 && $2 > e' "$T/oos-a.csv" >"$T/late-a.csv"
awk -F, -v e="$end2" 'NR > 1 && $2 > e' "$T/oos-b.csv" >"$T/late-b.csv"
cmp -s "$T/late-a.csv" "$T/late-b.csv"
ok $((!$?)) "leakage: the later folds did change (the test can fail)"

# ---- conformal coverage under a volatility jump -------------------------------
synth -v seed=11 -v nsym=30 -v ndates=1200 -v beta=0.002 -v volmult=3 >"$T/vol.csv"
sp sp-train -q "$T/vol.csv" --adaptive --report "$T/vol.json"
ok $? "conformal: adaptive run"
cov=$(jq -r '.interval.empirical' "$T/vol.json")
awk -v c="$cov" 'BEGIN { exit !(c > 0.77 && c < 0.83) }'
ok $? "conformal: adaptive coverage within 3 points of 80% with volatility tripling ($cov)"
sp sp-train -q "$T/vol.csv" --coverage 0.9 --adaptive --report "$T/vol9.json"
cov=$(jq -r '.interval.empirical' "$T/vol9.json")
awk -v c="$cov" 'BEGIN { exit !(c > 0.87 && c < 0.93) }'
ok $? "conformal: adaptive coverage within 3 points of 90% ($cov)"
sp sp-train -q "$T/vol.csv" --report "$T/split.json"
echo "# split conformal, same data: $(jq -r '.interval.empirical' "$T/split.json")"

# ---- determinism ----------------------------------------------------------------
# The same command twice (the model records its command line).
SOURCE_DATE_EPOCH=1700000000 sp sp-train -q "$T/a.csv" -o "$T/m.json" && mv "$T/m.json" "$T/m1.json"
SOURCE_DATE_EPOCH=1700000000 sp sp-train -q "$T/a.csv" -o "$T/m.json"
same_file "$T/m.json" "$T/m1.json" "determinism: ridge model files are byte-identical"
is "$(jq -r .created "$T/m1.json")" 2023-11-14T22:13:20Z "determinism: created comes from SOURCE_DATE_EPOCH"
SOURCE_DATE_EPOCH=0 sp sp-train -q -m gbdt --threads 1 --rounds 40 "$T/a.csv" -o "$T/g.json" &&
	mv "$T/g.json" "$T/g1.json"
SOURCE_DATE_EPOCH=0 sp sp-train -q -m gbdt --threads 1 --rounds 40 "$T/a.csv" -o "$T/g.json"
same_file "$T/g.json" "$T/g1.json" "determinism: gbdt model files are byte-identical"
is "$(jq -r '.params.booster | type' "$T/g.json")" object "gbdt: the booster is inside the model file"

# ---- bad input ------------------------------------------------------------------
cut -d, -f1-5 "$T/a.csv" >"$T/notarget.csv"
exits 1 "no target column" sp sp-train -q "$T/notarget.csv" 2>"$T/err"
has "$T/err" "no target column" "no target column: says so"
exits 1 "a named feature the input lacks" sp sp-train -q --features sig,nope "$T/a.csv" 2>"$T/err"
has "$T/err" "no 'nope' column" "a named feature the input lacks: names it"
{ head -1 "$T/a.csv"; echo "S000,2010-01-04,100,abc,1,0.1"; } >"$T/bad.csv"
exits 1 "a text value in a named feature" sp sp-train -q --features sig "$T/bad.csv" 2>"$T/err"
has "$T/err" "bad.csv:2: sig: 'abc' is not a number" "a text value: FILE:LINE: what"
head -40 "$T/a.csv" >"$T/short.csv"
exits 1 "too few dates" sp sp-train -q "$T/short.csv" 2>"$T/err"
has "$T/err" "too few|no training dates" "too few dates: says so"
exits 2 "an unknown model kind" sp sp-train --model forest "$T/a.csv" 2>"$T/err"
exits 1 "embargo shorter than the horizon" sp sp-train -q --embargo 2 "$T/a.csv" 2>"$T/err"
has "$T/err" "shorter than the horizon" "embargo: says why"

done_testing
