#!/usr/bin/env bash
# t-mockd-selftest: tests/fetch/mockd.py, the replay server of the sp-fetch
# tests, checked with curl: every route serves its fixture byte for byte,
# unknown symbols get each API's real error answer, every fault kind behaves,
# connections are kept alive, --delay adds latency without serialising
# requests, the request log and /_stats count what was asked, and SIGTERM
# stops it cleanly.  Run from the repository root.
. tests/cli/lib.sh

MOCKD="/usr/bin/python3 tests/fetch/mockd.py"
pids=
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

# The fixtures the project ships, else the shared recordings.
src=tests/data/fixtures
[ -d "$src/yahoo" ] || src=../shared/data/fixtures
F=$T/fixtures
cp -r "$src" "$F"
chmod -R u+w "$F"
Y=$F/yahoo A=$F/alphavantage S=$F/stooq

cat >"$T/config.json" <<'EOF'
{
	"map": {
		"yahoo:ONEBAR": "yahoo/chart_AAPL_2020-01-02_1d_single_bar.json",
		"yahoo:BEKE": {"file": "yahoo/chart_error_bad_request_BEKE.json", "status": 400},
		"yahoo:SYM*": "yahoo/chart_MSFT_2021-02-01_to_2022-01-31_1d_div.json",
		"stooq:PLN": "stooq/aapl_us_d_polish_header.csv",
		"alphavantage:IBM:GLOBAL_QUOTE:json": null
	},
	"faults": {
		"yahoo:MSFT": [{"kind": "status", "status": 429, "retry_after": 1},
			{"kind": "status", "status": 503}],
		"yahoo:NVDA": [{"kind": "slow", "seconds": 3}],
		"yahoo:TSLA": [{"kind": "truncated"}],
		"stooq:MSFT": [{"kind": "html"}],
		"stooq:PLN": [{"kind": "reset"}],
		"yahoo:ONEBAR": [{"kind": "notfound"}],
		"REP": [{"kind": "status", "status": 500, "repeat": 2}],
		"FOREVER": [{"kind": "status", "status": 503, "forever": true}]
	}
}
EOF

# start_mockd PORTFILE ARGS...: start a server, wait for its port file.
start_mockd() {
	local pf=$1 i
	shift
	$MOCKD --fixtures "$F" --port-file "$pf" "$@" 2>>"$T/mockd.err" &
	pids="$pids $!"
	for i in $(seq 100); do
		[ -s "$pf" ] && return 0
		sleep 0.05
	done
	return 1
}

start_mockd "$T/port" --config "$T/config.json" --log "$T/log.jsonl"
ok $? "the server starts and writes its port file"
pid=${pids# }
port=$(cat "$T/port")
U=http://127.0.0.1:$port
has "$T/port" '^[0-9]+$' "the port file holds a port number"
is "$(ss -Hltn "sport = :$port" | awk '{ print $4 }')" "127.0.0.1:$port" \
	"it listens on 127.0.0.1 only"

# [W=FORMAT] get URL [CURL ARGS...]: the body to $T/out; prints the status
# (then FORMAT, a curl -w format); curl's exit code in $rc.
get() {
	local url=$1
	shift
	rc=0
	curl -s --noproxy '*' -o "$T/out" -w "%{http_code}${W:-}" "$@" "$U$url" || rc=$?
}
# serves URL FILE DESCRIPTION: 200 and the fixture's bytes.
serves() {
	is "$(get "$1")" 200 "$3: status 200"
	same_file "$T/out" "$2" "$3: the fixture byte for byte"
}

q="period1=1598832000&period2=1604707200&interval=1d&events=div,splits&includeAdjustedClose=true"
serves "/v8/finance/chart/AAPL?$q" "$Y/chart_AAPL_2020-08-31_to_2020-11-07_1d_split_div.json" \
	"yahoo AAPL (the largest of its two files)"
serves "/v8/finance/chart/aapl?range=max&interval=1d" \
	"$Y/chart_AAPL_2020-08-31_to_2020-11-07_1d_split_div.json" "yahoo aapl, range=, lower case"
is "$(get "/v8/finance/chart/ONEBAR?$q")" 404 "notfound fault on yahoo: 404"
same_file "$T/out" "$Y/chart_error_not_found.json" "notfound fault on yahoo: the Not Found body"
serves "/v8/finance/chart/ONEBAR?$q" "$Y/chart_AAPL_2020-01-02_1d_single_bar.json" \
	"then yahoo ONEBAR, mapped by the config"
serves "/v8/finance/chart/SYM042?$q" "$Y/chart_MSFT_2021-02-01_to_2022-01-31_1d_div.json" \
	"yahoo SYM042 mapped by a config glob"
is "$(get "/v8/finance/chart/BEKE?$q")" 400 "yahoo BEKE: the config's status 400"
same_file "$T/out" "$Y/chart_error_bad_request_BEKE.json" "yahoo BEKE: the 400 fixture"

av="/query?apikey=sekret-KEY&symbol=IBM&function"
serves "$av=TIME_SERIES_DAILY_ADJUSTED&outputsize=full" "$A/daily_adjusted_full_IBM.json" \
	"alphavantage DAILY_ADJUSTED full"
serves "$av=TIME_SERIES_DAILY_ADJUSTED&outputsize=compact" "$A/daily_adjusted_IBM_trimmed.json" \
	"alphavantage DAILY_ADJUSTED compact JSON"
serves "$av=TIME_SERIES_DAILY_ADJUSTED&datatype=csv" "$A/daily_adjusted_compact_IBM.csv" \
	"alphavantage DAILY_ADJUSTED csv"
serves "$av=TIME_SERIES_DAILY" "$A/daily_IBM_trimmed.json" "alphavantage DAILY JSON"
serves "$av=TIME_SERIES_DAILY&datatype=csv&outputsize=compact" "$A/daily_compact_IBM.csv" \
	"alphavantage DAILY csv"
serves "/query?function=GLOBAL_QUOTE&symbol=MSFT&apikey=k" "$A/global_quote_MSFT.json" \
	"alphavantage GLOBAL_QUOTE MSFT"
serves "/q/d/l/?s=aapl.us&i=d" "$S/aapl_us_d.csv" "stooq aapl.us"
serves "/q/d/l/?s=aapl.us&i=d&d1=20200101&d2=20201231" "$S/aapl_us_d.csv" "stooq with d1/d2"
serves "/files/yahoo/download_v7_AAPL_2020-01-02.csv" "$Y/download_v7_AAPL_2020-01-02.csv" \
	"/files/ serves any fixture"
is "$(get /files/../port)" 404 "/files/ refuses .."

# Unknown symbols: each API's own answer.
is "$(get "/v8/finance/chart/NOSUCH?$q")" 404 "yahoo unknown symbol: 404"
same_file "$T/out" "$Y/chart_error_not_found.json" "yahoo unknown symbol: the Not Found body"
is "$(get "/query?function=TIME_SERIES_DAILY&symbol=NOSUCH&apikey=k")" 200 \
	"alphavantage unknown symbol: 200"
same_file "$T/out" "$A/error_invalid_api_call_FX_DAILY.json" \
	"alphavantage unknown symbol: the Error Message body"
is "$(get "/query?function=GLOBAL_QUOTE&symbol=IBM&apikey=k")" 200 \
	"alphavantage symbol mapped to null: 200"
same_file "$T/out" "$A/error_invalid_api_call_FX_DAILY.json" \
	"alphavantage symbol mapped to null: the Error Message body"
is "$(get "/q/d/l/?s=nosuch.us&i=d")" 200 "stooq unknown symbol: 200"
same_file "$T/out" "$S/no_data.txt" "stooq unknown symbol: No data"
is "$(get /nowhere)" 404 "an unknown path: 404"

# Faults.
is "$(get "/v8/finance/chart/MSFT?$q" -D "$T/hdr")" 429 "status fault: 429"
has "$T/hdr" '^Retry-After: 1' "status fault: Retry-After"
is "$(get "/v8/finance/chart/MSFT?$q")" 503 "the next fault in the list: 503"
serves "/v8/finance/chart/MSFT?$q" "$Y/chart_MSFT_2021-02-01_to_2022-01-31_1d_div.json" \
	"then the normal answer"

t0=$(date +%s.%N)
get "/v8/finance/chart/NVDA?$q" --max-time 1 >/dev/null
t1=$(date +%s.%N)
is "$rc" 28 "slow fault: curl --max-time 1 times out"
is "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a >= 0.9 && b - a < 2.5) }')" 1 \
	"slow fault: after about 1 s"
serves "/v8/finance/chart/NVDA?$q" "$Y/chart_NVDA_2021-02-01_to_2022-01-31_1d_split.json" \
	"slow fault: then the normal answer"

get "/v8/finance/chart/TSLA?$q" >/dev/null
is "$rc" 18 "truncated fault: curl error 18 (partial file)"
is "$(wc -c <"$T/out")" $(($(wc -c <"$Y/chart_TSLA_2010-06-29_to_2023-08-11_1d.json") / 2)) \
	"truncated fault: half the body was sent"
serves "/v8/finance/chart/TSLA?$q" "$Y/chart_TSLA_2010-06-29_to_2023-08-11_1d.json" \
	"truncated fault: then the normal answer"

is "$(W=' %{content_type}' get "/q/d/l/?s=msft.us&i=d")" "200 text/html; charset=utf-8" \
	"html fault: 200 text/html"
has "$T/out" '<html>' "html fault: an HTML page"
serves "/q/d/l/?s=msft.us&i=d" "$S/msft_us_d.csv" "html fault: then the normal answer"

get "/q/d/l/?s=pln.us&i=d" >/dev/null
is "$(echo "$rc" | grep -Ecx '52|56')" 1 "reset fault: curl error 52 or 56 (got $rc)"
serves "/q/d/l/?s=pln.us&i=d" "$S/aapl_us_d_polish_header.csv" \
	"reset fault: then the normal answer (config map)"

codes=
for url in "/v8/finance/chart/REP?$q" "/q/d/l/?s=rep.us&i=d" "/v8/finance/chart/REP?$q" \
	"/q/d/l/?s=rep.us&i=d"; do
	codes="$codes $(get "$url")"
done
is "$codes" " 500 500 404 200" "repeat 2, keyed by the symbol alone: shared by the sources"
codes=
for i in 1 2 3 4 5; do
	codes="$codes $(get "/q/d/l/?s=forever.us&i=d")"
done
is "$codes" " 503 503 503 503 503" "forever"

# Keep-alive: the second transfer reuses the first one's connection.
is "$(curl -s --noproxy '*' -o /dev/null -o /dev/null -w '%{num_connects} ' \
	"$U/v8/finance/chart/AAPL?$q" "$U/q/d/l/?s=aapl.us&i=d")" "1 0 " \
	"keep-alive: two requests, one connection"

# The log: one line per request, the query as sent.
n=$(wc -l <"$T/log.jsonl")
is "$(jq -c 'select(.symbol == "MSFT" and .source == "yahoo") | [.fault, .status]' \
	"$T/log.jsonl" | head -3 | paste -sd' ')" '["status",429] ["status",503] [null,200]' \
	"log: yahoo MSFT's attempts, faults and statuses"
has "$T/log.jsonl" '"path": "/query\?apikey=sekret-KEY&symbol=IBM&function=TIME_SERIES_DAILY"' \
	"log: the path and query exactly as received"
is "$(jq -c 'select(.fault == "reset") | [.symbol, .status]' "$T/log.jsonl")" '["PLN",null]' \
	"log: a reset has no status"
is "$(jq -s 'map(select(.symbol == "REP")) | length' "$T/log.jsonl")" 4 "log: counts attempts"
get /_stats >/dev/null
is "$(jq -c '[.requests, .symbols.REP, .symbols.FOREVER, .faults.FOREVER]' "$T/out")" \
	"[$n,4,5,5]" "/_stats: counts per symbol"
is "$(wc -l <"$T/log.jsonl")" "$n" "/_stats is not logged"

# SIGTERM: exit 0, the port file removed, no process left.
kill -TERM "$pid"
st=0
wait "$pid" || st=$?
is "$st" 0 "SIGTERM: exit 0"
pids=
ok $([ ! -e "$T/port" ]; echo $?) "SIGTERM: the port file is removed"
ok $(kill -0 "$pid" 2>/dev/null; echo $((!$?))) "SIGTERM: the process is gone"

# A second server: --delay adds latency to every answer, concurrently; the
# Alpha Vantage faults serve their fixtures.
cat >"$T/config2.json" <<'EOF'
{"faults": {"MSFT": [{"kind": "av_note"}, {"kind": "av_information"}, {"kind": "notfound"}]}}
EOF
start_mockd "$T/port2" --delay 0.3 --config "$T/config2.json"
ok $? "a second server with --delay 0.3"
U=http://127.0.0.1:$(cat "$T/port2")
gq="/query?function=GLOBAL_QUOTE&symbol=MSFT&apikey=k"
is "$(get "$gq")" 200 "av_note: 200"
same_file "$T/out" "$A/rate_limit_note_2018.json" "av_note: the Note body"
is "$(get "$gq")" 200 "av_information: 200"
same_file "$T/out" "$A/rate_limit_information_2025.json" "av_information: the Information body"
is "$(get "$gq")" 200 "notfound on alphavantage: 200"
same_file "$T/out" "$A/error_invalid_api_call_FX_DAILY.json" "notfound: the Error Message body"
is "$(W=' %{time_total}' get "$gq" | awk '{ print $1, ($2 >= 0.3) }')" "200 1" \
	"--delay: an answer takes at least 0.3 s"
t0=$(date +%s.%N)
for i in $(seq 10); do
	curl -s --noproxy '*' -o "$T/par$i" "$U/v8/finance/chart/SYM$i" &
done
wait_ok=0
for j in $(jobs -p); do
	case " $pids " in *" $j "*) continue ;; esac
	wait "$j" || wait_ok=1
done
t1=$(date +%s.%N)
is "$wait_ok/$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a < 1.5) }')" 0/1 \
	"--delay: 10 parallel requests take well under 10 x 0.3 s"
pid2=${pids# }
kill -INT "$pid2"
st=0
wait "$pid2" || st=$?
is "$st" 0 "SIGINT: exit 0"
pids=

# Bad invocations.
printf '{"faults": {"X": [{"kind": "explode"}]}}\n' >"$T/bad.json"
exits 2 "a bad fault kind is refused" $MOCKD --fixtures "$F" --port-file "$T/p3" \
	--config "$T/bad.json" 2>"$T/err"
has "$T/err" 'kind must be one of' "with a message"
exits 2 "--fixtures is required" $MOCKD --port-file "$T/p3" 2>/dev/null
ok $([ ! -s "$T/mockd.err" ]; echo $?) "the servers wrote nothing to stderr"
sed 's/^/#   /' "$T/mockd.err" | head -10

done_testing
