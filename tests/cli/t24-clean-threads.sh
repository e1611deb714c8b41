#!/usr/bin/env bash
# --threads 2 reads a large plain CSV file in two halves at once; the output,
# rejects and summary must be those of one thread, byte for byte, including
# duplicates and rejects on both sides of the cut.  SP_SPLIT_MIN lowers the
# size from which a file is split so that a small file exercises it.
. tests/cli/lib.sh
export SP_SPLIT_MIN=1000

in=$T/in.csv
cp tests/data/bars/sample.csv "$in"
n=$(($(wc -l <"$in") - 1))
# In the second half: a conflicting copy of the first row (it must win), an
# exact copy of the second, and a row with high < low.
first=$(sed -n 2p "$in")
second=$(sed -n 3p "$in")
changed=$(echo "$first" | awk -F, -v OFS=, '{ $6 = $6 + 0.01; print }')
{ echo "$changed"; echo "$second"; echo "ZZZ,2020-01-02,10,9,11,10,,"; } >>"$in"

for t in 1 2; do
	sp sp-clean -q --threads $t "$in" -o "$T/out$t.csv" --rejects "$T/rej$t.csv" \
		--summary "$T/sum$t.json"
	ok $? "--threads $t runs"
done
is "$(jq '.inputs[0].threads' "$T/sum2.json")" 2 "--threads 2 read the file in two halves"
is "$(jq '.inputs[0].threads' "$T/sum1.json")" 1 "--threads 1 did not"
same_file "$T/out2.csv" "$T/out1.csv" "the same output with one thread and two"
same_file "$T/rej2.csv" "$T/rej1.csv" "the same rejects, in the same order"
is "$(jq -c 'del(.inputs)' "$T/sum2.json")" "$(jq -c 'del(.inputs)' "$T/sum1.json")" \
	"the same summary counts"

# Independent expectations, from the input itself.
is "$(jq '.rows_read' "$T/sum2.json")" "$((n + 3))" "every row is read once"
is "$(jq -c '.duplicates' "$T/sum2.json")" '{"exact":1,"conflicting":1}' \
	"one exact and one conflicting duplicate across the cut"
key=$(echo "$first" | cut -d, -f1,2)
is "$(grep "^$key," "$T/out2.csv" | cut -d, -f1-8)" "$changed" \
	"the row read later, in the second half, wins"
is "$(tail -n +2 "$T/rej2.csv" | cut -d, -f1,2 | sed 's/.*,//')" \
	"$(grep -n 'DXC,2018-06-01\|^ZZZ' "$in" | cut -d: -f1 | paste -sd' ' | tr ' ' '\n')" \
	"rejects carry their true line numbers in both halves"

# A quote anywhere keeps the file whole; so does a compressed file.
sed '5s/^\([A-Z]*\),/"\1",/' "$in" >"$T/quoted.csv"
sp sp-clean -q "$T/quoted.csv" -o "$T/q.csv" --summary "$T/q.json"
is "$(jq '.inputs[0].threads' "$T/q.json")" 1 "a file with a quote is read by one thread"
same_file "$T/q.csv" "$T/out1.csv" "and reads the same"
zstd -q -c "$in" >"$T/in.csv.zst"
sp sp-clean -q "$T/in.csv.zst" -o "$T/z.csv" --summary "$T/z.json"
is "$(jq '.inputs[0].threads' "$T/z.json")" 1 "a compressed file is read by one thread"
# Too large for --memory: one thread, and the sort spills to disk.
sp sp-clean -q --memory 64K "$in" -o "$T/m.csv" --summary "$T/m.json"
is "$(jq '[.inputs[0].threads, (.sort_runs > 0)]' -c "$T/m.json")" '[1,true]' \
	"a file whose rows exceed --memory is read by one thread"
same_file "$T/m.csv" "$T/out1.csv" "and sorts on disk to the same output"
exits 2 "--threads 3 is a usage error" sp sp-clean --threads 3 "$in"

done_testing
