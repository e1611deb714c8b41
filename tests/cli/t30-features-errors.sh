#!/usr/bin/env bash
# t30-features-errors: bad input and bad usage get a clear message on
# stderr, in the format of contracts.md, and the right exit status: 2 for
# usage (options, spec), 1 for bad data; an -o file is left as it was.
. tests/cli/lib.sh

H=symbol,date,open,high,low,close,adj_close,volume
good="AAA,2024-01-02,10,11,9,10,10,100"

# run WANT_STATUS PATTERN DESCRIPTION ARGS...: exit status and stderr.
run() {
	local want=$1 pat=$2 desc=$3 st=0
	shift 3
	sp sp-features "$@" >"$T/out" 2>"$T/err" </dev/null || st=$?
	is "$st" "$want" "$desc: exit $want"
	has "$T/err" "$pat" "$desc: message"
}

# ---- usage ----
printf '%s\n%s\n' "$H" "$good" >"$T/in.csv"
run 2 "^sp-features: --spec: bad token 'smaa:20': unknown indicator 'smaa'$" \
	"unknown indicator" --spec 'sma:20,smaa:20' "$T/in.csv"
run 2 "^sp-features: --spec: bad token 'rsi:0': rsi: window must be 1 to 100000, not 0$" \
	"window 0" --spec 'sma:20, rsi:0' "$T/in.csv"
run 2 "bad token 'sma:1000000': sma: window must be 1 to 100000" \
	"huge window" --spec 'sma:1000000' "$T/in.csv"
run 2 "bad token 'macd:26:12': " "macd fast above slow" --spec 'macd:26:12' "$T/in.csv"
run 2 "bad token 'sma:5:5': sma: unexpected parameter" "extra parameter" --spec 'sma:5:5' "$T/in.csv"
run 2 "bad token 'sma:20': column sma_20 already comes from 'sma:20'" \
	"a column twice" --spec 'sma:20,rsi:14,sma:20' "$T/in.csv"
run 2 "the spec names no feature" "an empty spec" --spec ' , ' "$T/in.csv"
printf '# momentum\nrsi:14, ret:1\n\nsma:20  # trend\nbogus:3\n' >"$T/spec"
run 2 "^sp-features: $T/spec:5: bad token 'bogus:3': unknown indicator 'bogus'$" \
	"--spec-file: the bad token's line" --spec-file "$T/spec" "$T/in.csv"
run 1 "^sp-features: $T/nosuch: No such file" "--spec-file that does not exist" \
	--spec-file "$T/nosuch" "$T/in.csv"
run 2 "--target looks ahead" "--stream with --target" --stream --target 5 "$T/in.csv"
run 2 "--target: '0' is not" "--target 0" --target 0 "$T/in.csv"
run 2 "--target-kind: 'up' is not ret, logret or dir" "--target-kind up" -t 1 --target-kind up "$T/in.csv"
run 2 "--target-kind needs --target" "--target-kind alone" --target-kind dir "$T/in.csv"
run 2 "not both" "--spec and --spec-file" --spec ret:1 --spec-file "$T/spec" "$T/in.csv"
run 2 "--format: 'xml' is not csv or ndjson" "--format xml" -f xml "$T/in.csv"
run 2 "unknown option '--bogus'" "an unknown option" --bogus "$T/in.csv"
run 2 "option '--raw' takes no value" "a value for --raw" --raw=1 "$T/in.csv"

# The spec file's tokens, comments and blank lines.
printf '# momentum\nrsi:14, ret:1\n\nsma:20  # trend\n' >"$T/spec"
sp sp-features --spec-file "$T/spec" "$T/in.csv" >"$T/out"
is "$(head -1 "$T/out")" "symbol,date,close,rsi_14,ret_1,sma_20" "--spec-file: tokens in order"

# ---- bad data ----
printf 'symbol,date,close\nAAA,2024-01-02,10\n' >"$T/miss.csv"
run 1 "^sp-features: $T/miss.csv: no 'open' column$" "a missing column" "$T/miss.csv"
printf 'symbol,date,open,high,low\nAAA,2024-01-02,10,11,9\n' >"$T/miss2.csv"
run 1 "no 'close' column" "no close column" "$T/miss2.csv"
printf 'date,open,high,low,close\n2024-01-02,10,11,9,10\n' >"$T/nosym.csv"
run 1 "no 'symbol' column \(give --symbol\)" "no symbol column" "$T/nosym.csv"
printf '%s\n%s\nAAA,,10,11,9,10,10,100\n' "$H" "$good" >"$T/bad.csv"
run 1 "^sp-features: $T/bad.csv:3: date is empty$" "an empty date" "$T/bad.csv"
printf '%s\n%s\nAAA,2024-02-30,10,11,9,10,10,100\n' "$H" "$good" >"$T/bad.csv"
run 1 "^sp-features: $T/bad.csv:3: impossible date: '2024-02-30'$" "an impossible date" "$T/bad.csv"
printf '%s\n%s\n,2024-01-03,10,11,9,10,10,100\n' "$H" "$good" >"$T/bad.csv"
run 1 "^sp-features: $T/bad.csv:3: symbol is empty$" "an empty symbol" "$T/bad.csv"
printf '%s\n%s\nA A,2024-01-03,10,11,9,10,10,100\n' "$H" "$good" >"$T/bad.csv"
run 1 "^sp-features: $T/bad.csv:3: symbol 'A A' has a character" "a bad symbol" "$T/bad.csv"
printf '%s\n%s\nAAA,2024-01-03,10,11\n' "$H" "$good" >"$T/bad.csv"
run 1 "^sp-features: $T/bad.csv:3: " "a short row" "$T/bad.csv"
printf '%s\nAAA,2024-01-03,10,11,9,10,10,100\n%s\n' "$H" "$good" >"$T/bad.csv"
run 1 "^sp-features: $T/bad.csv:3: input not sorted by date: AAA 2024-01-02 comes after 2024-01-03$" \
	"dates out of order" "$T/bad.csv"
printf '%s\n%s\nBBB,2024-01-02,1,1,1,1,1,1\n%s\n' "$H" "$good" "$good" >"$T/bad.csv"
run 1 "^sp-features: $T/bad.csv:4: input not sorted by symbol: AAA again after BBB" \
	"a symbol that comes back" "$T/bad.csv"
run 1 "$T/nosuch.csv" "an input that does not exist" "$T/nosuch.csv"

# A failed run leaves -o's file as it was.
echo old >"$T/keep.csv"
sp sp-features -o "$T/keep.csv" "$T/bad.csv" 2>"$T/err"
is "$(cat "$T/keep.csv")" old "a failed run leaves the -o file alone"

# ---- empty inputs ----
: >"$T/empty.csv"
run 0 "^sp-features: $T/empty.csv: warning: empty input$" "an empty file" --spec ret:1 "$T/empty.csv"
is "$(cat "$T/out")" "symbol,date,close,ret_1" "an empty file: the header alone"
printf '%s\n' "$H" >"$T/hdr.csv"
st=0
sp sp-features --spec ret:1 -t 2 "$T/hdr.csv" >"$T/out" 2>"$T/err" || st=$?
is "$st" 0 "a header alone: exit 0"
is "$(cat "$T/out")" "symbol,date,close,ret_1,y_ret_2" "a header alone: the header alone"
is "$(wc -c <"$T/err")" 0 "a header alone: nothing on stderr"

done_testing
