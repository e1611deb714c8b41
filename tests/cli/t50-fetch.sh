#!/usr/bin/env bash
# t50-fetch: sp-fetch against the recorded responses replayed by
# tests/fetch/mockd.py on 127.0.0.1: values checked against the fixtures
# read with jq, failures that never stop the other symbols, retries that
# happen and are bounded, the cache, --since-last, and the API key that
# never shows.
. tests/cli/lib.sh

F=tests/data/fixtures
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy='*'

# mock CONFIG: start the server with CONFIG; sets $url and $log.
mock_pid=
mock() {
	[ -n "$mock_pid" ] && { kill "$mock_pid"; wait "$mock_pid" 2>/dev/null; }
	rm -f "$T/port"
	log=$T/log.$RANDOM.jsonl
	/usr/bin/python3 tests/fetch/mockd.py --fixtures "$F" --port-file "$T/port" \
		--config "$1" --log "$log" 2>"$T/mockd.err" &
	mock_pid=$!
	for _ in $(seq 200); do [ -s "$T/port" ] && break; sleep 0.05; done
	url=http://127.0.0.1:$(cat "$T/port")
}
trap '[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null' EXIT

# attempts SYMBOL: requests the server saw for SYMBOL.
attempts() { jq -r --arg s "$1" 'select(.symbol == $s) | .symbol' "$log" | wc -l; }

# ---- Yahoo: values against the fixture ------------------------------------------
cat >"$T/config.json" <<'EOF'
{"map": {"yahoo:AAPL": "yahoo/chart_AAPL_2020-08-31_to_2020-11-07_1d_split_div.json",
         "yahoo:TSLA": "yahoo/chart_TSLA_2010-06-29_to_2023-08-11_1d.json"}}
EOF
mock "$T/config.json"
sp sp-fetch --base-url "$url" --from 2020-08-31 --to 2020-11-06 --events "$T/ev.csv" \
	--summary "$T/sum.json" AAPL >"$T/aapl.csv" 2>"$T/err"
ok $? "yahoo: AAPL fetched"
is "$(head -1 "$T/aapl.csv")" "symbol,date,open,high,low,close,adj_close,volume" "the bars contract's columns"
jq -r '.chart.result[0] as $r | $r.meta.gmtoffset as $off | $r.indicators.quote[0] as $q |
	range($r.timestamp | length) | select($q.close[.] != null) |
	[(($r.timestamp[.] + $off) | strftime("%Y-%m-%d")), $q.open[.], $q.high[.], $q.low[.], $q.close[.],
	 $r.indicators.adjclose[0].adjclose[.], $q.volume[.]] | @csv' \
	$F/yahoo/chart_AAPL_2020-08-31_to_2020-11-07_1d_split_div.json |
	awk -F, '$1 >= "\"2020-08-31\"" && $1 <= "\"2020-11-06\""' | tr -d '"' >"$T/want.csv"
cut -d, -f2- "$T/aapl.csv" | tail -n +2 >"$T/got.csv"
is "$(paste -d, "$T/got.csv" "$T/want.csv" | awk -F, '{ for (i = 1; i <= 7; i++) if ($i != $(i + 7) && $i + 0 != $(i + 7) + 0) bad++ } END { print NR, bad + 0 }')" \
	"$(wc -l <"$T/want.csv") 0" "yahoo: every bar equals the fixture's numbers, on the exchange's dates"
is "$(cat "$T/ev.csv")" "symbol,date,kind,value
AAPL,2020-08-31,split,4
AAPL,2020-11-06,dividend,0.205" "yahoo: the 4:1 split and the dividend as events"
is "$(jq -r '.per_symbol[0] | [.symbol, .status, .bars, .attempts] | @tsv' "$T/sum.json")" \
	"$(printf 'AAPL\tok\t%s\t1' "$(wc -l <"$T/want.csv")")" "summary: status, bars, attempts"
has "$T/err" "AAPL: [0-9]+ bars" "stderr: one status line per symbol"
sp sp-fetch --base-url "$url" -q TSLA >"$T/tsla.csv"
is "$(($(wc -l <"$T/tsla.csv") - 1))" \
	"$(jq '.chart.result[0] as $r | [range($r.timestamp | length) | select($r.indicators.quote[0].close[.] != null)] | length' $F/yahoo/chart_TSLA_2010-06-29_to_2023-08-11_1d.json)" \
	"yahoo: thirteen years of TSLA, every bar"
SP_YAHOO_URL=$url sp sp-fetch -q --from 2020-08-31 --to 2020-11-06 AAPL >"$T/env.csv"
same_file "$T/env.csv" "$T/aapl.csv" "SP_YAHOO_URL points at the server as --base-url does"

# ---- one failure does not stop the others; exit 1 after writing them -------------
cat >"$T/config.json" <<'EOF'
{"map": {"yahoo:AAPL": "yahoo/chart_AAPL_2020-08-31_to_2020-11-07_1d_split_div.json",
         "yahoo:MSFT": "yahoo/chart_MSFT_2021-02-01_to_2022-01-31_1d_div.json",
         "yahoo:NVDA": "yahoo/chart_NVDA_2021-02-01_to_2022-01-31_1d_split.json",
         "yahoo:WHOLE": "yahoo/chart_MSFT_2021-02-01_to_2022-01-31_1d_div.json"},
 "faults": {"yahoo:AAPL": [{"kind": "status", "status": 429, "retry_after": 1}],
            "yahoo:MSFT": [{"kind": "status", "status": 503, "repeat": 2}],
            "yahoo:NVDA": [{"kind": "truncated"}, {"kind": "html"}, {"kind": "reset"}],
            "yahoo:SLOW": [{"kind": "slow", "seconds": 3, "forever": true}],
            "yahoo:WHOLE": [{"kind": "truncated", "forever": true}],
            "yahoo:DOWN": [{"kind": "status", "status": 500, "forever": true}]}}
EOF
mock "$T/config.json"
start=$(date +%s.%N)
sp sp-fetch --base-url "$url" --backoff 0.05 --retries 3 --timeout 1 --jobs 4 \
	--summary "$T/sum.json" AAPL MSFT NVDA ZZZZ WHOLE DOWN >"$T/many.csv" 2>"$T/err"
st=$?
elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
is "$st" 1 "some symbols failed: exit 1"
is "$(tail -n +2 "$T/many.csv" | cut -d, -f1 | sort -u | tr '\n' ' ')" "AAPL MSFT NVDA " \
	"the symbols that came through are written"
is "$(jq -r '.per_symbol[] | select(.status == "failed") | .symbol' "$T/sum.json" | sort | tr '\n' ' ')" \
	"DOWN WHOLE ZZZZ " "summary: the failed symbols"
is "$(attempts AAPL):$(attempts MSFT):$(attempts NVDA)" 2:3:4 \
	"retries: 429 once, 503 twice, truncated+html+reset, then success"
awk -v e="$elapsed" 'BEGIN { exit !(e >= 1) }'
ok $? "429 Retry-After: 1 was honoured (the run took ${elapsed}s)"
is "$(attempts ZZZZ)" 1 "an unknown symbol is not retried"
has "$T/err" "ZZZZ: failed after 1 attempt: not found" "the unknown symbol's reason on stderr"
is "$(attempts DOWN)" 4 "retries are bounded: 1 + --retries 3 attempts"
is "$(grep -c '^WHOLE,' "$T/many.csv")" 0 "a symbol whose body is always truncated writes nothing"
is "$(grep -c '^MSFT,' "$T/many.csv")" \
	"$(jq '.chart.result[0] as $r | [range($r.timestamp | length) | select($r.indicators.quote[0].close[.] != null)] | length' $F/yahoo/chart_MSFT_2021-02-01_to_2022-01-31_1d_div.json)" \
	"a symbol that succeeded after retries is complete"
sp sp-fetch --base-url "$url" --timeout 0.5 --retries 1 --backoff 0.05 SLOW >"$T/slow.csv" 2>"$T/err"
is "$?:$(attempts SLOW)" 1:2 "a response past --timeout is retried, then given up"
has "$T/err" "SLOW: failed after 2 attempts: Timeout" "the timeout is the reason"
sp sp-fetch --base-url "$url" --retries 50 --backoff 0.2 --deadline 1 DOWN >"$T/d.csv" 2>"$T/err"
is "$?" 1 "--deadline ends a run that would retry for long"
has "$T/err" "DOWN: .*deadline of 1s passed" "the deadline is the reason"

# The token bucket: --rate 2 (two a second, a bucket of two) spaces six
# requests over two seconds at least.
n0=$(jq -r .symbol "$log" | wc -l)
sp sp-fetch --base-url "$url" -q --rate 2 --jobs 6 --retries 0 R1 R2 R3 R4 R5 R6 >/dev/null 2>&1
is "$(($(jq -r .symbol "$log" | wc -l) - n0))" 6 "--rate: six requests made"
times=$(jq -r 'select(.symbol | test("^R[0-9]$")) | .time' "$log" | sort -n)
spread=$(printf '%s\n' "$times" | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.2f", b - a }')
awk -v s="$spread" 'BEGIN { exit !(s >= 1.8) }'
ok $? "--rate 2: the six requests spread over at least two seconds ($spread s)"

# ---- Alpha Vantage: the key is sent, and never shown ------------------------------
cat >"$T/config.json" <<'EOF'
{"faults": {"alphavantage:IBM": [{"kind": "av_note"}]}}
EOF
mock "$T/config.json"
key=SECRETKEY12345
ALPHAVANTAGE_API_KEY=$key sp sp-fetch -s alphavantage --base-url "$url" --rate 100 --backoff 0.05 \
	--cache-dir "$T/cache" --summary "$T/avsum.json" IBM NOPE >"$T/ibm.csv" 2>"$T/err"
is "$?" 1 "alphavantage: IBM fetched, NOPE failed"
is "$(attempts IBM)" 2 "alphavantage: a rate-limit note is retried"
is "$(attempts NOPE)" 1 "alphavantage: an Error Message is not retried"
has <(jq -r .path "$log") "apikey=$key" "alphavantage: the key is sent to the API"
! grep -q "$key" "$T/err" "$T/ibm.csv" "$T/avsum.json" && ! zstd -qdc "$T"/cache/* | grep -q "$key" &&
	! ls -R "$T/cache" | grep -q "$key"
ok $? "alphavantage: the key is in no message, output, summary, cache file or name"
echo "$key" >"$T/key"
sp sp-fetch -s alphavantage --base-url "$url" --api-key-file "$T/key" --rate 100 -q IBM >"$T/ibm2.csv"
is "$(jq -r .path "$log" | tail -1 | grep -c "apikey=$key")" 1 "--api-key-file gives the key"
env -u ALPHAVANTAGE_API_KEY "$SP_BIN/sp-fetch" -s alphavantage --base-url "$url" IBM >"$T/junk" 2>"$T/err"
is "$?" 2 "alphavantage without a key: exit 2"
has "$T/err" "ALPHAVANTAGE_API_KEY" "without a key: says where to put it"

# Not one symbol came through: the -o file is left as it was.
echo "yesterday's bars" >"$T/keep.csv"
sp sp-fetch --base-url "$url" -q --retries 0 ZZZZ YYYY -o "$T/keep.csv" 2>"$T/err"
is "$?:$(cat "$T/keep.csv")" "1:yesterday's bars" "every symbol failed: -o FILE left as it was"
has "$T/err" "no symbol was fetched" "and it says so"

# Answers from the cache take no rate-limit token: a replay is not throttled.
start=$(date +%s.%N)
ALPHAVANTAGE_API_KEY=$key sp sp-fetch -s alphavantage --offline -q --cache-dir "$T/cache" --rate 1/60 IBM IBM2 >"$T/ibm3.csv" 2>/dev/null
elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
awk -v e="$elapsed" 'BEGIN { exit !(e < 20) }'
ok $? "--offline with --rate 1/60: answered at once (${elapsed}s)"

# The csv source: names from SYMBOL= or the file name, upper case.
tail -n +2 "$T/aapl.csv" | cut -d, -f2- | sed '1i date,open,high,low,close,adj_close,volume' >"$T/brk.b.csv"
sp sp-fetch -s csv -q "$T/brk.b.csv" "msft=$T/brk.b.csv" --from 2020-11-02 --to 2020-11-06 >"$T/csvsrc.csv"
is "$(tail -n +2 "$T/csvsrc.csv" | cut -d, -f1 | sort -u | tr '\n' ' ')" "BRK.B MSFT " \
	"csv source: brk.b.csv is BRK.B, msft=FILE is MSFT"

# ---- Stooq -----------------------------------------------------------------------------
sp sp-fetch -s stooq --base-url "$url" --from 2020-01-01 --to 2020-12-31 AAPL NODATA >"$T/stooq.csv" 2>"$T/err"
is "$?" 1 "stooq: AAPL fetched, NODATA failed"
is "$(grep -c '^AAPL,2020-' "$T/stooq.csv")" "$(grep -c '^2020-' $F/stooq/aapl_us_d.csv)" \
	"stooq: every 2020 row of the file, --from/--to applied"
has "$T/err" "NODATA: failed after 1 attempt: not found" "stooq: 'No data' is a permanent failure"

# ---- the cache: replay byte for byte, offline --------------------------------------------
cat >"$T/config.json" <<'EOF'
{"map": {"yahoo:AAPL": "yahoo/chart_AAPL_2020-08-31_to_2020-11-07_1d_split_div.json"}}
EOF
mock "$T/config.json"
sp sp-fetch --base-url "$url" -q --cache-dir "$T/yc" --from 2020-08-31 --to 2020-11-06 AAPL >"$T/c1.csv"
is "$(attempts AAPL)" 1 "cache: the first run asks the server"
sp sp-fetch --base-url "$url" -q --cache-dir "$T/yc" --from 2020-08-31 --to 2020-11-06 AAPL >"$T/c2.csv"
is "$(attempts AAPL)" 1 "cache: a second run within the time-to-live does not"
sp sp-fetch --base-url http://127.0.0.1:9 -q --offline --cache-dir "$T/yc" --from 2020-08-31 --to 2020-11-06 AAPL >"$T/c3.csv"
same_file "$T/c3.csv" "$T/c1.csv" "--offline answers from the cache with the same bars"
zstd -qdc "$T"/yc/AAPL-*.zst >"$T/raw.json"
same_file "$T/raw.json" $F/yahoo/chart_AAPL_2020-08-31_to_2020-11-07_1d_split_div.json \
	"the cached response is the server's bytes, compressed"
sp sp-fetch -q --offline --cache-dir "$T/yc" MSFT >"$T/junk" 2>"$T/err"
is "$?" 1 "--offline: a symbol not in the cache fails"
sp sp-fetch --base-url "$url" -q --cache-dir "$T/yc" --cache-ttl 0 --from 2020-08-31 --to 2020-11-06 AAPL >"$T/c4.csv"
is "$(attempts AAPL)" 2 "--cache-ttl 0: a cached response is fetched again"

# A damaged cache entry: online it is fetched again, offline only that symbol fails.
for f in "$T"/yc/AAPL-*.zst; do head -c 100 "$f" >"$f.cut" && mv "$f.cut" "$f"; done
sp sp-fetch --base-url "$url" -q --cache-dir "$T/yc" --from 2020-08-31 --to 2020-11-06 AAPL >"$T/c5.csv" 2>"$T/err"
ok $? "cache: a truncated entry does not stop the run"
is "$(attempts AAPL)" 3 "cache: a truncated entry is fetched again"
same_file "$T/c5.csv" "$T/c1.csv" "cache: and the bars are the same"
for f in "$T"/yc/AAPL-*.zst; do printf '<html>oops</html>' | zstd -q >"$f"; done
sp sp-fetch --offline -q --cache-dir "$T/yc" --from 2020-08-31 --to 2020-11-06 AAPL >"$T/c6.csv" 2>"$T/err"
is "$?" 1 "cache: an entry that is not data fails the symbol offline"
sp sp-fetch --base-url "$url" -q --cache-dir "$T/yc" --from 2020-08-31 --to 2020-11-06 AAPL >"$T/c7.csv" 2>"$T/err"
ok $? "cache: online, an entry that is not data is dropped and fetched"
same_file "$T/c7.csv" "$T/c1.csv" "cache: with the same bars"

# ---- --since-last ------------------------------------------------------------------------
printf 'symbol,date,close\nAAPL,2020-10-01,100\nAAPL,2020-10-30,100\n' >"$T/old.csv"
sp sp-fetch --base-url "$url" -q --since-last "$T/old.csv" --to 2020-11-06 AAPL >"$T/inc.csv"
p1=$(jq -r '.path' "$log" | tail -1 | sed -nE 's/.*period1=([0-9]+).*/\1/p')
is "$(date -u -d "@$p1" +%F)" 2020-10-23 "--since-last: from five sessions before the last date"
is "$(tail -n +2 "$T/inc.csv" | head -1 | cut -d, -f2)" 2020-10-23 "--since-last: the overlap is written again"

# ---- --symbols-file and bad arguments ---------------------------------------------------------
printf '# watch list\naapl\n\n  AAPL  # again\n' >"$T/syms"
sp sp-fetch --base-url "$url" -q --symbols-file "$T/syms" --from 2020-11-02 --to 2020-11-06 >"$T/sf.csv"
is "$(tail -n +2 "$T/sf.csv" | cut -d, -f1 | sort | uniq -c | awk '{ print $1, $2 }')" "5 AAPL" \
	"--symbols-file: comments and blanks skipped, symbols upper-cased, each once"
exits 2 "no symbols" sp sp-fetch --base-url "$url" 2>/dev/null
exits 2 "an unknown source" sp sp-fetch -s bloomberg AAPL 2>/dev/null
exits 2 "--from after --to" sp sp-fetch --from 2021-01-01 --to 2020-01-01 AAPL 2>/dev/null
exits 2 "--offline without --cache-dir" sp sp-fetch --offline AAPL 2>/dev/null
exits 2 "a bad date" sp sp-fetch --from 2020-13-01 AAPL 2>/dev/null

done_testing
