#!/usr/bin/env bash
# t51-fetch-docs: sp-fetch's code, --help and man page agree, in the manner
# of t44-train-docs.sh: --help, --version and a bad option; the options of
# --help, the man page's OPTIONS, the getopt table and getopt_long's short
# options; every --option the page mentions is one of the tool it goes
# with; an option without its value is a usage error; the defaults; the
# sources, functions and environment variables the page lists; the
# requests, cache file names and summary keys it describes, checked
# against what the binary does with the replay server of tests/fetch/ on
# 127.0.0.1; the page renders cleanly in 80 columns and has its sections.
. tests/cli/lib.sh
. tests/cli/docs-lib.sh

tool=sp-fetch
src=cmd/$tool.c
page=man/$tool.1

subsection() {	# subsection NAME: the roff source of .SS NAME or .SS NAME (...) (stdin)
	awk -v want="$1" '
		/^\.S[SH] / { s = substr($0, 5); gsub(/"/, "", s)
			on = s == want || index(s, want " (") == 1; next }
		on'
}
want=$(sed -nE 's/^#define SP_VERSION "(.*)"$/\1/p' lib/version.h)

# ---- --help, --version, a bad option ----------------------------------------------

st=0
sp "$tool" --help >"$T/help" 2>"$T/help.err" || st=$?
is "$st:$(wc -c <"$T/help.err")" 0:0 "$tool --help exits 0 and writes nothing to stderr"
has "$T/help" "^usage: $tool " "$tool --help writes its usage to stdout"
is "$(sp "$tool" --version)" "$tool $want" "$tool --version"
st=0
sp "$tool" --bogus >"$T/out" 2>"$T/err" || st=$?
is "$st:$(wc -c <"$T/out")" 2:0 "$tool --bogus exits 2 with nothing on stdout"
has "$T/err" "--help" "$tool: a bad option's message mentions --help"
st=0
sp "$tool" --offline=x AAPL >"$T/out" 2>"$T/err" || st=$?
is "$st:$(wc -c <"$T/out")" 2:0 "$tool: a value for an option that takes none exits 2"
st=0
sp "$tool" </dev/null >"$T/out" 2>"$T/err" || st=$?
is "$st:$(wc -c <"$T/out")" 2:0 "$tool without symbols exits 2"

# ---- options: --help, the man page, the getopt table --------------------------------

grep -E '^ ' "$T/help" | signatures | sort -u >"$T/opt.help"
section "$page" OPTIONS | tags | signatures | sort -u >"$T/opt.man"
cut -d: -f1 "$T/opt.help" >"$T/long.help"
cut -d: -f1 "$T/opt.man" >"$T/long.man"
is "$(wc -l <"$T/opt.help")" "$(grep -cE '^ +(-[a-zA-Z], )?--[a-z]' "$T/help")" \
	"$tool: every option line of --help is understood by this test"
is "$(section "$page" OPTIONS | grep -c '^\.TP')" "$(wc -l <"$T/opt.man")" \
	"$tool: every tag of $page's OPTIONS is an option line"
agree "$tool: every option in --help is in $page's OPTIONS" \
	"$(only_in "$T/long.help" "$T/long.man")"
agree "$tool: every option in $page's OPTIONS is in --help" \
	"$(only_in "$T/long.man" "$T/long.help")"
agree "$tool: --help and $page agree on short options and argument names" \
	"$(diff "$T/opt.help" "$T/opt.man" | grep '^[<>]')"
is "$(grep -E '^ +(-[a-zA-Z], )?--[a-z]' "$T/help" | sed -E 's/^ +(-[a-zA-Z], )?--([a-z-]+).*/\2/' |
	tr '\n' ' ')" \
	"$(section "$page" OPTIONS | tags | sed -E 's/^(-[a-zA-Z], )?--([a-z-]+).*/\2/' | tr '\n' ' ')" \
	"$tool: $page lists the options in the order of --help"

getopt_agrees "$tool: " "$src"

# An option that needs a value, given none, is a usage error, whatever else
# the command line holds.
agree "$tool: every option with an argument refuses to go without it" \
	"$(while IFS=: read -r name short arg; do
		[ -n "$arg" ] || continue
		for f in "--$name" ${short:+"-$short"}; do
			st=0
			sp "$tool" AAPL "$f" </dev/null >"$T/junk" 2>"$T/arg.err" || st=$?
			[ "$st" -eq 2 ] || echo "$tool AAPL $f: exit $st, not 2"
			grep -q "needs a value" "$T/arg.err" ||
				echo "$tool AAPL $f: no 'needs a value' message"
		done
	done <"$T/opt.help")"

# ---- options the page mentions ------------------------------------------------------

# Every --option in the page is one of sp-fetch's, or, after the name of
# another sp tool on the same line (a pipeline, a cross reference), one of
# that tool's.  Options after an outside command (curl-config --ca) are
# not checked.
plain <"$page" | awk '
	{
		t = "sp-fetch"
		n = split($0, w, /[ \t|]+/)
		for (i = 1; i <= n; i++) {
			if (w[i] ~ /^sp-[a-z]+$/)
				t = w[i]
			else if (w[i] ~ /^(curl-config|curl|zstd|jq|cmp|find|install)$/)
				t = ""
			else if (t != "" && match(w[i], /--[a-z][a-z0-9-]*/))
				print t, substr(w[i], RSTART + 2, RLENGTH - 2)
		}
	}' | sort -u >"$T/mentioned"
agree "every --option $page mentions is an option of the tool it goes with" \
	"$(while read -r t name; do
		if [ "$t" = "$tool" ]; then
			grep -qx -- "$name" "$T/long.help" || echo "$t --$name"
		elif [ -x "$SP_BIN/$t" ]; then
			"$SP_BIN/$t" --help | signatures | cut -d: -f1 | grep -qx -- "$name" ||
				echo "$t --$name"
		else
			echo "$t --$name: no such tool in $SP_BIN"
		fi
	done <"$T/mentioned")"
is "$(awk '$1 != "sp-fetch"' "$T/mentioned" | cut -d' ' -f1 | sort -u | tr '\n' ' ')" \
	"sp-clean sp-features sp-predict " "$page's live pipeline names sp-clean, sp-features, sp-predict"

# ---- defaults -------------------------------------------------------------------------

# An option's --help text (its line and the lines under it) ending in
# "(VALUE)", one word, is the man page's "default VALUE"; the numbers are
# also those sp_fetch_options_init() sets.
awk '
	/^ +(-[a-zA-Z], )?--[a-z]/ { if (name != "") print name "\t" text
		name = $0; sub(/^ +(-[a-zA-Z], )?--/, "", name); sub(/[ ].*/, "", name)
		text = $0; next }
	/^                    / && name != "" { text = text " " $0; next }
	{ if (name != "") print name "\t" text; name = "" }
	END { if (name != "") print name "\t" text }' "$T/help" |
	sed -nE 's/^([a-z-]+)\t.*\(([^ ();]+)\) *$/\1 \2/p' >"$T/defaults"
is "$(cut -d' ' -f1 "$T/defaults" | tr '\n' ' ')" \
	"source interval function datatype overlap jobs retries backoff timeout deadline cache-ttl every " \
	"the defaults of --help are read by this test"
agree "defaults in --help are the man page's and the code's" \
	"$(while read -r name value; do
		text=$(section "$page" OPTIONS | awk -v n="$name" '
			{ gsub(/\\f[BIRP]/, ""); gsub(/\\-/, "-") }
			/^\.TP/ { tp = 1; next }
			tp { tp = 0; on = $0 ~ ("--" n "( |$)") }
			on' | plain | tr '\n' ' ')
		case $text in
		*"default $value"*) ;;
		*) echo "--$name: $page does not say 'default $value'" ;;
		esac
		code=$(sed -nE "s/^[[:space:]]*o->${name//-/_} = (.*);.*/\1/p" lib/fetch.c)
		if [[ $value =~ ^[0-9]+$ ]]; then
			[ -n "$code" ] && [ "$((code))" = "$value" ] ||
				echo "--$name: --help says $value, lib/fetch.c sets '$code'"
		fi
	done <"$T/defaults")"
has <(section "$page" OPTIONS | plain | tr '\n' ' ') \
	'default is 5/60 for alphavantage' "$page gives Alpha Vantage's default rate"
grep -q 'o.rate = 5.0 / 60;' "$src" && grep -q 'o.burst = 5;' "$src"
ok $? "$src sets Alpha Vantage's default rate to 5/60 with a bucket of 5"

# ---- sources, functions, environment ------------------------------------------------

sed -n '/^} sources\[\] = {/,/^};/p' lib/fetch-source.c |
	sed -nE 's/.*\] = \{ "([a-z]+)".*/\1/p' | sort >"$T/src.code"
section "$page" SOURCES | sed -nE 's/^\.SS ([a-z]+).*/\1/p' | sort >"$T/src.man"
is "$(wc -l <"$T/src.code")" 4 "lib/fetch-source.c names four sources"
agree "every source of lib/fetch-source.c has its part of SOURCES, and no other" \
	"$(diff "$T/src.code" "$T/src.man" | grep '^[<>]')"
section "$page" SOURCES | subsection alphavantage | tags | grep -E '^[a-z_]+$' | sort >"$T/fn.man"
agree "every --function value is described under alphavantage" \
	"$(for f in daily daily_adjusted intraday quote; do
		grep -qx "$f" "$T/fn.man" || echo "$f"
		grep -q "\"$f\"" "$src" || echo "$f: not in $src"
	done)"
# The variables of the sources' table, and every getenv() of sp-fetch's code.
sed -nE 's/.*"(SP_[A-Z]+_URL)".*/\1/p' lib/fetch-source.c >"$T/env.code"
grep -ohE 'getenv\("[A-Za-z_]+"\)' "$src" lib/fetch*.c lib/fetch*.cc 2>"$T/junk" |
	sed -E 's/getenv\("(.*)"\)/\1/' >>"$T/env.code"
is "$(sort -u "$T/env.code" | tr '\n' ' ')" \
	"ALPHAVANTAGE_API_KEY SP_ALPHAVANTAGE_URL SP_FETCH_CLOCK SP_STOOQ_URL SP_YAHOO_URL " \
	"the variables sp-fetch reads are found by this test"
section "$page" ENVIRONMENT | tags | tr ',' '\n' | sed 's/^ *//; s/ *$//' | sort -u >"$T/env.man"
agree "every variable the code reads is in ENVIRONMENT" \
	"$(only_in "$T/env.code" "$T/env.man")"
for v in http_proxy https_proxy no_proxy; do
	grep -qx "$v" "$T/env.man"
	ok $? "ENVIRONMENT names libcurl's $v"
done

# The backoff: the formula of the page is the code's.
grep -qF 'double delay = j->o->backoff * pow(2, t->attempts - 1);' lib/fetch.c &&
	grep -qF 'delay *= 0.5 + 0.5 * jitter(j);' lib/fetch.c
ok $? "lib/fetch.c computes backoff x 2^(attempts-1) x (0.5 + 0.5 u)"
has <(section "$page" 'RETRIES AND RATE LIMITS' | plain) \
	'^delay = B \\\(mu 2\^\(n-1\) \\\(mu \(0\.5 \+ 0\.5 u\)$' "$page gives that formula"

# ---- what the binary does: requests, cache names, summary -----------------------------

F=tests/data/fixtures
mock_pid=
if [ -x /usr/bin/python3 ] && [ -d "$F/yahoo" ]; then
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
	export no_proxy='*'
	cat >"$T/config.json" <<'EOF'
{"map": {"yahoo:AAPL": "yahoo/chart_AAPL_2020-08-31_to_2020-11-07_1d_split_div.json"},
 "faults": {"yahoo:DOWN": [{"kind": "status", "status": 503, "forever": true}]}}
EOF
	log=$T/log.jsonl
	/usr/bin/python3 tests/fetch/mockd.py --fixtures "$F" --port-file "$T/port" \
		--config "$T/config.json" --log "$log" 2>"$T/mockd.err" &
	mock_pid=$!
	trap 'kill "$mock_pid" 2>/dev/null; rm -rf "$T"' EXIT
	for _ in $(seq 200); do [ -s "$T/port" ] && break; sleep 0.05; done
	url=http://127.0.0.1:$(cat "$T/port")
fi
if [ -n "$mock_pid" ] && [ -s "$T/port" ]; then
	# The request templates of SOURCES as regular expressions.
	template() {	# template SOURCE: the first .EX block of SOURCES' .SS SOURCE, one line
		section "$page" SOURCES | subsection "$1" |
			awk '/^\.EE/ { exit } on { print } /^\.EX/ { on = 1 }' |
			sed -E 's/\\f[BIRP]//g; s/\\-/-/g; s/^ +//' | tr -d '\n'
	}
	as_regex() {	# as_regex: a template on stdin to an extended regex
		sed -E 's/[.?]/\\&/g; s/\[/(/g; s/\]/)?/g;
			s/^BASE//; s/SYM/[^\&]+/g; s/P1|P2/[0-9]+/g; s/INT/[0-9a-z]+/g;
			s/FUNC/[A-Z_]+/g; s/=Nmin/=[0-9]+min/g; s/KEY/[^\&]+/g;
			s/=sym/=[a-z0-9.]+/g; s/YYYYMMDD/[0-9]{8}/g; s/^/^/; s/$/$/'
	}
	lastpath() { jq -r .path "$log" | tail -1; }
	for s in yahoo alphavantage stooq; do
		template "$s" >"$T/tpl.$s"
		[ -s "$T/tpl.$s" ]
		ok $? "SOURCES shows the request of $s"
	done

	sp "$tool" --base-url "$url" -q --cache-dir "$T/cache" --from 2020-08-31 --to 2020-11-06 \
		--summary "$T/s1.json" AAPL >"$T/aapl.csv"
	ok $? "yahoo: AAPL from the replay server"
	p=$(lastpath)
	[ -s "$T/tpl.yahoo" ] && grep -qE "$(as_regex <"$T/tpl.yahoo")" <<<"$p"
	ok $? "yahoo: the request is the page's: $p"
	is "$(sed -nE 's/.*period1=([0-9]+).*period2=([0-9]+).*/\1 \2/p' <<<"$p")" \
		"$(date -u -d 2020-08-31 +%s) $(date -u -d 2020-11-07 +%s)" \
		"yahoo: period1 is 00:00 UTC of --from, period2 that of the day after --to"
	# The cache file: SYMBOL-HASH.zst, HASH the FNV-1a of the request with
	# the source's name for its base URL.
	fnv() {
		/usr/bin/python3 -c 'import sys
h = 0xcbf29ce484222325
for b in sys.argv[1].encode():
    h = ((h ^ b) * 0x100000001b3) % (1 << 64)
print("%016x" % h)' "$1"
	}
	is "$(cd "$T/cache" && ls)" "AAPL-$(fnv "yahoo$p").zst" \
		"cache: the file is SYMBOL-HASH.zst, HASH the FNV-1a of 'yahoo' + the request"

	key=NOTAREALKEY42
	for fn in daily daily_adjusted intraday quote; do
		want=$(section "$page" SOURCES | subsection alphavantage |
			awk -v f="$fn" '/^\.TP/ { tp = 1; next } tp == 1 { tp = ($0 == ".B " f) ? 2 : 0; next }
				tp == 2 { print $2; exit }' | plain)
		ALPHAVANTAGE_API_KEY=$key sp "$tool" -s alphavantage --base-url "$url" --rate 0 -q \
			--function "$fn" --datatype csv -i 5m IBM >"$T/junk" 2>&1
		p=$(lastpath)
		[ -s "$T/tpl.alphavantage" ] &&
			grep -qE "$(as_regex <"$T/tpl.alphavantage")" <<<"$p" &&
			grep -q "function=$want&" <<<"$p" && grep -q "apikey=$key" <<<"$p"
		ok $? "alphavantage --function $fn asks for $want as the page says: $p"
	done
	case $p in
	*"outputsize=full"*) ok 1 "alphavantage quote: no outputsize" ;;
	*) ok 0 "alphavantage quote: no outputsize" ;;
	esac
	ALPHAVANTAGE_API_KEY=$key sp "$tool" -s alphavantage --base-url "$url" --rate 0 -q \
		--function intraday IBM >"$T/junk" 2>&1
	grep -q 'interval=60min' <<<"$(lastpath)"
	ok $? "alphavantage intraday without -i asks for 60min bars"
	ALPHAVANTAGE_API_KEY=$key sp "$tool" -s alphavantage --base-url "$url" --rate 0 -q \
		--function daily_adjusted --cache-dir "$T/avcache" IBM >"$T/junk" 2>&1
	p=$(lastpath)
	is "$(cd "$T/avcache" && ls)" "IBM-$(fnv "alphavantage${p%&apikey=$key}").zst" \
		"cache: the Alpha Vantage request is named without its key"

	sp "$tool" -s stooq --base-url "$url" -q --from 2020-01-02 --to 2020-12-31 VOD.UK \
		>"$T/junk" 2>&1
	p=$(lastpath)
	[ -s "$T/tpl.stooq" ] && grep -qE "$(as_regex <"$T/tpl.stooq")" <<<"$p" && grep -q 's=vod.uk&i=d&d1=20200102&d2=20201231$' <<<"$p"
	ok $? "stooq: the request is the page's: $p"
	sp "$tool" -s stooq --base-url "$url" -q --to 2020-12-31 AAPL >"$T/junk" 2>&1
	grep -q 's=aapl.us&i=d&d1=19700101&' <<<"$(lastpath)"
	ok $? "stooq: AAPL is aapl.us, from 19700101 without --from"

	# The summary's keys, from a run with a symbol written and one failed.
	sp "$tool" --base-url "$url" -q --retries 0 --from 2020-08-31 --to 2020-11-06 \
		--summary "$T/s2.json" AAPL DOWN >"$T/junk" 2>&1
	is "$?" 1 "a run with a failed symbol exits 1"
	jq -r '[paths | .[] | strings] | unique[]' "$T/s2.json" >"$T/keys.json"
	section "$page" OUTPUT | subsection Summary | plain | grep -oE '[a-z_]+' |
		sort -u >"$T/words.summary"
	agree "every key of the summary JSON is in $page's OUTPUT / Summary" \
		"$(only_in "$T/keys.json" "$T/words.summary")"
	jq -r 'keys[]' "$T/s2.json" >"$T/keys.top"
	section "$page" OUTPUT | subsection Summary | tags | tr ',' '\n' | tr -d ' ' |
		sort -u >"$T/keys.man"
	agree "every field the page's Summary lists is a key of the summary JSON" \
		"$(only_in "$T/keys.man" "$T/keys.top")"
	is "$(jq -r '.per_symbol[] | [.symbol, .status, (.http_status | tostring), (has("error") | tostring)] | @tsv' \
		"$T/s2.json" | tr '\t\n' ', ')" \
		"AAPL,ok,200,false DOWN,failed,503,true " \
		"the summary's per_symbol, as the page describes it"
else
	ok 0 "the replay server # SKIP no /usr/bin/python3 or no fixtures"
fi

# ---- the page ----------------------------------------------------------------------

if command -v groff >"$T/junk"; then
	groff -man -Tutf8 -ww -z "$page" >"$T/lint" 2>&1
	is "$(cat "$T/lint")" "" "groff -ww has no warnings for $page"
	is "$(groff -man -Tascii -rLL=78n -P-cbou "$page" 2>"$T/junk" | awk 'length > 80' | head -3)" "" \
		"$page fits 80 columns"
else
	ok 0 "groff -ww renders $page # SKIP no groff"
fi
has "$page" '^\.BR sp \(7\)' "$page refers to sp(7)"
for s in NAME SYNOPSIS DESCRIPTION SOURCES OPTIONS 'RETRIES AND RATE LIMITS' OUTPUT CACHE \
	INCREMENTAL LIVE ENVIRONMENT 'EXIT STATUS' EXAMPLES 'SEE ALSO' BUGS; do
	[ -n "$(section "$page" "$s")" ]
	ok $? "$page has a $s section"
done
for s in 'What is retried' 'What is permanent' Backoff 'Rate limit' Deadline; do
	[ -n "$(section "$page" 'RETRIES AND RATE LIMITS' | subsection "$s")" ]
	ok $? "$page's RETRIES AND RATE LIMITS explains: $s"
done
for s in Bars Events Summary Messages; do
	[ -n "$(section "$page" OUTPUT | subsection "$s")" ]
	ok $? "$page's OUTPUT explains: $s"
done
# The examples the page promises: a cron batch, a live pipeline, Alpha
# Vantage with a key file, an offline replay.
ex=$(section "$page" EXAMPLES | plain)
grep -qE '^[0-9]+ [0-9]+ \* \* ' <<<"$ex" && grep -q -- '--since-last' <<<"$ex" &&
	grep -q -- '--summary' <<<"$ex"
ok $? "EXAMPLES: a crontab line for a batch with --since-last and --summary"
grep -q -- '--follow' <<<"$ex" && grep -q 'sp-clean --stream |' <<<"$ex" &&
	grep -q 'sp-features --stream' <<<"$ex" && grep -q 'sp-predict --stream' <<<"$ex"
ok $? "EXAMPLES: a live pipeline through sp-clean, sp-features and sp-predict"
grep -q -- '--api-key-file' <<<"$ex" && grep -q -- '--offline' <<<"$ex"
ok $? "EXAMPLES: Alpha Vantage with a key file, and an offline replay"
has <(section "$page" 'EXIT STATUS' | tags) '^2$' "EXIT STATUS lists 2"

done_testing
