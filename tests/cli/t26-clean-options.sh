#!/usr/bin/env bash
# Option mistakes get one clear message and exit 2; a failed run says that
# its output file was left alone.
. tests/cli/lib.sh

exits 2 "--quiet=x is a usage error" sp sp-clean --quiet=x tests/data/bars/sample.csv
sp sp-clean --quiet=x 2>"$T/err" >/dev/null
has "$T/err" "^sp-clean: option '--quiet' takes no value$" "it says the option takes no value"
sp sp-clean --stream=1 2>"$T/err" >/dev/null
has "$T/err" "^sp-clean: option '--stream' takes no value$" "so does --stream=1"
sp sp-clean --bogus 2>"$T/err" >/dev/null
has "$T/err" "^sp-clean: unknown option '--bogus'$" "an unknown long option is named"
exits 2 "--memory with --stream is a usage error, default value or not" \
	sp sp-clean --stream --memory 1G tests/data/bars/sample.csv

echo old >"$T/out.csv"
exits 1 "an unreadable input fails the run" sp sp-clean "$T/missing.csv" -o "$T/out.csv"
sp sp-clean "$T/missing.csv" -o "$T/out.csv" 2>"$T/err"
has "$T/err" "the run failed: $T/out.csv was left as it was" "the summary says the output was kept"
is "$(cat "$T/out.csv")" old "and it was"

done_testing
