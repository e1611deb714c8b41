#!/usr/bin/env bash
# t30-features-docs: sp-features' code, --help, --list and man page agree,
# in the manner of t90-docs.sh: every option in --help, the getopt table and
# the man page's OPTIONS; every feature kind in --list and in the man
# page's FEATURES; the default set in the code, --list and the man page.
. tests/cli/lib.sh
. tests/cli/docs-lib.sh

src=cmd/sp-features.c
page=man/sp-features.1

: >"$T/empty"

run "$T/help" "$T/help.err" sp sp-features --help
is "$st" 0 "--help exits 0"
has "$T/help" '^usage: sp-features ' "--help writes its usage to stdout"
is "$(wc -c <"$T/help.err")" 0 "--help writes nothing to stderr"
run "$T/version" "$T/version.err" sp sp-features --version
want=$(sed -nE 's/^#define SP_VERSION "(.*)"$/\1/p' lib/version.h)
is "$st:$(cat "$T/version")" "0:sp-features $want" "--version"
run "$T/bogus" "$T/bogus.err" sp sp-features --bogus
is "$st" 2 "--bogus exits 2"
has "$T/bogus.err" "--help" "a bad option's message mentions --help"

# ---- options ----
signatures <"$T/help" | sort -u >"$T/opt.help"
section "$page" OPTIONS | tags | signatures | sort -u >"$T/opt.man"
cut -d: -f1 "$T/opt.help" >"$T/long.help"
cut -d: -f1 "$T/opt.man" >"$T/long.man"
is "$(wc -l <"$T/opt.help")" "$(grep -cE '^ +(-[a-zA-Z], )?--[a-z]' "$T/help")" \
	"every option line of --help is understood by this test"
agree "every option in --help is in the man page's OPTIONS" "$(only_in "$T/long.help" "$T/long.man")"
agree "every option in the man page's OPTIONS is in --help" "$(only_in "$T/long.man" "$T/long.help")"
agree "--help and the man page agree on short options and argument names" \
	"$(diff "$T/opt.help" "$T/opt.man" | grep '^[<>]')"
plain <"$page" | grep -oE -- '--[a-z][a-z0-9-]*' | sed 's/^--//' | sort -u >"$T/long.mentioned"
agree "every --option the man page mentions is one of sp-features'" \
	"$(only_in "$T/long.mentioned" "$T/long.help")"
getopt_agrees "" "$src"

# The binary accepts every option of --help in every form, on empty input.
echo 'ret:1' >"$T/opt.spec"
sample() {	# sample NAME ARG: a good value for option NAME's ARG
	case $1:$2 in
	spec-file:FILE) echo "$T/opt.spec" ;;
	warmup:FILE) echo "$T/empty" ;;
	state:FILE) echo "$T/opt.state" ;;
	*:FILE) echo "$T/opt.out" ;;
	*:FMT) echo ndjson ;;
	*:SPEC) echo 'sma:3,rsi:2' ;;
	*:N) echo 5 ;;
	*:KIND) echo logret ;;
	*:SYM) echo XYZ ;;
	*) return 1 ;;
	esac
}
agree "the binary accepts every option in --help, in every form" \
	"$(while IFS=: read -r name short arg; do
		extra=()
		[ "$name" = target-kind ] && extra=(--target 3)
		forms=("--$name")
		[ -n "$short" ] && forms+=("-$short")
		for f in "${forms[@]}"; do
			if [ -z "$arg" ]; then
				set -- "$f"
			elif ! v=$(sample "$name" "$arg"); then
				echo "$f: no sample value for $arg"
				continue
			elif [ "${f#--}" != "$f" ]; then
				set -- "$f" "$v" "$f=$v"
			else
				set -- "$f" "$v"
			fi
			st=0
			sp sp-features "${extra[@]}" "$@" <"$T/empty" >"$T/junk" 2>"$T/arg.err" || st=$?
			[ "$st" -eq 0 ] || echo "sp-features $*: exit $st: $(head -1 "$T/arg.err")"
		done
		if [ -n "$arg" ]; then set -- "--$name"; else set -- "--$name=x"; fi
		st=0
		sp sp-features "$@" <"$T/empty" >"$T/junk" 2>"$T/arg.err" || st=$?
		[ "$st" -eq 2 ] || echo "sp-features $1: exit $st, not 2"
	done <"$T/opt.help")"

# ---- features: --list, the man page, the library ----
run "$T/list" "$T/list.err" sp sp-features --list
is "$st" 0 "--list exits 0"
# A kind's paragraph starts at the left margin with "SYNTAX -> COLUMNS".
sed -nE 's/^([a-z]+)(:.*|\[.*)? -> .*/\1/p' "$T/list" | sort -u >"$T/kinds.list"
is "$(wc -l <"$T/kinds.list")" \
	"$(sed -n '/^static const struct ind_kind \*const kinds\[\] = {/,/^};/p' lib/ind.c | grep -oE '&[a-z_]+' | wc -l)" \
	"--list describes every kind of lib/ind.c's table"
for k in ret logret roc mom sma ema wma macd bb vol rsi stoch willr cci mfi adx tr atr obv vzscore gap hlrange dhigh dlow dow lag; do
	echo "$k"
done | sort -u >"$T/kinds.issue"
agree "--list has every indicator the issue asks for" "$(only_in "$T/kinds.issue" "$T/kinds.list")"
section "$page" FEATURES | tags | sed -nE 's/^([a-z]+)(:.*|\[.*)? -> .*/\1/p' | sort -u >"$T/kinds.man"
agree "every kind in --list is in the man page's FEATURES" "$(only_in "$T/kinds.list" "$T/kinds.man")"
agree "every kind in the man page's FEATURES is in --list" "$(only_in "$T/kinds.man" "$T/kinds.list")"
# The man page's paragraphs say what --list says, word for word.
section "$page" FEATURES | awk '/^\.TP/ { n++; next } n' | plain | tr -s ' \n' '\n\n' |
	sed 's/[.,;]$//' >"$T/feat.man"
sed -n '/ -> /,$p' "$T/list" | sed '/^Targets/,$d' | tr -s ' \n' '\n\n' | sed 's/[.,;]$//' >"$T/feat.list"
agree "the man page's FEATURES has --list's definitions word for word" \
	"$(diff "$T/feat.man" "$T/feat.list" | head -10)"

# The default set: the code's, --list's and the man page's, and it works.
code=$(sed -n '/^const char sp_features_default_spec\[\] =/,/;$/p' lib/features.c | grep -oE '"[^"]*"' | tr -d '"\n')
is "$(sed -nE "s/^  --spec '(.*)'$/\1/p" "$T/list")" "$code" "--list prints the code's default set"
is "$(section "$page" 'DEFAULT SET' | sed -n '/^\.EX/,/^\.EE/p' | sed '1d;$d' | tr -d '\n' | sed 's/\\-/-/g')" "$code" \
	"the man page gives the code's default set"
n=$(sed -nE 's/^Default set.*\(([0-9]+) columns\):$/\1/p' "$T/list")
has <(section "$page" 'DEFAULT SET') "computes $n columns" "the man page says how many columns the default set has ($n)"
printf 'symbol,date,open,high,low,close\n' >"$T/hdr.csv"
sp sp-features "$T/hdr.csv" >"$T/def.out"
is "$(head -1 "$T/def.out" | tr ',' '\n' | tail -n +4 | paste -sd' ')" \
	"$(sed -n '/^Columns:$/,$p' "$T/list" | tail -n +2 | tr -d ' ' | paste -sd' ')" \
	"--list names the default set's columns, in order"

# ---- the page renders ----
if command -v groff >"$T/junk"; then
	groff -man -Tutf8 -ww -z "$page" >"$T/lint" 2>&1
	is "$(cat "$T/lint")" "" "groff -ww has no warnings for $page"
	is "$(groff -man -Tascii -rLL=78n -P-cbou "$page" 2>"$T/junk" | awk 'length > 80' | head -3)" "" \
		"$page fits 80 columns"
fi
has "$page" '^\.BR sp \(7\)' "$page refers to sp(7)"

done_testing
