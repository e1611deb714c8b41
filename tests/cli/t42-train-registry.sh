#!/usr/bin/env bash
# t42-train-registry: versions, the run log, promotion, concurrent runs, and
# sp-predict reading the current version.
. tests/cli/lib.sh

synth() { awk "$@" -f tests/cli/synth.awk; }
synth -v seed=5 -v nsym=10 -v ndates=500 -v beta=0.004 >"$T/a.csv"
R=$T/reg

sp sp-train -q "$T/a.csv" --registry "$R" --name alpha 2>"$T/err"
ok $? "first run stores a version"
has "$T/err" "alpha/v1 stored; now current" "first run: v1 is current"
is "$(readlink "$R/alpha/current")" v1 "current -> v1"
[ -f "$R/alpha/v1/model.json" ] && [ -f "$R/alpha/v1/report.json" ]
ok $? "v1 has its model and report"
is "$(jq -r '.promotion.reason' "$R/alpha/runs.ndjson")" "no current model" "log: why v1 was promoted"
is "$(jq -r '"\(.name)@\(.version)"' "$R/alpha/v1/model.json")" alpha@1 "the model knows its name and version"

# A worse model (the zero forecast) is not promoted on the latest fold.
sp sp-train -q -m naive --naive zero "$T/a.csv" --registry "$R" --name alpha 2>"$T/err"
ok $? "second run (naive zero) stores v2"
is "$(readlink "$R/alpha/current")" v1 "a worse model does not become current"
is "$(tail -1 "$R/alpha/runs.ndjson" | jq -r '[.promotion.promoted, .promotion.metric, .promotion.new > .promotion.current] | @tsv')" \
	"$(printf 'false\trmse\ttrue')" "log: not promoted, with both RMSEs on the latest fold"

# The same model again with --promote always; then a better one in auto.
sp sp-train -q -m naive --naive zero "$T/a.csv" --registry "$R" --name alpha --promote always 2>/dev/null
is "$(readlink "$R/alpha/current")" v3 "--promote always switches current"
sp sp-train -q "$T/a.csv" --registry "$R" --name alpha 2>/dev/null
is "$(readlink "$R/alpha/current")" v4 "auto: ridge beats the current zero forecast and is promoted"
is "$(tail -1 "$R/alpha/runs.ndjson" | jq -r .promotion.current_version)" 3 "log: compared against v3"
sp sp-train -q "$T/a.csv" --registry "$R" --name alpha --promote never 2>/dev/null
is "$(readlink "$R/alpha/current")" v4 "--promote never leaves current alone"

# Two trainings at once: distinct versions, whole log lines, a valid current.
sp sp-train -q "$T/a.csv" --registry "$R" --name alpha --promote always 2>/dev/null &
p1=$!
sp sp-train -q "$T/a.csv" --registry "$R" --name alpha --promote always 2>/dev/null &
p2=$!
wait $p1
s1=$?
wait $p2
ok $((s1 || $?)) "concurrent: both runs succeed"
is "$(ls "$R/alpha" | grep -c '^v[0-9]*$')" 7 "concurrent: seven versions in all"
is "$(jq -r .version "$R/alpha/runs.ndjson" | sort -n | tr '\n' ' ')" "1 2 3 4 5 6 7 " \
	"concurrent: the log has one whole line per version"
cur=$(readlink "$R/alpha/current")
[ "$cur" = v6 ] || [ "$cur" = v7 ]
ok $? "concurrent: current is one of the two new versions ($cur)"

# sp-predict follows the registry's current version.
sp sp-predict --registry "$R" --name alpha "$T/a.csv" >"$T/pred.csv" 2>/dev/null
ok $? "sp-predict --registry runs"
is "$(tail -n +2 "$T/pred.csv" | cut -d, -f10 | sort -u)" "alpha@${cur#v}" "predictions name the current version"
exits 1 "sp-predict: a registry name without versions" sp sp-predict --registry "$R" --name beta "$T/a.csv" 2>"$T/err"
has "$T/err" "no current model" "no current model: says so"
exits 2 "sp-train: --registry without --name" sp sp-train "$T/a.csv" --registry "$R" 2>/dev/null
exits 1 "sp-train: a bad model name" sp sp-train -q "$T/a.csv" --registry "$R" --name ../x 2>/dev/null

done_testing
