#!/usr/bin/env bash
# t52-fetch-follow: sp-fetch --follow writes each new or revised bar at once,
# flushed, nothing for bars it has already written, and ends cleanly on
# SIGTERM.  The source is a CSV file the test rewrites between polls.
. tests/cli/lib.sh

wait_lines() {	# wait_lines FILE N: up to 20 s for FILE to have N lines
	for _ in $(seq 200); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
today=$(TZ=America/New_York date +%F)
src() {	# src CLOSE...: the source file with one bar per close, today and before
	{
		echo "Date,Open,High,Low,Close,Volume"
		for c in "$@"; do echo "$today,10,20,5,$c,1000"; done
	} >"$T/src.tmp" && mv "$T/src.tmp" "$T/live.csv"
}
src 11
: >"$T/out"
(exec $SP_WRAP "$SP_BIN/sp-fetch" --follow --always --every 0.2 -s csv "AAPL=$T/live.csv" \
	>"$T/out" 2>"$T/err") &
pid=$!
wait_lines "$T/out" 1
ok $? "the first poll writes today's bar"
is "$(head -1 "$T/out" | jq -r '[.symbol, .date, .close] | @tsv')" "$(printf 'AAPL\t%s\t11' "$today")" \
	"--follow writes NDJSON bars"
sleep 1
is "$(wc -l <"$T/out")" 1 "polls that see nothing new write nothing"
src 12
wait_lines "$T/out" 2
ok $? "a revised bar is written again"
is "$(tail -1 "$T/out" | jq -r .close)" 12 "with its new values"
kill -TERM $pid
wait $pid
is "$?" 0 "SIGTERM ends it with status 0"
is "$(jq -c . "$T/out" | wc -l)" 2 "every line it wrote is whole JSON"

# --max-polls ends it by itself; a closed stdout ends it quietly.
sp sp-fetch --follow --always --every 0.05 --max-polls 3 -s csv "AAPL=$T/live.csv" >"$T/out2" 2>"$T/err"
is "$?:$(wc -l <"$T/out2")" 0:1 "--max-polls 3: three polls, one bar"
sp sp-fetch --follow --always --every 0.05 -f csv -s csv "AAPL=$T/live.csv" 2>"$T/err" | head -1 >"$T/out3"
is "$(cat "$T/out3")" "symbol,date,open,high,low,close,adj_close,volume" "a closed stdout ends --follow"
is "$(wc -c <"$T/err")" 0 "quietly"

# Outside trading hours it waits, unless --always.  SP_FETCH_CLOCK fakes
# the time: Saturday 2024-06-15 12:00 New York, then Monday 2024-06-17 10:00.
SP_FETCH_CLOCK=1718467200 timeout 2 "$SP_BIN/sp-fetch" --follow --every 0.05 -s csv "AAPL=$T/live.csv" >"$T/sat" 2>&1
is "$?:$(wc -c <"$T/sat")" 124:0 "a Saturday: no poll, nothing written (until killed)"
SP_FETCH_CLOCK=1718632800 sp sp-fetch --follow --every 0.05 --max-polls 1 -s csv "AAPL=$T/live.csv" >"$T/mon" 2>&1
is "$?:$(wc -l <"$T/mon")" 0:1 "a Monday morning: it polls"
SP_FETCH_CLOCK=1718658000 timeout 2 "$SP_BIN/sp-fetch" --follow --every 0.05 -s csv "AAPL=$T/live.csv" >"$T/eve" 2>&1
is "$?:$(wc -c <"$T/eve")" 124:0 "the same Monday at 17:00: closed, no poll"

# Transient failures do not end it: polls that fail are followed by polls.
# The mock server answers AAPL with 503 three times, then with its bars.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy='*'
cat >"$T/config.json" <<'EOC'
{"map": {"yahoo:AAPL": "yahoo/chart_AAPL_2020-01-02_1d_single_bar.json"},
 "faults": {"yahoo:AAPL": [{"kind": "status", "status": 503, "repeat": 3}]}}
EOC
/usr/bin/python3 tests/fetch/mockd.py --fixtures tests/data/fixtures --port-file "$T/port" \
	--config "$T/config.json" --log "$T/mock.jsonl" 2>/dev/null &
mpid=$!
for _ in $(seq 200); do [ -s "$T/port" ] && break; sleep 0.05; done
# (The fixture's one bar is of 2020, outside a live poll's window, so no bar
# is written: what is checked is that the run goes on polling.)
sp sp-fetch --follow --always --every 0.1 --retries 0 --max-polls 6 \
	--base-url "http://127.0.0.1:$(cat "$T/port")" AAPL >"$T/tr.out" 2>"$T/tr.err"
st=$?
kill $mpid
wait $mpid 2>/dev/null
is "$st" 0 "--follow outlives polls that fail"
is "$(jq -r 'select(.symbol == "AAPL") | .status' "$T/mock.jsonl" | tr '\n' ' ')" \
	"503 503 503 200 200 200 " "it polled on after three failures: six polls, three answered"
has "$T/tr.err" "AAPL: failed after 1 attempt: HTTP 503" "each failed poll is reported"

# On a terminal, one progress line on stderr; never in a pipe or with -q.
if command -v script >/dev/null; then
	script -qec "$SP_BIN/sp-fetch -s csv AAPL=$T/live.csv MSFT=$T/live.csv -o $T/tty.csv" /dev/null >"$T/tty" 2>&1
	has "$T/tty" "2/2 symbols, .*/s, 0 failed" "a terminal gets the progress line"
	has "$T/tty" "MSFT: 1 bar[^s]" "and the per-symbol lines"
	sp sp-fetch -s csv "AAPL=$T/live.csv" -o "$T/pipe.csv" 2>"$T/pipe.err"
	ok "$(grep -c 'symbols,' "$T/pipe.err")" "no progress line when stderr is not a terminal"
fi

done_testing
