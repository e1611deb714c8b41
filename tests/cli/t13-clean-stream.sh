#!/usr/bin/env bash
# t13-clean-stream: --stream takes input already in order, keeps state per
# symbol only, rejects rows that go back in time (out_of_order), writes a
# revised (symbol, date) again and drops an identical one; on sorted input
# without duplicates it writes exactly what batch mode writes.
. tests/cli/lib.sh

D=tests/data/bars
in=$D/stream.csv

invariant() {
	is "$(jq '.rows_read == .rows_written + .rows_rejected +
		.duplicates.exact + .duplicates.conflicting' "$1")" true \
		"$2: rows_read = rows_written + rows_rejected + duplicates"
}

exits 0 "--stream on interleaved symbols" \
	sp sp-clean --stream --rejects "$T/rej.csv" --summary "$T/s.json" \
	-o "$T/out.csv" "$in" 2>"$T/err"
same_file "$T/out.csv" $D/stream.expected.csv \
	"rows in input order; revision written again; gap flag kept on the revision"
is "$(tail -n +2 "$T/rej.csv" | cut -d, -f2,3 | cut -d: -f1 | paste -sd' ')" \
	"6,out_of_order 11,out_of_order" "a bar older than its symbol's last is out_of_order"
has "$T/rej.csv" "^$in,6,out_of_order: 2020-01-03 comes after A's bar of 2020-01-06," \
	"the reason names both dates"
is "$(jq -c '[.mode, .rows_read, .rows_written, .rows_rejected, .duplicates.exact,
	.duplicates.conflicting, .revisions]' "$T/s.json")" '["stream",10,7,2,1,0,1]' \
	"summary: 1 revision (written), 1 exact duplicate (dropped), 2 out of order"
is "$(jq -c '.rejected' "$T/s.json")" '{"out_of_order":2}' "summary counts out_of_order"
invariant "$T/s.json" "stream.csv --stream"
has "$T/err" '7 written, 2 rejected \(out_of_order 2\), 1 exact .*, 1 revisions' \
	"stderr summary mentions revisions"

# Batch mode on the same input: sorted, last one read wins.
exits 0 "batch on the same input" \
	sp sp-clean -q --summary "$T/b.json" -o "$T/batch.csv" "$in"
same_file "$T/batch.csv" $D/stream.batch.expected.csv "batch sorts and keeps the last A 2020-01-06"
is "$(jq -c '[.rows_written, .duplicates.exact, .duplicates.conflicting, .revisions]' "$T/b.json")" \
	'[7,1,2,0]' "batch: the revisions are conflicts"
invariant "$T/b.json" "stream.csv batch"

# Sorted input without duplicates: stream and batch agree byte for byte,
# summaries too (but for the mode and sort_runs).
sample=$D/sample.csv
sp sp-clean -q --summary "$T/bs.json" -o "$T/b-sample.csv" $sample
sp sp-clean -q --stream --summary "$T/ss.json" -o "$T/s-sample.csv" $sample
ok $? "--stream runs on sample.csv"
same_file "$T/s-sample.csv" "$T/b-sample.csv" "sample.csv: --stream output = batch output"
is "$(jq -c 'del(.mode, .sort_runs, .conflicts)' "$T/ss.json")" \
	"$(jq -c 'del(.mode, .sort_runs, .conflicts)' "$T/bs.json")" \
	"sample.csv: the same counts in both modes"
invariant "$T/ss.json" "sample.csv --stream"
# The same from a pipe.
cat $sample | sp sp-clean -q --stream >"$T/pipe.csv"
same_file "$T/pipe.csv" "$T/b-sample.csv" "--stream from a pipe"

# Newest-first input is all out of order in stream mode, except each first row.
{ head -1 $sample; tail -n +2 $sample | grep '^XOM,2020-10' | sort -r; } >"$T/desc.csv"
n=$(($(wc -l <"$T/desc.csv") - 1))
sp sp-clean -q --stream --summary "$T/d.json" -o "$T/d.csv" "$T/desc.csv"
is "$(jq -c '[.rows_read, .rows_written, .rejected.out_of_order]' "$T/d.json")" \
	"[$n,1,$((n - 1))]" "descending dates: one row written, the rest out_of_order"

exits 2 "--memory with --stream is a usage error" \
	sp sp-clean --stream --memory 64K "$in" 2>/dev/null

done_testing
