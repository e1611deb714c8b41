#!/usr/bin/env bash
# t53-fetch-http2: over TLS, sp-fetch speaks HTTP/2 and multiplexes its
# requests on one connection.  nghttpd (Debian's nghttp2-server), which
# speaks nothing but HTTP/2, serves real Yahoo responses on 127.0.0.1 with
# a certificate made here; --cacert trusts it.
. tests/cli/lib.sh

F=tests/data/fixtures/yahoo
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy='*'
d=$T/htdocs/v8/finance/chart
mkdir -p "$d"
cp $F/chart_AAPL_2020-08-31_to_2020-11-07_1d_split_div.json "$d/AAPL"
cp $F/chart_MSFT_2021-02-01_to_2022-01-31_1d_div.json "$d/MSFT"
cp $F/chart_NVDA_2021-02-01_to_2022-01-31_1d_split.json "$d/NVDA"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
ok $? "a certificate for 127.0.0.1"

# nghttpd wants a port: try a few until one is free.
pid=
for _ in 1 2 3 4 5; do
	port=$((20000 + RANDOM % 20000))
	/usr/sbin/nghttpd -v -d "$T/htdocs" --address=127.0.0.1 "$port" "$T/key.pem" "$T/cert.pem" \
		>"$T/log" 2>&1 &
	pid=$!
	sleep 0.5
	kill -0 $pid 2>/dev/null && break
done
trap '[ -n "$pid" ] && kill $pid 2>/dev/null' EXIT
url=https://127.0.0.1:$port

sp sp-fetch -q --base-url "$url" --cacert "$T/cert.pem" --jobs 3 AAPL MSFT NVDA >"$T/bars.csv" 2>"$T/err"
ok $? "three symbols over HTTP/2 (nghttpd speaks nothing else)"
is "$(tail -n +2 "$T/bars.csv" | cut -d, -f1 | sort | uniq -c | awk '{ print $2 ":" $1 }' | tr '\n' ' ')" \
	"AAPL:49 MSFT:252 NVDA:252 " "every bar of the three"
is "$(grep -c 'recv HEADERS frame' "$T/log")" 3 "three requests"
is "$(grep 'recv HEADERS frame' "$T/log" | sed -E 's/^\[id=([0-9]+)\].*stream_id=([0-9]+)>$/\1:\2/' | sort | tr '\n' ' ')" \
	"1:1 1:3 1:5 " "all three multiplexed as streams 1, 3 and 5 of one connection"
sp sp-fetch --base-url "$url" --retries 0 AAPL >"$T/junk" 2>"$T/err"
is "$?" 1 "without --cacert the self-made certificate is refused"
has "$T/err" "AAPL: failed .*([Cc]ertificate|SSL|peer)" "and the reason says so"

done_testing
