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

# getopt_agrees LABEL SRC: SRC's getopt_long table and option string agree
# with --help's options in $T/opt.help (signatures) and $T/long.help: the
# same long options, an argument exactly where --help names one, the same
# short options.  LABEL prefixes the descriptions ("" or "sp-train: ").
getopt_agrees() {
	local label=$1 src=$2 optstring
	sed -nE 's/.*\{ *"([a-z][a-z0-9-]*)", *(no|required|optional)_argument.*/\1 \2/p' "$src" |
		sort -u >"$T/opt.table"
	cut -d' ' -f1 "$T/opt.table" >"$T/long.table"
	agree "$label--help and the getopt table have the same options" \
		"$(diff <(sort -u "$T/long.help") "$T/long.table" | grep '^[<>]')"
	agree "${label}an option takes an argument in the table iff --help names one" \
		"$(while IFS=: read -r name short arg; do
			kind=$(awk -v n="$name" '$1 == n { print $2 }' "$T/opt.table")
			w=no
			[ -n "$arg" ] && w=required
			[ "$kind" = "$w" ] || echo "--$name: table $kind, --help ${arg:-no argument}"
		done <"$T/opt.help")"
	optstring=$(sed -nE 's/.*getopt_long\([^"]*"([^"]*)".*/\1/p' "$src")
	sed -E 's/^[-+]?:?//' <<<"$optstring" | grep -oE '[a-zA-Z]:?' | sort -u >"$T/short.table"
	awk -F: '$2 != "" { print $2 ($3 != "" ? ":" : "") }' "$T/opt.help" | sort -u >"$T/short.help"
	agree "${label}getopt_long's \"$optstring\" matches --help's short options" \
		"$(diff "$T/short.table" "$T/short.help" | grep '^[<>]')"
}
