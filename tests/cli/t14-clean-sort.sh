#!/usr/bin/env bash
# t14-clean-sort: batch mode sorts past its --memory budget with an external
# merge sort; the output is byte-identical to the in-memory run, duplicates
# are settled the same way across runs, and no run file is left behind.
. tests/cli/lib.sh

sample=tests/data/bars/sample.csv

invariant() {
	is "$(jq '.rows_read == .rows_written + .rows_rejected +
		.duplicates.exact + .duplicates.conflicting' "$1")" true \
		"$2: rows_read = rows_written + rows_rejected + duplicates"
}

# The sample's good rows with a pass-through `note` column, in a scrambled
# but fixed order, then later copies of some rows: every 40th identical
# (exact duplicate), every 40th + 1 with volume + 1 and every 40th + 2 with
# another note (conflicting duplicates: the copy, read last, wins).
echo "$(head -1 $sample),note" >"$T/in.csv"
grep -v '^DXC,2018-06-01,' $sample | awk -F, -v OFS=, '
	NR > 1 { note = NR % 3 ? "n" NR : ""; print (NR * 7919) % 10007, $0, note }' |
	sort -t, -k1,1n | cut -d, -f2- >>"$T/in.csv"
awk -F, -v OFS=, 'NR > 1 && NR % 40 == 0' "$T/in.csv" >"$T/in.csv.dup"
awk -F, -v OFS=, 'NR > 1 && NR % 40 == 1 { $8 = $8 + 1; print }' "$T/in.csv" >>"$T/in.csv.dup"
awk -F, -v OFS=, 'NR > 1 && NR % 40 == 2 { $9 = "changed"; print }' "$T/in.csv" >>"$T/in.csv.dup"
exact=$(awk 'NR > 1 && NR % 40 == 0' "$T/in.csv" | wc -l)
cat "$T/in.csv.dup" >>"$T/in.csv"
rows=$(($(wc -l <"$T/in.csv") - 1))
dups=$(wc -l <"$T/in.csv.dup")

# What the output must hold, from awk and sort: the last row read for each
# (symbol, date), sorted by symbol and date.
awk -F, 'NR > 1 { last[$1 "," $2] = $0 } END { for (k in last) print last[k] }' "$T/in.csv" |
	LC_ALL=C sort -t, -k1,1 -k2,2 >"$T/want"

exits 0 "in memory" sp sp-clean -q --summary "$T/mem.json" -o "$T/mem.csv" "$T/in.csv"
exits 0 "--memory 64K" sp sp-clean -q --memory 64K --tmpdir "$T" \
	--summary "$T/ext.json" -o "$T/ext.csv" "$T/in.csv"
is "$(jq .sort_runs "$T/mem.json")" 0 "in memory: no sorted runs on disk"
runs=$(jq .sort_runs "$T/ext.json")
[ "$runs" -gt 1 ]
ok $? "--memory 64K: summary sort_runs > 1 (got $runs)"
same_file "$T/ext.csv" "$T/mem.csv" "external sort output is byte-identical to in-memory"
tail -n +2 "$T/ext.csv" | cut -d, -f1-9 >"$T/got"
same_file "$T/got" "$T/want" "sorted by symbol and date, the last row read of each wins"
is "$(jq -c 'del(.sort_runs)' "$T/ext.json")" "$(jq -c 'del(.sort_runs)' "$T/mem.json")" \
	"the same summary, conflicts list included"
is "$(jq -c '[.rows_read, .duplicates.exact, .duplicates.conflicting]' "$T/ext.json")" \
	"[$rows,$exact,$((dups - exact))]" "duplicates across runs: $exact exact, $((dups - exact)) conflicting"
is "$(jq '.conflicts | length' "$T/ext.json")" "$((dups - exact))" "every conflict is listed"
invariant "$T/ext.json" "--memory 64K"
is "$(find "$T" -name 'sp-sort*' | wc -l)" 0 "no sorted run is left in --tmpdir"

# TMPDIR is the default place for runs.
mkdir "$T/tmp"
TMPDIR=$T/tmp sp sp-clean -q --memory 64K --summary "$T/e2.json" -o "$T/e2.csv" "$T/in.csv"
same_file "$T/e2.csv" "$T/mem.csv" "runs under \$TMPDIR: same output"
is "$(ls -A "$T/tmp" | wc -l)" 0 "\$TMPDIR is left empty"

# A budget smaller than one row still works: one row per run.
head -40 "$T/in.csv" >"$T/small.csv"
sp sp-clean -q --memory 1 --summary "$T/e3.json" -o "$T/e3.csv" "$T/small.csv"
sp sp-clean -q -o "$T/m3.csv" "$T/small.csv"
same_file "$T/e3.csv" "$T/m3.csv" "--memory 1: one row per run, same output"
is "$(jq .sort_runs "$T/e3.json")" 38 "--memory 1: a run for each row but the last (kept in memory)"

exits 1 "an unusable --tmpdir fails the run" \
	sp sp-clean -q --memory 64K --tmpdir "$T/none" -o "$T/x.csv" "$T/in.csv" 2>"$T/err"
has "$T/err" "^sp-clean: $T/none: cannot create a temporary file" "and says why"
[ ! -e "$T/x.csv" ]
ok $? "no output file after the failure"
exits 2 "--memory 1X is a usage error" sp sp-clean --memory 1X "$T/in.csv" 2>/dev/null
exits 2 "--memory 0 is a usage error" sp sp-clean --memory 0 "$T/in.csv" 2>/dev/null

done_testing
