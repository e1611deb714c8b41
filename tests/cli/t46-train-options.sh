#!/usr/bin/env bash
# t46-train-options: the sp-train options the other tests do not reach each
# change what they say: --window, --val-frac, --exclude, --features,
# --alphas, --aci-gamma, --max-depth, --eta, --seed, --format,
# --promote-metric.
. tests/cli/lib.sh

awk -v seed=13 -v nsym=8 -v ndates=500 -v beta=0.004 -f tests/cli/synth.awk >"$T/a.csv"

sp sp-train -q "$T/a.csv" --window 200 --val-frac 0.3 --report "$T/r.json"
ok $? "--window 200 --val-frac 0.3"
is "$(jq -r '.walk_forward | [.window, .window_dates, .validation_fraction] | @tsv' "$T/r.json")" \
	"$(printf 'rolling\t200\t0.3')" "the report records the rolling window and the validation share"
# Rolling: each fold trains on at most 200 dates x 8 symbols.
is "$(jq '[.folds[].train.rows] | max <= 1600' "$T/r.json")" true "no fold trains on more than 200 dates"

sp sp-train -q "$T/a.csv" --exclude noise -o "$T/m.json"
is "$(jq -c .features "$T/m.json")" '["sig"]' "--exclude noise leaves sig"
sp sp-train -q "$T/a.csv" --features noise -o "$T/m2.json"
is "$(jq -c .features "$T/m2.json")" '["noise"]' "--features noise takes only noise"

sp sp-train -q "$T/a.csv" --alphas 3,7 --report "$T/ra.json"
is "$(jq -r '[.folds[].selected.alpha, .final.alpha] | map(. == 3 or . == 7) | all' "$T/ra.json")" true \
	"--alphas 3,7: every penalty chosen is 3 or 7"

sp sp-train -q "$T/a.csv" --adaptive --aci-gamma 0 --report "$T/g0.json"
sp sp-train -q "$T/a.csv" --adaptive --aci-gamma 0.05 --report "$T/g5.json"
ok $(jq -n --slurpfile a "$T/g0.json" --slurpfile b "$T/g5.json" \
	'$a[0].interval.empirical == $b[0].interval.empirical' | grep -c true) \
	"--aci-gamma changes the adaptive intervals"

SOURCE_DATE_EPOCH=0 sp sp-train -q -m gbdt --rounds 20 --max-depth 2 --eta 0.2 --seed 3 "$T/a.csv" -o "$T/g.json"
ok $? "gbdt with --max-depth, --eta and --seed"
is "$(jq -r '.params.booster.learner.gradient_booster.model.trees[0].tree_param.num_nodes | tonumber <= 7' "$T/g.json")" \
	true "--max-depth 2: a tree has at most 7 nodes"
SOURCE_DATE_EPOCH=0 sp sp-train -q -m gbdt --rounds 20 --max-depth 2 --eta 0.2 --seed 4 "$T/a.csv" -o "$T/g4.json"
cmp -s "$T/g.json" "$T/g4.json"
ok $((!$?)) "--seed changes the booster"

sp sp-train -q "$T/a.csv" -f ndjson --oos-predictions "$T/oos.ndjson"
is "$(head -1 "$T/oos.ndjson" | jq -r 'keys_unsorted | join(",")')" \
	"symbol,date,target_date,close,pred_return,pred_close,pred_lo,pred_hi,signal,model" \
	"-f ndjson: out-of-sample predictions as NDJSON, the contract's keys"

R=$T/reg
sp sp-train -q "$T/a.csv" --registry "$R" --name m 2>/dev/null
sp sp-train -q -m naive --naive zero "$T/a.csv" --registry "$R" --name m --promote-metric ic 2>/dev/null
is "$(tail -1 "$R/m/runs.ndjson" | jq -r '[.promotion.metric, .promotion.promoted] | @tsv')" \
	"$(printf 'ic\tfalse')" "--promote-metric ic: compared on the IC (the zero forecast has none)"
exits 2 "--val-frac outside (0, 1)" sp sp-train --val-frac 1 "$T/a.csv" 2>/dev/null
exits 2 "--window below 10" sp sp-train --window 5 "$T/a.csv" 2>/dev/null

done_testing
