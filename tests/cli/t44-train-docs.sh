#!/usr/bin/env bash
# t44-train-docs: sp-train's and sp-predict's code, --help and man pages
# agree, in the manner of t90-docs.sh: the options of --help, the getopt
# table, getopt_long's short options and the man page's OPTIONS; --version
# and a bad option; the pages render cleanly in 80 columns.
. tests/cli/lib.sh
. tests/cli/docs-lib.sh

want=$(sed -nE 's/^#define SP_VERSION "(.*)"$/\1/p' lib/version.h)

for tool in sp-train sp-predict; do
	src=cmd/$tool.c
	page=man/$tool.1
	st=0
	sp "$tool" --help >"$T/help" 2>"$T/help.err" || st=$?
	is "$st:$(wc -c <"$T/help.err")" 0:0 "$tool --help exits 0 and writes nothing to stderr"
	has "$T/help" "^usage: $tool " "$tool --help writes its usage to stdout"
	is "$(sp "$tool" --version)" "$tool $want" "$tool --version"
	st=0
	sp "$tool" --bogus >"$T/out" 2>"$T/err" || st=$?
	is "$st:$(wc -c <"$T/out")" 2:0 "$tool --bogus exits 2 with nothing on stdout"
	has "$T/err" "--help" "$tool: a bad option's message mentions --help"

	signatures <"$T/help" | sort -u >"$T/opt.help"
	section "$page" OPTIONS | tags | signatures | sort -u >"$T/opt.man"
	cut -d: -f1 "$T/opt.help" >"$T/long.help"
	cut -d: -f1 "$T/opt.man" >"$T/long.man"
	is "$(wc -l <"$T/opt.help")" "$(grep -cE '^ +(-[a-zA-Z], )?--[a-z]' "$T/help")" \
		"$tool: every option line of --help is understood by this test"
	agree "$tool: every option in --help is in $page's OPTIONS" \
		"$(only_in "$T/long.help" "$T/long.man")"
	agree "$tool: every option in $page's OPTIONS is in --help" \
		"$(only_in "$T/long.man" "$T/long.help")"
	agree "$tool: --help and $page agree on short options and argument names" \
		"$(diff "$T/opt.help" "$T/opt.man" | grep '^[<>]')"
	plain <"$page" | grep -oE -- '--[a-z][a-z0-9-]*' | sed 's/^--//' | sort -u >"$T/long.mentioned"
	agree "$tool: every --option $page mentions is one of $tool's" \
		"$(only_in "$T/long.mentioned" "$T/long.help")"
	getopt_agrees "$tool: " "$src"
	# An option that needs a value, given none, is a usage error.
	agree "$tool: every option with an argument refuses to go without it" \
		"$(while IFS=: read -r name short arg; do
			[ -n "$arg" ] || continue
			st=0
			sp "$tool" "--$name" </dev/null >"$T/junk" 2>"$T/arg.err" || st=$?
			[ "$st" -eq 2 ] || echo "$tool --$name: exit $st, not 2"
		done <"$T/opt.help")"

	if command -v groff >"$T/junk"; then
		groff -man -Tutf8 -ww -z "$page" >"$T/lint" 2>&1
		is "$(cat "$T/lint")" "" "groff -ww has no warnings for $page"
		is "$(groff -man -Tascii -rLL=78n -P-cbou "$page" 2>"$T/junk" | awk 'length > 80' | head -3)" "" \
			"$page fits 80 columns"
	fi
	has "$page" '^\.BR sp \(7\)' "$page refers to sp(7)"
	for s in DESCRIPTION OPTIONS 'EXIT STATUS' EXAMPLES; do
		[ -n "$(section "$page" "$s")" ]
		ok $? "$page has a $s section"
	done
done
for s in EVALUATION 'READING THE REPORT' MODELS INTERVALS 'MODEL FILE' REGISTRY; do
	[ -n "$(section man/sp-train.1 "$s")" ]
	ok $? "man/sp-train.1 explains $s"
done

done_testing
