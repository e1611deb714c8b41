#!/usr/bin/env bash
# t16-clean-pipes: in --stream mode each record is out as soon as it is
# complete, before sp-clean waits for more input; a reader that goes away
# (| head -1) ends sp-clean quietly with status 0.
. tests/cli/lib.sh

sample=tests/data/bars/sample.csv
bg_clean() { exec $SP_WRAP "$SP_BIN/sp-clean" "$@"; }

# wait_lines FILE N: wait up to 20 s for FILE to have N lines
wait_lines() {
	for _ in $(seq 200); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# stream_test FORMAT ROW1 ROW2: a producer writes the header (CSV) and ROW1,
# then waits for the first output row before it sends ROW2.
stream_test() {
	local fmt=$1 head=0
	rm -f "$T/fifo" "$T/out"
	mkfifo "$T/fifo"
	: >"$T/out"
	bg_clean -q --stream --format "$fmt" "$T/fifo" >"$T/out" 2>"$T/err" &
	pid=$!
	exec 3>"$T/fifo"
	[ "$fmt" = csv ] && head=1 && echo symbol,date,open,high,low,close,adj_close,volume >&3
	echo "$2" >&3
	wait_lines "$T/out" $((head + 1))
	ok $? "$fmt: the first row is out while the producer holds back the second"
	is "$(wc -l <"$T/out")" $((head + 1)) "$fmt: nothing more has been written yet"
	echo "$3" >&3
	wait_lines "$T/out" $((head + 2))
	ok $? "$fmt: the second row follows as soon as it is sent"
	exec 3>&-
	wait $pid
	ok $? "$fmt: sp-clean ends with status 0 at the end of its input"
}
stream_test csv "AAPL,2020-01-02,74.06,75.15,73.8,75.09,74.33,135480400" \
	"AAPL,2020-01-03,74.29,75.14,74.13,74.36,73.61,146322800"
has "$T/out" '^AAPL,2020-01-03,74.29,' "csv: the rows are the clean rows"
stream_test ndjson \
	'{"symbol":"msft","date":"2020-01-02","open":158.78,"high":160.73,"low":158.33,"close":160.62}' \
	'{"symbol":"msft","date":"2020-01-03","open":158.32,"high":159.95,"low":158.06,"close":158.62}'
is "$(jq -r .symbol "$T/out" | paste -sd' ')" "MSFT MSFT" "ndjson: each line is a JSON record"

# A slow producer through a pipe: the first row arrives before the second is sent.
{
	head -2 $sample
	for _ in $(seq 200); do	# until the first data row is out
		[ "$(wc -l <"$T/slow.out" 2>/dev/null)" -ge 2 ] && break
		sleep 0.1
	done
	wc -l <"$T/slow.out" >"$T/seen"
	sed -n 3p $sample
} | sp sp-clean -q --stream >"$T/slow.out"
is "$(cat "$T/seen")" 2 "pipe: header and first row were out before the second row was sent"
is "$(wc -l <"$T/slow.out")" 3 "pipe: then the second row"

# A closed stdout ends the run quietly, in both modes.
sp sp-clean --stream $sample 2>"$T/err1" | head -1 >"$T/h1"
is "${PIPESTATUS[*]}" "0 0" "--stream | head -1: status 0"
is "$(wc -c <"$T/err1")" 0 "--stream | head -1: nothing on stderr (no summary)"
is "$(cat "$T/h1")" "symbol,date,open,high,low,close,adj_close,volume,flags" "head got the header"
sp sp-clean $sample 2>"$T/err2" | head -1 >/dev/null
is "${PIPESTATUS[*]}" "0 0" "batch | head -1: status 0"
is "$(wc -c <"$T/err2")" 0 "batch | head -1: nothing on stderr"
sp sp-clean --stream --summary "$T/s.json" $sample 2>"$T/err3" | head -2 >/dev/null
is "${PIPESTATUS[*]}" "0 0" "--summary and | head -2: status 0"
[ ! -e "$T/s.json" ]
ok $? "no summary file with partial counts is written"
# A producer that never ends: sp-clean stops at its first write after head left.
awk 'BEGIN { print "symbol,date,open,high,low,close,adj_close,volume"
	for (i = 0; ; i++) print "S" i ",2020-01-02,10,11,9,10,10,100" }' |
	sp sp-clean --stream 2>"$T/err4" | head -1 >/dev/null
is "${PIPESTATUS[1]}" 0 "an endless producer: sp-clean still ends, with status 0"
is "$(wc -c <"$T/err4")" 0 "and quietly"

done_testing
