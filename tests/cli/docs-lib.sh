# tests/cli/docs-lib.sh - what the docs tests (t30-features-docs, t44, t51,
# t90) share to hold code, --help and man pages side by side.  Sourced after
# lib.sh.

agree() {	# agree DESCRIPTION LIST: passes when LIST (what disagrees) is empty
	if [ -z "$2" ]; then
		ok 0 "$1"
	else
		ok 1 "$1"
		printf '%s\n' "$2" | head -20 | sed 's/^/#   /'
	fi
}

only_in() {	# only_in A B: the lines of file A that are not in file B
	LC_ALL=C comm -23 <(LC_ALL=C sort -u "$1") <(LC_ALL=C sort -u "$2")
}

section() {	# section PAGE NAME: the roff source of section NAME (.SH NAME)
	awk -v want="$2" '
		/^\.SH / { s = substr($0, 5); gsub(/"/, "", s); on = s == want; next }
		on' "$1"
}

# plain: roff source to words, roughly: font escapes and macro names off,
# \- to -, quotes off.
plain() {
	sed -E 's/\\f[BIRP]//g; s/\\-/-/g; s/\\\(em/--/g; s/\\\(->/->/g; s/^\.[A-Z]+ ?//; s/"//g'
}

# tags: the tag lines of a .TP list (the line after each .TP), as plain text.
tags() {
	awk 'tp { print; tp = 0 } /^\.TP/ { tp = 1 }' | plain
}

# signatures: "long:short:ARG" of option lines like "-o, --output FILE"
# ("stream::" for "--stream"); --help's start with blanks, not its prose.
signatures() {
	sed -nE 's/^ *(-([a-zA-Z]), )?--([a-z][a-z0-9-]*)( ([A-Z]+))?([ ,].*)?$/\3:\2:\5/p'
}

# run OUT ERR CMD...: run CMD with its stdout in OUT and stderr in ERR; $st
# is its exit status.
run() {
	local out=$1 err=$2
	shift 2
	st=0
	"$@" >"$out" 2>"$err" || st=$?
}
