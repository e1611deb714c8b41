#!/usr/bin/env bash
# t30-features-warmup: --warmup and --state.  A run handed the history up
# to any point with --warmup, or the state saved by a run over that history
# with --state, writes for the rest exactly the rows of one batch run over
# the whole input, in batch and --stream mode, with symbols sorted or
# interleaved.  A state file made for other features is refused.
. tests/cli/lib.sh

S=tests/data/bars/sample.csv
awk -F, 'NR == 1 || ($1 == "AAPL" && ++a <= 500) || ($1 == "MSFT" && ++m <= 500)' "$S" >"$T/sorted.csv"
(head -1 "$T/sorted.csv" && tail -n +2 "$T/sorted.csv" | sort -t, -k2,2 -s) >"$T/inter.csv"
spec='ret:1,ema:10,rsi:14,macd,bb:20:2,adx:14,obv,stoch,mfi:14,lag:rsi:14:2,dhigh:50'
rows=$(($(wc -l <"$T/sorted.csv") - 1))
splits="1 137 499 500 501 777 $((rows - 1))"
[ -n "${SP_VALGRIND:-}" ] && splits="137 777"

# split IN K: $T/head.csv (header and the first K rows), $T/tail.csv (header
# and the rest).
split() {
	head -$(($2 + 1)) "$1" >"$T/head.csv"
	(head -1 "$1" && tail -n +$(($2 + 2)) "$1") >"$T/tail.csv"
}
# tail_of OUT K: OUT's header and its rows after the first K.
tail_of() {
	head -1 "$1" && tail -n +$(($2 + 2)) "$1"
}

for input in sorted inter; do
	mode=()
	[ $input = inter ] && mode=(--stream)
	sp sp-features "${mode[@]}" --spec "$spec" "$T/$input.csv" >"$T/whole.out"
	bad_w="" bad_s=""
	for k in $splits; do
		split "$T/$input.csv" "$k"
		tail_of "$T/whole.out" "$k" >"$T/want"
		for m in "" --stream; do
			[ $input = inter ] && [ -z "$m" ] && continue
			sp sp-features $m --spec "$spec" --warmup "$T/head.csv" "$T/tail.csv" >"$T/got" 2>"$T/err"
			cmp -s "$T/got" "$T/want" || bad_w="$bad_w $k$m"
			rm -f "$T/state"
			sp sp-features $m --spec "$spec" --state "$T/state" "$T/head.csv" >"$T/junk" 2>"$T/err"
			sp sp-features $m --spec "$spec" --state "$T/state" "$T/tail.csv" >"$T/got" 2>"$T/err"
			cmp -s "$T/got" "$T/want" || bad_s="$bad_s $k$m"
		done
	done
	is "$bad_w" "" "$input bars: --warmup HEAD TAIL writes the whole run's rows for TAIL (split at$splits)"
	is "$bad_s" "" "$input bars: --state saved over HEAD, loaded for TAIL, the same"
done

# A revision of the last warm-up bar, as the first live bar.
split "$T/sorted.csv" 300
awk -F, -v OFS=, 'NR == 301 { $6 *= 1.02; $7 *= 1.02 } { print }' "$T/sorted.csv" >"$T/revised.csv"
(head -1 "$T/sorted.csv" && sed -n 301p "$T/revised.csv") >"$T/live.csv"
sp sp-features --stream --spec "$spec" --warmup "$T/head.csv" "$T/live.csv" >"$T/got"
(head -1 "$T/sorted.csv" && head -300 "$T/revised.csv" | tail -n +2 && sed -n 301p "$T/revised.csv") >"$T/all.csv"
sp sp-features --spec "$spec" "$T/all.csv" | tail -1 >"$T/want"
is "$(tail -1 "$T/got")" "$(cat "$T/want")" "a live bar revising the last warm-up bar steps back before it"

# --state: three runs in a row, and what the file holds.
rm -f "$T/state"
split "$T/sorted.csv" 400
sp sp-features --spec "$spec" --state "$T/state" "$T/head.csv" >"$T/junk"
ok $? "--state FILE that does not exist yet: a first run"
is "$(head -1 "$T/state")" "sp-features state 1" "the state file says what it is"
has "$T/state" "^columns ret_1,ema_10,rsi_14," "the state file names its columns"
cp "$T/state" "$T/state.saved"
st=0
sp sp-features --spec 'ret:1,ema:10' --state "$T/state" "$T/tail.csv" >"$T/junk" 2>"$T/err" || st=$?
is "$st" 1 "a state saved for other features is refused: exit 1"
has "$T/err" "^sp-features: $T/state: saved for other features" "... with a message"
same_file "$T/state" "$T/state.saved" "a refused run leaves the state file alone"
st=0
sp sp-features --raw --spec "$spec" --state "$T/state" "$T/tail.csv" >"$T/junk" 2>"$T/err" || st=$?
is "$st" 1 "a state saved without --raw is refused with --raw"
head -c 100 "$T/state.saved" >"$T/state.cut"
st=0
sp sp-features --spec "$spec" --state "$T/state.cut" "$T/tail.csv" >"$T/junk" 2>"$T/err" || st=$?
is "$st" 1 "a truncated state file is refused"
has "$T/err" "state.cut: (a damaged state file|not an sp-features state file)" "... with a message"
echo hello >"$T/state.bad"
st=0
sp sp-features --spec "$spec" --state "$T/state.bad" "$T/tail.csv" >"$T/junk" 2>"$T/err" || st=$?
is "$st:$(cat "$T/err")" "1:sp-features: $T/state.bad: not an sp-features state file" "a file that is not a state file"
# A failed run (bad data) does not save.
printf 'symbol,date,open,high,low,close\nAAPL,,1,1,1,1\n' >"$T/bad.csv"
sp sp-features --spec "$spec" --state "$T/state" "$T/bad.csv" >"$T/junk" 2>&1
same_file "$T/state" "$T/state.saved" "a failed run leaves the state file as it was"
st=0
sp sp-features --spec "$spec" --warmup "$T/nosuch.csv" "$T/tail.csv" >"$T/junk" 2>"$T/err" || st=$?
is "$st" 1 "--warmup FILE that does not exist: exit 1"

done_testing
