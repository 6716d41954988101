#!/bin/bash
# remote_ship: shipping 256 MiB to the lab's backup over SFTP.  The file
# arrives with the same sha256; no file ever carries its final name while
# partial; sshd killed mid-transfer leaves only the .part, and the next
# put resumes it (after checking its prefix) and completes; a full disk
# is refused before writing, with a clear error and nothing left behind.
. "$(dirname "$0")/remote_lib.bash"

D=$LABDIR/backup/dumps
SIZE=$((256 * 1024 * 1024))
F=$D/drdeck-ship-$$.bin
on_exit "rm -f '$F' '$F.part'; '$LAB' heal backup >/dev/null 2>&1"
head -c $SIZE /dev/urandom >"$T/src"
want=$(sha256sum <"$T/src" | cut -c1-64)

# watch FILE: flag in $T/partial any moment FILE exists with a wrong size.
watch_final() {
	rm -f "$T/partial"
	while [ ! -f "$T/stopwatch" ]; do
		if [ -e "$F" ] && [ "$(stat -c %s "$F" 2>/dev/null || echo $SIZE)" != $SIZE ]; then
			echo "seen $(stat -c %s "$F")" >>"$T/partial"
		fi
		sleep 0.01
	done
}

rm -f "$T/stopwatch"
watch_final &
wpid=$!
drv --timeout 120000 "$CFG" backup put "$T/src" "$F"
touch "$T/stopwatch"
wait $wpid
[ "$RC" = 0 ] || fail "put: driver exit $RC"
[ "$(sha256sum <"$F" | cut -c1-64)" = "$want" ] || fail "sha256 differs on arrival"
[ -e "$F.part" ] && fail ".part left after success"
[ -f "$T/partial" ] && fail "the final name carried a partial file: $(cat "$T/partial")"
[ "$(stat -c %a "$F")" = 600 ] || fail "mode $(stat -c %a "$F"), expected 600"
ok "256 MiB arrived with the same sha256; final name never partial; no .part left"

# sshd killed in the middle of a put.
rm -f "$F"
mkfifo "$T/hold"
rm -f "$T/stopwatch"
watch_final &
wpid=$!
"$DRV" --timeout 60000 --hold-at $((96 * 1024 * 1024)) "$CFG" backup put "$T/src" "$F" \
	<"$T/hold" >"$T/out" 2>"$T/err" &
dpid=$!
exec 7>"$T/hold"
for _ in $(seq 300); do grep -q holding "$T/err" && break; sleep 0.1; done
grep -q holding "$T/err" || fail "the put never reached 96 MiB"
lab fault backup crash >/dev/null
echo go >&7
exec 7>&-
RC=0
wait $dpid || RC=$?
touch "$T/stopwatch"
wait $wpid
[ "$RC" != 0 ] || fail "put succeeded with sshd killed"
[ -e "$F" ] && fail "the final name exists after a failed put"
[ -f "$F.part" ] || fail "no .part left after the kill"
psize=$(stat -c %s "$F.part")
[ "$psize" -gt 0 ] && [ "$psize" -lt $SIZE ] || fail ".part has $psize bytes"
[ -f "$T/partial" ] && fail "the final name carried a partial file: $(cat "$T/partial")"
ok "sshd killed mid-transfer: only $F.part ($psize bytes) left; $(grep -o 'error: .*' "$T/err" | head -c 160)"

lab heal backup >/dev/null
rm -f "$T/stopwatch"
watch_final &
wpid=$!
drv --timeout 120000 "$CFG" backup put "$T/src" "$F"
touch "$T/stopwatch"
wait $wpid
[ "$RC" = 0 ] || fail "resumed put: driver exit $RC"
first=$(sed -n 's/^first-progress: \([0-9]*\) .*/\1/p' "$T/err")
[ "$first" -gt "$psize" ] || fail "not resumed: first progress $first, .part had $psize"
[ "$(sha256sum <"$F" | cut -c1-64)" = "$want" ] || fail "sha256 differs after resume"
[ -e "$F.part" ] && fail ".part left after the resumed put"
[ -f "$T/partial" ] && fail "the final name carried a partial file: $(cat "$T/partial")"
ok "the next put resumed at $psize bytes and completed with the same sha256"

# A .part that is not a prefix of the file is started over.
rm -f "$F"
head -c 1000000 /dev/urandom >"$F.part"
drv --timeout 120000 "$CFG" backup put "$T/src" "$F"
[ "$RC" = 0 ] || fail "put over a foreign .part: driver exit $RC"
first=$(sed -n 's/^first-progress: \([0-9]*\) .*/\1/p' "$T/err")
[ "$first" -le $((1024 * 1024)) ] || fail "a foreign .part was resumed (first progress $first)"
[ "$(sha256sum <"$F" | cut -c1-64)" = "$want" ] || fail "sha256 differs"
ok "a .part with other content is started over"
rm -f "$F"

# A full disk: refused before writing.
lab fault backup diskfull >/dev/null
drv --timeout 30000 "$CFG" backup put "$T/src" "$F"
lab heal backup >/dev/null
[ "$RC" != 0 ] || fail "put to a full disk succeeded"
grep -q 'not enough room' "$T/err" || fail "no clear error: $(cat "$T/err")"
grep -q 'nothing written' "$T/err" || fail "the error does not say nothing was written"
[ -e "$F" ] && fail "the final name exists after a refused put"
[ -e "$F.part" ] && fail "a .part was written on a full disk"
ok "full disk refused: $(grep -o 'error: .*' "$T/err" | head -c 200)"
