#!/usr/bin/env bash
# t15-clean-atomic: -o FILE (and --rejects FILE) is replaced atomically.
# sp-clean is killed with SIGKILL at moments spread over its run: each time
# FILE is exactly the old content or exactly the complete new one.  SIGKILL
# cannot be caught, so it may leave a FILE.tmp.XXXXXX behind (documented in
# output.h: the target is never touched until the rename); SIGTERM, caught,
# must leave none.
. tests/cli/lib.sh

sample=tests/data/bars/sample.csv

# Run the tool in the background as this process ($! is the tool, or the
# wrapper that runs it, and gets the signal).
bg_clean() { exec $SP_WRAP "$SP_BIN/sp-clean" "$@"; }
now() { date +%s.%N; }
invariant() {
	is "$(jq '.rows_read == .rows_written + .rows_rejected +
		.duplicates.exact + .duplicates.conflicting' "$1")" true \
		"$2: rows_read = rows_written + rows_rejected + duplicates"
}

# A larger input: the sample with its symbols repeated (AAPL0, AAPL1, ...);
# smaller under valgrind, which is slow enough.
copies=24
[ -n "$SP_WRAP" ] && copies=1
awk -F, -v OFS=, -v k=$copies 'NR == 1 { print; next }
	{ s = $1; for (i = 0; i < k; i++) { $1 = s i; print } }' $sample >"$T/big.csv"

# The old files, and the complete new ones from an uninterrupted run.
printf 'old output\n' >"$T/old.csv"
printf 'old rejects\n' >"$T/old-rej.csv"
t0=$(now)
exits 0 "an uninterrupted run" sp sp-clean -q -o "$T/new.csv" --rejects "$T/new-rej.csv" \
	--summary "$T/s.json" "$T/big.csv"
t1=$(now)
is "$(($(wc -l <"$T/new.csv") - 1))" $((8589 * copies)) "the new output is complete"
is "$(($(wc -l <"$T/new-rej.csv") - 1))" $copies "the new rejects are complete"
invariant "$T/s.json" "the larger input"
dur=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')

# SIGKILL at N moments spread over 0 .. 1.2 x the run's duration, jittered.
n=12
[ -n "$SP_WRAP" ] && n=6
old=0 new=0 bad=0 left=0
for i in $(seq 0 $((n - 1))); do
	cp "$T/old.csv" "$T/out.csv"
	cp "$T/old-rej.csv" "$T/rej.csv"
	delay=$(awk -v d="$dur" -v i=$i -v n=$n -v r=$RANDOM \
		'BEGIN { printf "%.3f", d * 1.2 * (i + r / 32768) / n }')
	bg_clean -q -o "$T/out.csv" --rejects "$T/rej.csv" "$T/big.csv" 2>/dev/null &
	pid=$!
	sleep "$delay"
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	for f in out rej; do
		if cmp -s "$T/$f.csv" "$T/old$([ $f = rej ] && echo -rej).csv"; then
			old=$((old + 1))
		elif cmp -s "$T/$f.csv" "$T/new$([ $f = rej ] && echo -rej).csv"; then
			new=$((new + 1))
		else
			bad=$((bad + 1))
			echo "# after SIGKILL at ${delay}s, $f.csv is neither old nor new"
		fi
	done
	left=$((left + $(find "$T" -name '*.csv.tmp.*' | wc -l)))
	rm -f "$T"/*.csv.tmp.*
done
is "$bad" 0 "SIGKILL at $n moments: every file is the old or the complete new one"
echo "# SIGKILL: $old files old, $new new; $left temporary files left (allowed)"
[ $old -gt 0 ]
ok $? "some kills landed before the rename (the old file stayed)"

# SIGTERM in the middle of a run: old files stay, no temporary file is left.
cp "$T/old.csv" "$T/out.csv"
cp "$T/old-rej.csv" "$T/rej.csv"
bg_clean -q -o "$T/out.csv" --rejects "$T/rej.csv" "$T/big.csv" 2>/dev/null &
pid=$!
sleep "$(awk -v d="$dur" 'BEGIN { printf "%.3f", d / 2 }')"
kill -TERM $pid 2>/dev/null
wait $pid 2>/dev/null
is "$(find "$T" -name '*.tmp.*' | wc -l)" 0 "SIGTERM mid-run leaves no temporary file"
cmp -s "$T/out.csv" "$T/old.csv" || cmp -s "$T/out.csv" "$T/new.csv"
ok $? "SIGTERM mid-run: the output is the old or the new one"

# SIGTERM while the tool is surely running: --stream, waiting for input.
mkfifo "$T/fifo"
cp "$T/old.csv" "$T/out.csv"
bg_clean -q --stream -o "$T/out.csv" "$T/fifo" 2>"$T/err" &
pid=$!
exec 3>"$T/fifo"
head -3 $sample >&3
for _ in $(seq 50); do	# the tool has opened its output
	[ -n "$(find "$T" -name 'out.csv.tmp.*')" ] && break
	sleep 0.1
done
is "$(find "$T" -name 'out.csv.tmp.*' | wc -l)" 1 "while running, the output is a temporary file"
kill -TERM $pid
status=0
wait $pid || status=$?
exec 3>&-
is "$status" 143 "SIGTERM ends the tool by the signal (status 143)"
is "$(find "$T" -name '*.tmp.*' | wc -l)" 0 "SIGTERM while waiting for input leaves no temporary file"
same_file "$T/out.csv" "$T/old.csv" "and the old output is untouched"

done_testing
