#!/usr/bin/env bash
# t30-features-stream: batch and --stream give byte-identical rows on the
# same bars, with revised bars injected and with symbols interleaved by
# date; a revision steps the state back; --stream writes each row as soon
# as its bar arrives; out-of-order bars are reported.
. tests/cli/lib.sh

S=tests/data/bars/sample.csv
if [ -n "${SP_VALGRIND:-}" ]; then
	awk -F, 'NR == 1 || ($1 == "AAPL" && NR <= 601) || ($1 == "JPM" && ++j <= 600)' "$S" >"$T/in.csv"
else
	cp "$S" "$T/in.csv"
fi
spec='ret:1,sma:5,ema:10,rsi:14,macd,bb:20:2,atr:14,adx:14,obv,cci:20,mfi:14,stoch,vzscore:20,vol:20,lag:rsi:14:2,dhigh:252,dow'

sp sp-features --spec "$spec" "$T/in.csv" >"$T/batch.csv"
ok $? "batch runs"
sp sp-features --stream --spec "$spec" "$T/in.csv" >"$T/stream.csv"
ok $? "--stream runs"
same_file "$T/stream.csv" "$T/batch.csv" "batch and --stream: byte-identical on sorted bars"
sp sp-features "$T/in.csv" >"$T/batch.def"
sp sp-features --stream "$T/in.csv" >"$T/stream.def"
same_file "$T/stream.def" "$T/batch.def" "batch and --stream: byte-identical with the default set"

# Revisions: every 37th bar is followed by a revised copy (close and
# adj_close 1% higher, volume changed).
awk -F, -v OFS=, 'NR > 1 && NR % 37 == 0 { print; $6 *= 1.01; $7 *= 1.01; $8 += 1000; print; next } { print }' \
	"$T/in.csv" >"$T/rev.csv"
nrev=$(($(wc -l <"$T/rev.csv") - $(wc -l <"$T/in.csv")))
sp sp-features --spec "$spec" "$T/rev.csv" >"$T/rev.batch"
is "$(($(wc -l <"$T/rev.batch") - 1))" "$(($(wc -l <"$T/rev.csv") - 1))" \
	"with $nrev revisions: one output row per input row"
sp sp-features --stream --spec "$spec" "$T/rev.csv" >"$T/rev.stream"
same_file "$T/rev.stream" "$T/rev.batch" "batch and --stream: byte-identical with revisions"

# A revision replaces its bar: dropping the superseded rows from the output
# gives the output of the bars with the revised ones in their place.
awk -F, -v OFS=, 'NR > 1 && NR % 37 == 0 { $6 *= 1.01; $7 *= 1.01; $8 += 1000 } { print }' \
	"$T/in.csv" >"$T/replaced.csv"
sp sp-features --spec "$spec" "$T/replaced.csv" >"$T/replaced.out"
awk -F, 'NR > 1 && $1 == ps && $2 == pd { prev = $0; ps = $1; pd = $2; next }
	NR > 1 && prev != "" { print prev } { prev = $0; ps = $1; pd = $2 } END { print prev }' \
	"$T/rev.batch" >"$T/rev.last"
same_file "$T/rev.last" "$T/replaced.out" "the state steps back before a revised bar"

# A revision that repeats its bar exactly gives the same row again.
awk 'NR > 1 && NR % 37 == 0 { print } { print }' "$T/in.csv" >"$T/dup.csv"
sp sp-features --spec "$spec" "$T/dup.csv" | uniq >"$T/dup.out"
same_file "$T/dup.out" "$T/batch.csv" "a repeated identical bar gives an identical row"

# Symbols interleaved by date: --stream gives each symbol's rows as batch
# does on the sorted bars.
(head -1 "$T/rev.csv" && tail -n +2 "$T/rev.csv" | sort -t, -k2,2 -s) >"$T/inter.csv"
sp sp-features --stream --spec "$spec" "$T/inter.csv" >"$T/inter.out"
ok $? "--stream on interleaved symbols runs"
(head -1 "$T/inter.out" && tail -n +2 "$T/inter.out" | sort -t, -k1,1 -s) >"$T/inter.sorted"
same_file "$T/inter.sorted" "$T/rev.batch" "interleaved --stream = batch on sorted bars, row for row"
st=0
sp sp-features --spec "$spec" "$T/inter.csv" >"$T/junk" 2>"$T/err" || st=$?
is "$st" 1 "batch refuses interleaved symbols"
has "$T/err" "^sp-features: $T/inter.csv:[0-9]+: input not sorted by symbol" \
	"batch: the message names the file and line"

# Out of order in a stream: reported, skipped, counted; exit 1 at the end.
cat >"$T/ooo.csv" <<'X'
symbol,date,open,high,low,close,adj_close,volume
AAA,2024-01-03,10,11,9,10,,100
AAA,2024-01-04,10,11,9,11,,100
AAA,2024-01-02,10,11,9,12,,100
AAA,2024-01-05,10,11,9,12,,100
X
st=0
sp sp-features --stream --spec ret:1 "$T/ooo.csv" >"$T/ooo.out" 2>"$T/err" || st=$?
is "$st" 1 "--stream: an older date exits 1 at the end"
has "$T/err" "ooo.csv:4: input not sorted by date: AAA 2024-01-02 comes after 2024-01-04 \(row skipped\)" \
	"--stream: the older bar is reported with its line"
has "$T/err" "1 row skipped" "--stream: the count at the end"
is "$(cut -d, -f2,4 "$T/ooo.out" | tr '\n' ' ')" \
	"date,ret_1 2024-01-03, 2024-01-04,0.10000000000000009 2024-01-05,0.09090909090909083 " \
	"--stream: the other rows are written, as if the older bar had not come"
st=0
sp sp-features --spec ret:1 "$T/ooo.csv" >"$T/junk" 2>"$T/err" || st=$?
is "$st" 1 "batch: an older date exits 1"
has "$T/err" "^sp-features: $T/ooo.csv:4: input not sorted by date: AAA 2024-01-02 comes after 2024-01-04$" \
	"batch: the message"

# Targets wait for their future; with revisions they use the final bars.
sp sp-features --spec ret:1 -t 3 "$T/rev.csv" >"$T/revt.out"
sp sp-features --spec ret:1 -t 3 "$T/replaced.csv" >"$T/replt.out"
awk -F, 'NR > 1 && $1 == ps && $2 == pd { prev = $0; ps = $1; pd = $2; next }
	NR > 1 && prev != "" { print prev } { prev = $0; ps = $1; pd = $2 } END { print prev }' \
	"$T/revt.out" >"$T/revt.last"
same_file "$T/revt.last" "$T/replt.out" "--target with revisions: targets on the revised bars"
is "$(awk -F, 'NR > 1 && $1 == ps && $2 == pd { print last } { ps = $1; pd = $2; last = $NF }' "$T/revt.out" | sort -u)" "" \
	"--target: a superseded row has an empty target"

# --stream: a row is out while the producer holds back the next bar.
wait_lines() {	# wait_lines FILE N: up to 20 s for FILE to have N lines
	for _ in $(seq 200); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
mkfifo "$T/fifo"
: >"$T/live"
(exec $SP_WRAP "$SP_BIN/sp-features" --stream --spec 'ret:1' "$T/fifo" >"$T/live" 2>"$T/err") &
pid=$!
exec 3>"$T/fifo"
echo symbol,date,open,high,low,close,adj_close,volume >&3
echo AAA,2024-01-02,10,11,9,10,,100 >&3
wait_lines "$T/live" 2
ok $? "--stream: the first row is out before the next bar comes"
echo AAA,2024-01-03,10,11,9,11,,100 >&3
wait_lines "$T/live" 3
ok $? "--stream: the second row follows at once"
echo AAA,2024-01-03,10,11,9,12,,100 >&3
wait_lines "$T/live" 4
ok $? "--stream: a revised bar gives a row at once"
exec 3>&-
wait $pid
ok $? "--stream: exits 0 at the end of its input"
is "$(tail -n +2 "$T/live" | cut -d, -f2,4 | tr '\n' ' ')" "2024-01-02, 2024-01-03,0.10000000000000009 2024-01-03,0.19999999999999996 " \
	"--stream: the revision replaces its bar"

done_testing
