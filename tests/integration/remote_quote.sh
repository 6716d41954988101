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
# Every word a separate argument of one command run on the host, which
# prints each with printf %s and a NUL (never in a word) after it.
drv "$CFG" backup exec sh -c 'for w; do printf %s "$w"; printf "\0"; done' sh "${words[@]}"
[ "$RC" = 0 ] || fail "driver exit $RC"
n=0
while IFS= read -r -d '' got; do
	w=${words[$n]}
	printf %s "$w" >"$T/want"
	printf %s "$got" >"$T/got"
	cmp -s "$T/want" "$T/got" || fail "<$w> came back as <$got>"
	n=$((n + 1))
done <"$T/out"
[ "$n" = "${#words[@]}" ] || fail "$n words came back of ${#words[@]}"
# And as printf's own arguments, several in one argv.
drv "$CFG" backup exec printf '[%s]' "${words[@]}"
[ "$RC" = 0 ] || fail "printf [%s] of all words: driver exit $RC"
printf '[%s]' "${words[@]}" >"$T/want"
cmp -s "$T/want" "$T/out" || fail "printf [%s] of all words: output changed"
[ -e "$mark" ] && fail "a quoted word ran a command ($mark exists)"
ok "$n hostile words round-tripped byte for byte; none ran"
