#!/usr/bin/env bash
# sp-clean keeps a signal its parent ignored (nohup, background jobs), and
# still dies of one it did not ignore, without leaving a temporary file.
. tests/cli/lib.sh

mkfifo "$T/in"
settle=1
[ -z "$SP_WRAP" ] || settle=4	# valgrind starts slowly
# SIGHUP ignored by the parent: the tool must survive it and finish normally.
(trap '' HUP; exec $SP_WRAP "$SP_BIN/sp-clean" -q --stream -o "$T/out.csv" "$T/in") &
pid=$!
exec 4>"$T/in"
printf 'symbol,date,open,high,low,close,adj_close,volume\nA,2020-01-02,1,2,1,1.5,,\n' >&4
sleep "$settle"
kill -HUP "$pid" 2>/dev/null
sleep 0.5
kill -0 "$pid" 2>/dev/null
ok $? "an ignored SIGHUP does not end sp-clean"
exec 4>&-
status=0
wait "$pid" || status=$?
is "$status" 0 "it then ends normally at end of input"
is "$(tail -n 1 "$T/out.csv")" "A,2020-01-02,1,2,1,1.5,,," "and commits its output"

# SIGHUP not ignored: the tool dies of it and removes its temporary file.
rm -f "$T/out.csv"
(exec $SP_WRAP "$SP_BIN/sp-clean" -q --stream -o "$T/out.csv" "$T/in") &
pid=$!
exec 4>"$T/in"
printf 'symbol,date,open,high,low,close,adj_close,volume\n' >&4
sleep "$settle"
kill -HUP "$pid"
status=0
wait "$pid" || status=$?
exec 4>&-
ok $((status == 0)) "a SIGHUP it does not ignore ends sp-clean (status $status)"
left=$(find "$T" -name 'out.csv*' | wc -l)
is "$left" 0 "and leaves neither output nor temporary file"

done_testing
