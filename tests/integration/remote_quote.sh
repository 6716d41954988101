#!/bin/bash
# remote_quote: hostile strings round-trip through printf %s on a lab
# host byte for byte: quotes of each kind, $(...), backticks, ; & | >,
# newlines, %PATH%, $env:X, unicode, the empty string, a leading -.
# Nothing they hold runs (no marker file appears).
. "$(dirname "$0")/remote_lib.bash"

mark=/tmp/drdeck-quote-pwned-$$
rm -f "$mark"
on_exit "rm -f $mark"
words=(
	"plain"
	""
	"it's"
	"'"
	"''"
	'"double"'
	$'\xe2\x80\x98typographic\xe2\x80\x99 \xe2\x80\x9cquotes\xe2\x80\x9d'
	"\$(touch $mark)"
	"\`touch $mark\`"
	"; touch $mark"
	"& touch $mark &"
	"| touch $mark"
	"> $mark"
	"< /etc/passwd"
	$'line1\nline2\n'
	$'\n'
	$'tab\there\r\n'
	"%PATH%"
	"\$env:PATH"
	"\${HOME}"
	"\$HOME"
	"\\"
	"back\\slash\\"
	"-n"
	"--"
	"-e \\n"
	"*"
	"?[a-z]"
	"~root"
	$'caf\xc3\xa9 \xf0\x9f\x98\x80 \xe4\xb8\xad\xe6\x96\x87'
	"!!"
	"#comment"
	"a  b   c"
	"\$'\\x41'"
)
# One transport, one exec per word; a NUL (never in a word) between.
args=()
for w in "${words[@]}"; do
	args+=(exec printf %s "$w" @@ exec printf '\0' @@)
done
unset 'args[${#args[@]}-1]'
drv "$CFG" backup seq "${args[@]}"
[ "$RC" = 0 ] || fail "driver exit $RC"
[ "$(grep -c '^step [0-9]*: 0 in ' "$T/err")" = $((2 * ${#words[@]})) ] || fail "not every exec succeeded"
n=0
while IFS= read -r -d '' got; do
	w=${words[$n]}
	printf %s "$w" >"$T/want"
	printf %s "$got" >"$T/got"
	cmp -s "$T/want" "$T/got" || fail "<$w> came back as <$got>"
	n=$((n + 1))
done <"$T/out"
[ "$n" = "${#words[@]}" ] || fail "$n words came back of ${#words[@]}"
# Several hostile words in one argv.
drv "$CFG" backup exec printf '[%s]' "${words[@]}"
printf '[%s]' "${words[@]}" >"$T/want"
cmp -s "$T/want" "$T/out" || fail "all words in one argv changed"
[ -e "$mark" ] && fail "a quoted word ran a command ($mark exists)"
ok "$n hostile words round-tripped byte for byte; none ran"
