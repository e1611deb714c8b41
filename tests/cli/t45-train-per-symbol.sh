#!/usr/bin/env bash
# t45-train-per-symbol: --per-symbol fits one model per symbol.  In data
# where the slope on sig is +beta for even symbols and -beta for odd ones, a
# pooled model finds nothing and per-symbol models find each sign.
. tests/cli/lib.sh

awk -v seed=4 -v nsym=6 -v ndates=800 -v beta=0.006 -v alt=1 -f tests/cli/synth.awk >"$T/alt.csv"

sp sp-train -q "$T/alt.csv" --report "$T/pooled.json"
ok $? "pooled run"
has <(jq -r .verdict "$T/pooled.json") "does not beat the random walk" "pooled: opposite slopes cancel out"

sp sp-train -q --per-symbol "$T/alt.csv" -o "$T/m.json" --report "$T/r.json" --oos-predictions "$T/oos.csv"
ok $? "per-symbol run"
is "$(jq -r '.params.per_symbol | keys | join(" ")' "$T/m.json")" "S000 S001 S002 S003 S004 S005" \
	"one model per symbol in the model file"
is "$(jq -r '[.params.per_symbol | to_entries[] | (.value.params.coef[0] > 0)] | map(tostring) | join(" ")' "$T/m.json")" \
	"true false true false true false" "each symbol's slope on sig has its planted sign"
is "$(jq -r '.by_symbol | length' "$T/r.json")" 6 "the report has each symbol's figures"
p=$(jq -r '.overall.ridge.dm_p' "$T/r.json")
awk -v p="$p" 'BEGIN { exit !(p < 0.05) }'
ok $? "pooled out-of-sample figures of the per-symbol models beat the random walk (p = $p)"

# sp-predict uses each symbol's own coefficients: checked against the file.
sp sp-predict -m "$T/m.json" "$T/alt.csv" >"$T/p.csv"
ok $? "sp-predict with a per-symbol model"
jq -r '.params.per_symbol | to_entries[] | [.key, .value.params.intercept, .value.params.coef[0], .value.params.coef[1], .value.half_width] | @tsv' \
	"$T/m.json" >"$T/coef.tsv"
is "$(awk -F, 'FILENAME ~ /coef/ { split($0, a, "\t"); b0[a[1]] = a[2]; b1[a[1]] = a[3]; b2[a[1]] = a[4]; hw[a[1]] = a[5]; next }
	FNR == 1 { next }
	FILENAME ~ /alt/ { x1[$1 "," $2] = $4; x2[$1 "," $2] = $5; c[$1 "," $2] = $3; next }
	{ k = $1 "," $2; r = b0[$1] + b1[$1] * x1[k] + b2[$1] * x2[k]; n++
	  d = $5 - r; if (d < 0) d = -d; if (d > 1e-12 * (r < 0 ? -r : r) + 1e-18) bad++
	  lo = c[k] * (1 + r - hw[$1]); d = $7 - lo; if (d < 0) d = -d; if (d > 1e-9 * lo) bad++ }
	END { print n, bad + 0 }' "$T/coef.tsv" "$T/alt.csv" "$T/p.csv")" "4800 0" \
	"each row is predicted with its symbol's coefficients and interval"

# A symbol without a model of its own is counted, not predicted.
{ head -1 "$T/alt.csv"; tail -n +2 "$T/alt.csv" | head -50 | sed 's/^S000/NEW1/'; } >"$T/new.csv"
sp sp-predict -m "$T/m.json" "$T/new.csv" >"$T/pn.csv" 2>"$T/err"
ok $? "a symbol the model does not know: exit 0"
has "$T/err" "50 of 50 rows not predicted" "its rows are counted on stderr"

# Too few dates for one symbol: left out with a warning, the rest fitted.
{ cat "$T/alt.csv"; awk -F, -v OFS=, 'NR > 1 && NR <= 30 { $1 = "TINY"; print }' "$T/alt.csv"; } >"$T/tiny.csv"
sp sp-train -q --per-symbol "$T/tiny.csv" -o "$T/mt.json" --report "$T/rt.json" 2>"$T/err"
ok $? "a symbol with too few dates does not stop the others"
has "$T/err" "TINY: no model" "the short symbol is named"
is "$(jq -r '.symbols_without_model | join(" ")' "$T/rt.json")" TINY "the report lists it"

done_testing
