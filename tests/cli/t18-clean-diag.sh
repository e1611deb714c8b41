#!/usr/bin/env bash
# t18-clean-diag: messages are "sp-clean: FILE:LINE: message" or
# "sp-clean: message" on stderr; exit 0 on success, 1 on failure (unreadable
# file, missing column, unwritable output, --strict with rejects), 2 on a
# usage error; a failed run leaves its output files as they were.
. tests/cli/lib.sh

D=tests/data/bars
basic=$D/basic.csv

# to OUT ERR CMD...: run CMD with its stdout and stderr in files
to() {
	local out=$1 err=$2
	shift 2
	"$@" >"$out" 2>"$err"
}
# usage WHAT PATTERN ARGS...: exit 2, PATTERN on stderr, the hint, no output
usage() {
	local what=$1 pat=$2
	shift 2
	exits 2 "$what" to "$T/out" "$T/err" sp sp-clean "$@"
	has "$T/err" "^sp-clean: $pat" "$what: says so"
	has "$T/err" "^Try 'sp-clean --help' for more information\.$" "$what: points to --help"
	is "$(wc -c <"$T/out")" 0 "$what: nothing on stdout"
}
# only_diagnostics FILE: every stderr line is "sp-clean: ..." (or the hint)
only_diagnostics() {
	is "$(grep -Evc "^sp-clean: |^Try 'sp-clean --help'" "$1")" 0 "$2: stderr holds only sp-clean: lines"
}

usage "unknown option" "unknown option '--bogus'" --bogus $basic
only_diagnostics "$T/err" "unknown option"
usage "unknown short option" "unknown option '-x'" -x $basic
usage "bad --format" "--format: 'xml' is not csv or ndjson" --format xml $basic
usage "--format without a value" "option '--format' needs a value" $basic --format
usage "bad --memory" "--memory: '12Q' is not a size" --memory 12Q $basic
exits 2 "bad --memory: no value" sp sp-clean --memory= $basic 2>/dev/null
usage "bad --calendar" "--calendar: 'MOON' is not XNYS or none" --calendar MOON $basic
usage "bad --tolerance" "--tolerance: give a fraction" --tolerance 1.5 $basic
exits 2 "--tolerance abc" sp sp-clean --tolerance abc $basic 2>/dev/null
usage "empty -o" "an output file name is empty" -o "" $basic

exits 0 "--help" to "$T/help" "$T/err" sp sp-clean --help
has "$T/help" '^usage: sp-clean \[options\] \[FILE\.\.\.\]' "--help prints the usage on stdout"
is "$(wc -c <"$T/err")" 0 "--help: nothing on stderr"
exits 0 "--version" to "$T/v" /dev/null sp sp-clean --version
has "$T/v" '^sp-clean [0-9]' "--version prints the name and version"

# Failures: exit 1, a message naming the file, no output.
printf 'old\n' >"$T/keep.csv"
exits 1 "a missing file" sp sp-clean -q -o "$T/keep.csv" "$T/nope.csv" 2>"$T/err"
has "$T/err" "^sp-clean: $T/nope.csv: No such file or directory$" "names the file and the reason"
is "$(cat "$T/keep.csv")" old "the old output stays"
exits 1 "one bad file among good ones" \
	sp sp-clean -q -o "$T/keep.csv" $basic "$T/nope.csv" $basic 2>"$T/err"
is "$(cat "$T/keep.csv")" old "no partial output from the good files"
is "$(wc -l <"$T/err")" 1 "one message"
exits 1 "a directory" to "$T/out" "$T/err" sp sp-clean -q "$T"
has "$T/err" "^sp-clean: $T: .*[Ii]s a directory" "a directory cannot be read"
is "$(wc -c <"$T/out")" 0 "batch: nothing on stdout after a failure"

printf 'symbol,date,open,high,low\nA,2020-01-02,1,2,1\n' >"$T/noclose.csv"
exits 1 "a missing column" to /dev/null "$T/err" sp sp-clean -q "$T/noclose.csv"
has "$T/err" "^sp-clean: $T/noclose.csv: no 'close' column$" "the missing column is named"
printf 'date,open,high,low,close\n' >"$T/nosym.csv"
exits 1 "no symbol column, even without rows" to /dev/null "$T/err" sp sp-clean -q "$T/nosym.csv"
has "$T/err" "no 'symbol' column \(give --symbol\)" "suggests --symbol"
exits 0 "... and --symbol fixes it" sp sp-clean -q --symbol X -o "$T/sym.csv" "$T/nosym.csv"

printf '"symbol,date,open\nA,1,2\n' >"$T/badhead.csv"
exits 1 "a broken header" to /dev/null "$T/err" sp sp-clean -q "$T/badhead.csv"
has "$T/err" "^sp-clean: $T/badhead.csv:1: bad header" "FILE:LINE: bad header"

exits 1 "an output directory that does not exist" \
	sp sp-clean -q -o "$T/no/dir/out.csv" $basic $basic 2>"$T/err"
has "$T/err" "^sp-clean: $T/no/dir/out.csv: cannot create" "names the output"
is "$(wc -l <"$T/err")" 1 "said once"
exits 1 "a --rejects file that cannot be made" \
	sp sp-clean -q -o "$T/o.csv" --rejects "$T/no/dir/rej.csv" $basic 2>"$T/err"
[ ! -e "$T/o.csv" ]
ok $? "no output when the rejects cannot be written"
exits 1 "--strict with rejects" sp sp-clean -q --strict -o "$T/s.csv" tests/data/bad/reasons.csv

# Warnings: FILE:LINE for a conflict, FILE for an empty input; exit 0.
sp sp-clean -o /dev/null $basic 2>"$T/err"
has "$T/err" "^sp-clean: $basic:7: warning: " "a conflict warning is FILE:LINE: warning:"
only_diagnostics "$T/err" "a run with a conflict"
: >"$T/empty.csv"
exits 0 "an empty file is no failure" sp sp-clean -q -o "$T/e.csv" "$T/empty.csv" 2>"$T/err"
has "$T/err" "^sp-clean: $T/empty.csv: warning: empty input$" "but is worth a warning"

done_testing
