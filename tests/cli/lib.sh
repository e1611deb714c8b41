# tests/cli/lib.sh - the shell side of the TAP harness; sourced by each
# tests/cli/t*.sh, which run with the repository root as working directory.
#
#   SP_BIN   directory of the tools under test (default build/bin)
#   SP_WRAP  command put before every tool, e.g. valgrind (default none)
#
# Each assertion prints "ok N - what" or "not ok N - what"; done_testing
# prints the plan and sets the exit status.

set -u
SP_BIN=${SP_BIN:-build/bin}
SP_WRAP=${SP_WRAP:-}
T=$(mktemp -d "${TMPDIR:-/tmp}/sp-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
tap_n=0
tap_failed=0

# Run a tool through the wrapper: sp sp-clean ARGS...
sp() {
	local tool=$1
	shift
	$SP_WRAP "$SP_BIN/$tool" "$@"
}

ok() {	# ok STATUS DESCRIPTION: STATUS 0 passes
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

is() {	# is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | head -20
	fi
}

# same_file GOT WANT DESCRIPTION: files identical, diff shown otherwise
same_file() {
	if cmp -s "$1" "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diff "$1" "$2" | head -20 | sed 's/^/#   /'
	fi
}

# exits CODE DESCRIPTION CMD...: the command exits with exactly CODE
exits() {
	local want=$1 desc=$2 got=0
	shift 2
	"$@" || got=$?
	is "$got" "$want" "$desc (exit $want)"
}

# stderr_has FILE PATTERN DESCRIPTION: grep -E PATTERN in FILE
has() {
	if grep -Eq -- "$2" "$1"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		sed 's/^/#   /' "$1" | head -10
	fi
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
