#!/usr/bin/env bash
# t90-docs: the code, --help and the man pages agree, in the spirit of curl's
# test1139.  Options: --help, the man page's OPTIONS, the getopt table and
# the binary itself.  Reject codes, input aliases, the rejects file's columns
# and the summary's keys: the code and the man page.  The pages render
# without warnings and fit 80 columns; --help, --version and a bad option
# behave; make install puts the tools and pages where they belong.
. tests/cli/lib.sh
. tests/cli/docs-lib.sh

src=cmd/sp-clean.c
page=man/sp-clean.1
page7=man/sp.7

# ---- --help, --version, a bad option ----------------------------------------

# Empty input and throw-away output in files of our own: nothing here
# depends on the state of /dev/null.
: >"$T/empty"

run "$T/help" "$T/help.err" sp sp-clean --help
is "$st" 0 "sp-clean --help exits 0"
has "$T/help" '^usage: sp-clean ' "--help writes its usage to stdout"
is "$(wc -c <"$T/help.err")" 0 "--help writes nothing to stderr"

run "$T/version" "$T/version.err" sp sp-clean --version
is "$st" 0 "sp-clean --version exits 0"
want=$(sed -nE 's/^#define SP_VERSION "(.*)"$/\1/p' lib/version.h)
is "$(cat "$T/version")" "sp-clean $want" "--version prints 'sp-clean $want' (lib/version.h)"

run "$T/bogus" "$T/bogus.err" sp sp-clean --bogus
is "$st" 2 "sp-clean --bogus exits 2"
has "$T/bogus.err" "--help" "a bad option's message on stderr mentions --help"
is "$(wc -c <"$T/bogus")" 0 "a bad option writes nothing to stdout"

# ---- options: --help, man page, getopt table, binary ------------------------

signatures <"$T/help" | sort -u >"$T/opt.help"
section "$page" OPTIONS | tags | signatures | sort -u >"$T/opt.man"
cut -d: -f1 "$T/opt.help" >"$T/long.help"
cut -d: -f1 "$T/opt.man" >"$T/long.man"

is "$(wc -l <"$T/opt.help")" "$(grep -cE '^ +(-[a-zA-Z], )?--[a-z]' "$T/help")" \
	"every option line of --help is understood by this test"
agree "every long option in --help is in $page's OPTIONS" \
	"$(only_in "$T/long.help" "$T/long.man")"
agree "every option in $page's OPTIONS is in --help" \
	"$(only_in "$T/long.man" "$T/long.help")"
agree "--help and $page agree on short options and argument names" \
	"$(diff "$T/opt.help" "$T/opt.man" | grep '^[<>]')"

# Every --option the page mentions anywhere (examples, cross references) is
# one of sp-clean's.
plain <"$page" | grep -oE -- '--[a-z][a-z0-9-]*' | sed 's/^--//' | sort -u >"$T/long.mentioned"
agree "every --option $page mentions is an option of sp-clean" \
	"$(only_in "$T/long.mentioned" "$T/long.help")"

# The getopt table: { "name", no_argument|required_argument, ... }.
sed -nE 's/.*\{ *"([a-z][a-z0-9-]*)", *(no|required|optional)_argument.*/\1 \2/p' "$src" |
	sort -u >"$T/opt.table"
cut -d' ' -f1 "$T/opt.table" >"$T/long.table"
is "$(wc -l <"$T/long.table")" "$(wc -l <"$T/long.help")" \
	"$src's getopt table has as many options as --help"
agree "every option in --help is in $src's getopt table" \
	"$(only_in "$T/long.help" "$T/long.table")"
agree "every option in $src's getopt table is in --help" \
	"$(only_in "$T/long.table" "$T/long.help")"
agree "an option takes an argument in the table iff --help names one" \
	"$(while IFS=: read -r name short arg; do
		kind=$(awk -v n="$name" '$1 == n { print $2 }' "$T/opt.table")
		want=no
		[ -n "$arg" ] && want=required
		[ "$kind" = "$want" ] || echo "--$name: table $kind, --help ${arg:-no argument}"
	done <"$T/opt.help")"

# The short options of getopt_long's option string against --help's.
optstring=$(sed -nE 's/.*getopt_long\([^"]*"([^"]*)".*/\1/p' "$src")
sed -E 's/^[-+]?:?//' <<<"$optstring" | grep -oE '[a-zA-Z]:?' | sort -u >"$T/short.table"
awk -F: '$2 != "" { print $2 ($3 != "" ? ":" : "") }' "$T/opt.help" | sort -u >"$T/short.help"
agree "getopt_long's \"$optstring\" matches --help's short options and arguments" \
	"$(diff "$T/short.table" "$T/short.help" | grep '^[<>]')"

# The binary: every option of --help is accepted, as "--name VALUE",
# "--name=VALUE" and "-n VALUE" alike, with a sample value for its argument
# name, on empty input; an argument option without its value and a
# no-argument option given one are usage errors.
sample() {	# sample ARG: a good value for an argument named ARG
	case $1 in
	FILE) echo "$T/opt.out" ;;
	DIR) echo "$T" ;;
	FMT) echo csv ;;
	NAME) echo XNYS ;;
	SYM) echo XYZ ;;
	FRAC) echo 0.01 ;;
	K) echo 5 ;;
	N) echo 100 ;;
	COUNT) echo 2 ;;
	SIZE) echo 64M ;;
	*) return 1 ;;
	esac
}
agree "the binary accepts every option in --help, in every form" \
	"$(while IFS=: read -r name short arg; do
		forms=("--$name")
		[ -n "$short" ] && forms+=("-$short")
		for f in "${forms[@]}"; do
			if [ -z "$arg" ]; then
				set -- "$f"
			elif ! v=$(sample "$arg"); then
				echo "$f: t90-docs.sh has no sample value for $arg"
				continue
			elif [ "${f#--}" != "$f" ]; then
				set -- "$f" "$v" "$f=$v"
			else
				set -- "$f" "$v"
			fi
			st=0
			sp sp-clean "$@" <"$T/empty" >"$T/junk" 2>"$T/arg.err" || st=$?
			[ "$st" -eq 0 ] || echo "sp-clean $*: exit $st: $(head -1 "$T/arg.err")"
		done
		if [ -n "$arg" ]; then set -- "--$name"; else set -- "--$name=x"; fi
		st=0
		sp sp-clean "$@" <"$T/empty" >"$T/junk" 2>"$T/arg.err" || st=$?
		[ "$st" -eq 2 ] || echo "sp-clean $1: exit $st, not 2"
	done <"$T/opt.help")"

# Defaults: "(VALUE)" at the end of a --help line is the man page's
# "default VALUE", and the value sp_clean_options_init() sets.
agree "defaults in --help are the man page's and the code's" \
	"$(sed -nE 's/^ +(-[a-zA-Z], )?--([a-z][a-z0-9-]*) .*\(([^ ()]+)\)$/\2 \3/p' "$T/help" |
	while read -r name value; do
		text=$(section "$page" OPTIONS | awk -v n="$name" '
			{ gsub(/\\f[BIRP]/, ""); gsub(/\\-/, "-") }
			/^\.TP/ { tp = 1; next }
			tp { tp = 0; on = $0 ~ ("--" n "( |$)") }
			on' | plain | tr '\n' ' ')
		case $text in
		*"default $value"*) ;;
		*) echo "--$name: $page does not say 'default $value'" ;;
		esac
		code=$(sed -nE "s/^[[:space:]]*o->${name//-/_} = (.*);.*/\1/p" lib/clean.c)
		if [[ $code =~ ^\(size_t\)1\ \<\<\ ([0-9]+)$ ]]; then
			s=${BASH_REMATCH[1]}
			code="$((1 << (s % 10)))$(cut -c$((s / 10)) <<<KMG)"
		fi
		[ "$code" = "$value" ] || echo "--$name: --help says $value, lib/clean.c sets '$code'"
	done)"

# ---- reject codes, aliases, rejects file, summary ---------------------------

sed -n '/reject_names\[.*= *{/,/^};/p' lib/bar.c | grep -oE '"[a-z_]+"' | tr -d '"' |
	grep -vx ok | sort -u >"$T/codes.code"
section "$page" "REJECTED ROWS" | sed '/^\.SS/,$d' | tags | sort -u >"$T/codes.man"
is "$(wc -l <"$T/codes.code")" \
	"$(sed -n '/^enum sp_reject {/,/^};/p' lib/bar.h | grep -cE '^[[:space:]]*SP_REJECT_[A-Z_]+' |
		awk '{ print $1 - 2 }')" \
	"lib/bar.c names every reject of lib/bar.h's enum sp_reject"
agree "every reject code in lib/bar.c is described in $page" \
	"$(only_in "$T/codes.code" "$T/codes.man")"
agree "every reject code in $page is one of lib/bar.c's" \
	"$(only_in "$T/codes.man" "$T/codes.code")"

# Aliases: "field alias" pairs from lib/bar.c's table and the man page.
sed -n '/^} aliases\[\] = {/,/^};/p' lib/bar.c |
	sed -nE 's/.*sp_bar_cols, ([a-z_]+)\), \{ (.*) \} \},?/\1 \2/p' |
	while read -r field names; do
		for n in $(tr -d '",' <<<"$names"); do echo "$field $n"; done
	done | sort -u >"$T/alias.code"
section "$page" "INPUT COLUMNS" | sed '/^\.SS/,$d' |
	awk '/^\.TP/ { tp = 1; next } tp == 1 { f = $2; tp = 2; next }
		tp == 2 { n = split($0, a, /, */); for (i = 1; i <= n; i++) print f, a[i]; tp = 0 }' |
	sort -u >"$T/alias.man"
is "$(cut -d' ' -f1 "$T/alias.code" | sort -u | wc -l)" 8 \
	"lib/bar.c's aliases are read for the 8 bar columns"
agree "every column alias in lib/bar.c is in $page's INPUT COLUMNS" \
	"$(only_in "$T/alias.code" "$T/alias.man")"
agree "every column alias in $page is one of lib/bar.c's" \
	"$(only_in "$T/alias.man" "$T/alias.code")"

# A run with a reject, an exact and a conflicting duplicate, and an input
# that cannot be read, so that every key of the summary shows.
cat >"$T/in.csv" <<'EOF'
symbol,date,open,high,low,close,adj_close,volume
AAA,2024-01-02,10,11,9,10.5,10.5,100
AAA,2024-01-02,10,11,9,10.5,10.5,100
AAA,2024-01-03,10,11,9,10.5,10.5,100
AAA,2024-01-03,10,11,9,10.6,10.6,100
AAA,2024-01-06,10,11,9,10.5,10.5,100
EOF
exits 1 "a run with an unreadable input" \
	sp sp-clean -q -o "$T/out.csv" --rejects "$T/rej.csv" --summary "$T/s.json" \
	"$T/in.csv" "$T/nosuch.csv" 2>"$T/junk"
is "$(jq '.rows_read == .rows_written + .rows_rejected +
	.duplicates.exact + .duplicates.conflicting' "$T/s.json")" true \
	"the summary's counts add up as $page says"
jq -r '[del(.rejected) | paths | .[] | strings] | unique[]' "$T/s.json" >"$T/keys.json"
section "$page" SUMMARY | plain | grep -oE '[a-z_]+' | sort -u >"$T/words.summary"
agree "every key of the summary JSON is in $page's SUMMARY" \
	"$(only_in "$T/keys.json" "$T/words.summary")"
jq -r 'keys[]' "$T/s.json" >"$T/keys.top"
section "$page" SUMMARY | tags | grep -oE '^[a-z_]+(, [a-z_]+)*' | tr ',' '\n' |
	tr -d ' ' | sort -u >"$T/keys.man"
agree "every field $page's SUMMARY lists is a key of the summary JSON" \
	"$(only_in "$T/keys.man" "$T/keys.top")"

# The rejects file's columns, from a run that succeeds (a failed run leaves
# its outputs alone).
sp sp-clean -q --rejects "$T/rej.csv" "$T/in.csv" >"$T/junk" 2>&1
head -1 "$T/rej.csv" | tr ',' '\n' >"$T/rej.cols"
section "$page" "REJECTED ROWS" | sed -n '/^\.SS The rejects file/,$p' | tags |
	sort -u >"$T/rej.man"
is "$(head -1 "$T/rej.csv")" "source,line,reason,row" "the rejects file's columns"
agree "every column of the rejects file is in $page" \
	"$(only_in "$T/rej.cols" "$T/rej.man")"

# ---- the pages: render cleanly, fit 80 columns, name the tools ---------------

for p in "$page" "$page7"; do
	if command -v groff >"$T/junk"; then
		groff -man -Tutf8 -ww -z "$p" >"$T/lint" 2>&1
		ok $? "groff -ww renders $p"
		is "$(cat "$T/lint")" "" "groff -ww has no warnings for $p"
		is "$(groff -man -Tascii -rLL=78n -P-cbou "$p" 2>"$T/junk" | awk 'length > 80' | head -3)" "" \
			"$p fits 80 columns"
	elif command -v mandoc >"$T/junk"; then
		mandoc -T lint -W warning "$p" >"$T/lint" 2>&1
		ok $? "mandoc -T lint passes $p"
		is "$(cat "$T/lint")" "" "mandoc has no warnings for $p"
		is "$(mandoc -T ascii -O width=78 "$p" | col -b | awk 'length > 80' | head -3)" "" \
			"$p fits 80 columns"
	else
		ok 0 "groff -ww renders $p # SKIP neither groff nor mandoc"
	fi
	if command -v man >"$T/junk"; then
		MANWIDTH=80 MANPAGER=cat PAGER=cat man -l "$p" >"$T/man.out" 2>"$T/man.err"
		ok $? "man -l $p"
		is "$(cat "$T/man.err")" "" "man -l $p says nothing on stderr"
	else
		ok 0 "man -l $p # SKIP no man"
	fi
done
has "$page" '^\.BR sp \(7\)' "$page refers to sp(7)"
has "$page7" '^\.BR sp\\-clean \(1\)' "$page7 refers to sp-clean(1)"

# Each tool in cmd/ has a page, is in sp(7)'s list and is not "planned" there.
agree "every tool in cmd/ has its man page and a place in $page7" \
	"$(for c in cmd/sp-*.c; do
		t=$(basename "$c" .c)
		[ -f "man/$t.1" ] || echo "$t: no man/$t.1"
		tp=$(TAG=".B ${t//-/\\-}" awk 'x { print; x = 0 } $0 == ENVIRON["TAG"] { x = 1 }' "$page7")
		[ -n "$tp" ] || echo "$t: not in $page7's list of tools"
		case $tp in *planned*) echo "$t: $page7 says it is planned" ;; esac
	done)"

# ---- make install ------------------------------------------------------------

st=0
make -s install DESTDIR="$T/dest" PREFIX=/usr >"$T/install.log" 2>&1 || st=$?
ok $st "make -s install DESTDIR=\$T/dest PREFIX=/usr"
[ "$st" -eq 0 ] || tail -10 "$T/install.log" | sed 's/^/#   /'
[ -x "$T/dest/usr/bin/sp-clean" ]
ok $? "installs /usr/bin/sp-clean"
"$T/dest/usr/bin/sp-clean" --version >"$T/junk" 2>&1
ok $? "the installed sp-clean runs"
cmp -s "$page" "$T/dest/usr/share/man/man1/sp-clean.1"
ok $? "installs /usr/share/man/man1/sp-clean.1"
cmp -s "$page7" "$T/dest/usr/share/man/man7/sp.7"
ok $? "installs /usr/share/man/man7/sp.7"

done_testing
