#!/bin/bash
# remote_timeout: a command over ssh that outlives its deadline is
# stopped on the far side.  The call returns at the deadline (+10 %)
# saying "stopped it on backup (pid N)", and within a few seconds none of
# the command's processes runs on the host: not the command, not a child
# it left in the background, not one that ignores TERM (KILL follows).
# A cancel stops it too.  The pid marker never shows in stderr, and a
# line that merely looks like one is kept.  With the peer hung the call
# still returns at its deadline and says the command may still run.
. "$(dirname "$0")/remote_lib.bash"

# Sleep lengths no other process on this machine uses.
U=$((7000000 + ($$ % 100000) * 10))
on_exit "'$LAB' heal backup >/dev/null 2>&1; reap_left"

# pids of `sleep SECONDS` (exactly) on this machine, where the lab runs.
sleeps() { pgrep -x -f "sleep $1" || true; }
# Kill what a failed run left behind, by pid.
reap_left() {
	local p
	for p in $(pgrep -f "^sleep ${U%??}[0-9][0-9]$" || true); do
		kill -KILL "$p" 2>/dev/null || true
	done
}
# gone SECONDS MS: no `sleep SECONDS` left within MS milliseconds.
gone() {
	local end=$(($(ms) + $2))
	while [ -n "$(sleeps "$1")" ]; do
		[ "$(ms)" -lt "$end" ] || return 1
		sleep 0.1
	done
}
took() { sed -n 's/^result: .* in \([0-9]*\) ms$/\1/p' "$T/err"; }
STOPPED='^result: timed out after 2\.[0-9] s; stopped it on backup (pid [0-9][0-9]*) in [0-9]* ms$'

drv --timeout 2000 "$CFG" backup exec sleep $((U + 1))
[ "$RC" = 1 ] || fail "sleep: driver exit $RC"
grep -q "$STOPPED" "$T/err" || fail "sleep: not reported as stopped: $(cat "$T/err")"
ms_=$(took)
[ "$ms_" -ge 2000 ] && [ "$ms_" -le 2200 ] || fail "sleep: returned after $ms_ ms (deadline 2000)"
gone $((U + 1)) 3000 || fail "sleep $((U + 1)) still runs on the host 3 s after the stop"
ok "sleep past a 2 s deadline: returned in $ms_ ms, $(sed -n 's/^result: timed out after [0-9.]* s; \(.*\) in .*/\1/p' "$T/err"); gone on the host"

drv --timeout 2000 "$CFG" backup exec sh -c "sleep $((U + 2)) & sleep $((U + 3))"
[ "$RC" = 1 ] || fail "background child: driver exit $RC"
grep -q "$STOPPED" "$T/err" || fail "background child: not reported as stopped: $(cat "$T/err")"
ms_=$(took)
[ "$ms_" -le 2200 ] || fail "background child: returned after $ms_ ms (deadline 2000)"
gone $((U + 2)) 3000 || fail "the background sleep $((U + 2)) still runs 3 s after the stop"
gone $((U + 3)) 3000 || fail "sleep $((U + 3)) still runs 3 s after the stop"
ok "a command and the child it left in the background: both gone (returned in $ms_ ms)"

drv --timeout 2000 "$CFG" backup exec sh -c "trap '' TERM; sleep $((U + 4)) & sleep $((U + 5))"
grep -q "$STOPPED" "$T/err" || fail "TERM ignored: not reported as stopped: $(cat "$T/err")"
[ -n "$(sleeps $((U + 5)))" ] || fail "TERM ignored: gone before the grace (was TERM ignored?)"
gone $((U + 4)) 5000 || fail "TERM ignored: sleep $((U + 4)) still runs 5 s after the stop"
gone $((U + 5)) 5000 || fail "TERM ignored: sleep $((U + 5)) still runs 5 s after the stop"
ok "commands that ignore TERM: killed after the grace"

drv --timeout 20000 --cancel-after 500 "$CFG" backup exec sleep $((U + 6))
grep -q '^result: error: backup: exec: cancelled; stopped it on backup (pid [0-9]*)$' "$T/err" ||
	fail "cancel: $(cat "$T/err")"
ms_=$(sed -n 's/^took: \([0-9]*\) ms$/\1/p' "$T/err")
[ "$ms_" -le 800 ] || fail "cancel took $ms_ ms"
gone $((U + 6)) 3000 || fail "cancel: sleep $((U + 6)) still runs 3 s after the stop"
ok "cancelled after 500 ms: stopped on the host, ended in $ms_ ms"

# stderr: the marker is taken out, a look-alike later on is kept.
drv "$CFG" backup exec sh -c 'echo one >&2; echo drdeck-pid:77 >&2'
[ "$RC" = 0 ] || fail "stderr: driver exit $RC"
[ "$(sed '/^result: /d; /^took: /d' "$T/err")" = "$(printf 'one\ndrdeck-pid:77')" ] ||
	fail "stderr changed: $(cat "$T/err")"
drv "$CFG" backup script 'echo drdeck-pid:78 >&2; echo two >&2'
[ "$(sed '/^result: /d; /^took: /d' "$T/err")" = "$(printf 'drdeck-pid:78\ntwo')" ] ||
	fail "script stderr changed: $(cat "$T/err")"
ok "stderr arrives without the pid marker; a line that looks like one is kept"

# The peer hangs while the command runs: no answer to the stop, and the
# call still returns at its deadline.
"$DRV" --timeout 4000 "$CFG" backup exec sleep $((U + 7)) >"$T/out" 2>"$T/err" &
dpid=$!
for _ in $(seq 50); do [ -n "$(sleeps $((U + 7)))" ] && break; sleep 0.1; done
[ -n "$(sleeps $((U + 7)))" ] || fail "hang: the command never started"
sleep 0.5	# its pid marker on the way to drdeck
lab fault backup hang >/dev/null
RC=0
wait $dpid || RC=$?
lab heal backup >/dev/null
grep -q '^result: timed out after 4\.[0-9] s; the command may still run on backup (no answer to stop it) in [0-9]* ms$' "$T/err" ||
	fail "hang: $(cat "$T/err")"
ms_=$(took)
[ "$ms_" -ge 4000 ] && [ "$ms_" -le 4400 ] || fail "hang: returned after $ms_ ms (deadline 4000)"
for p in $(sleeps $((U + 7))); do kill -KILL "$p"; done
ok "peer hung: returned in $ms_ ms saying the command may still run"
