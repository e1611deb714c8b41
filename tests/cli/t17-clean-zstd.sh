#!/usr/bin/env bash
# t17-clean-zstd: zstd input is found by its magic bytes, in files and in
# pipes, whatever the name; -o/--rejects FILE.zst write zstd; corrupt or
# truncated zstd fails with a clear message and exit 1, leaving no output.
. tests/cli/lib.sh

D=tests/data/bars
basic=$D/basic.csv
sample=$D/sample.csv

sp sp-clean -q -o "$T/plain.csv" $sample
invariant() {
	is "$(jq '.rows_read == .rows_written + .rows_rejected +
		.duplicates.exact + .duplicates.conflicting' "$1")" true \
		"$2: rows_read = rows_written + rows_rejected + duplicates"
}
zstd -q -c $sample >"$T/sample.csv.zst"

exits 0 "a .zst file" sp sp-clean -q --summary "$T/s1.json" -o "$T/z1.csv" "$T/sample.csv.zst"
invariant "$T/s1.json" "sample.csv.zst"
same_file "$T/z1.csv" "$T/plain.csv" ".zst file: the same output as the plain file"
zstd -q -c $sample | sp sp-clean -q >"$T/z2.csv"
is "${PIPESTATUS[*]}" "0 0" "zstd -c | sp-clean: status 0"
same_file "$T/z2.csv" "$T/plain.csv" "zstd from a pipe: the same output"
cp "$T/sample.csv.zst" "$T/disguised.csv"
sp sp-clean -q -o "$T/z3.csv" "$T/disguised.csv"
same_file "$T/z3.csv" "$T/plain.csv" "zstd in a file named .csv: found by its magic bytes"
cp $basic "$T/plain-named.csv.zst"
sp sp-clean -q -o "$T/z4.csv" "$T/plain-named.csv.zst"
same_file "$T/z4.csv" $D/basic.expected.csv "plain text in a file named .zst is read as text"

# Concatenated frames are one stream (zstd -c a; zstd -c b).
{ head -4000 $sample | zstd -q -c; tail -n +4001 $sample | zstd -q -c; } >"$T/frames.zst"
sp sp-clean -q --summary "$T/s5.json" -o "$T/z5.csv" "$T/frames.zst"
invariant "$T/s5.json" "two frames"
same_file "$T/z5.csv" "$T/plain.csv" "two concatenated frames read as one input"
# Compressed NDJSON.
sp sp-clean -q --format ndjson -o "$T/plain.ndjson" $basic
zstd -q -c "$T/plain.ndjson" | sp sp-clean -q >"$T/z6.ndjson"
same_file "$T/z6.ndjson" "$T/plain.ndjson" "compressed NDJSON through a pipe"

# Compressed output.
exits 0 "-o out.csv.zst" sp sp-clean -q -o "$T/out.csv.zst" --rejects "$T/rej.csv.zst" $sample
is "$(head -c 4 "$T/out.csv.zst" | od -An -tx1 | tr -d ' ')" 28b52ffd "out.csv.zst starts with the zstd magic"
zstd -q -d -c "$T/out.csv.zst" >"$T/back.csv"
same_file "$T/back.csv" "$T/plain.csv" "zstd -dc out.csv.zst = the uncompressed output"
zstd -q -d -c "$T/rej.csv.zst" >"$T/rej.csv"
has "$T/rej.csv" '^.*,2831,"close_outside_range: ' "--rejects rej.csv.zst is compressed too"
sp sp-clean -q --format ndjson -o "$T/out.ndjson.zst" $basic
zstd -q -d -c "$T/out.ndjson.zst" >"$T/back.ndjson"
same_file "$T/back.ndjson" "$T/plain.ndjson" "NDJSON .zst output"
sp sp-clean -q -o "$T/round.csv" "$T/out.csv.zst"
same_file "$T/round.csv" "$T/plain.csv" "sp-clean reads its own .zst output"

# Corrupt data: bytes flipped inside the frame.
for off in 200 60000; do
	cp "$T/sample.csv.zst" "$T/corrupt.zst"
	printf '\125\252\125\252' | dd of="$T/corrupt.zst" bs=1 seek=$off conv=notrunc 2>/dev/null
	printf 'old\n' >"$T/c.csv"
	exits 1 "corrupt zstd (bytes flipped at $off)" \
		sp sp-clean -q -o "$T/c.csv" "$T/corrupt.zst" 2>"$T/err"
	has "$T/err" "^sp-clean: $T/corrupt.zst: corrupt zstd data" "the message names the file: corrupt zstd data"
	is "$(cat "$T/c.csv")" old "the old output is left as it was"
done
cp "$T/sample.csv.zst" "$T/corrupt.zst"
printf '\125\252\125\252' | dd of="$T/corrupt.zst" bs=1 seek=60000 conv=notrunc 2>/dev/null
cat "$T/corrupt.zst" | sp sp-clean -q >/dev/null 2>"$T/err"
is "${PIPESTATUS[1]}" 1 "corrupt zstd from a pipe: exit 1"
has "$T/err" '^sp-clean: -: corrupt zstd data' "the pipe is named '-'"
# Truncated: the frame stops in the middle.
head -c 100000 "$T/sample.csv.zst" >"$T/trunc.zst"
exits 1 "truncated zstd" sp sp-clean -q -o "$T/t.csv" "$T/trunc.zst" 2>"$T/err"
has "$T/err" "^sp-clean: $T/trunc.zst: truncated zstd data" "truncated zstd says so"
[ ! -e "$T/t.csv" ]
ok $? "no output file is left"
# Only the magic, nothing after it.
printf '\050\265\057\375' >"$T/magic.zst"
exits 1 "the zstd magic alone" sp sp-clean -q -o "$T/m.csv" "$T/magic.zst" 2>"$T/err"
has "$T/err" "^sp-clean: $T/magic.zst: (corrupt|truncated) zstd data" "is corrupt or truncated zstd"

done_testing
