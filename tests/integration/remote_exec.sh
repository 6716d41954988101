#!/bin/bash
# remote_exec: exec over ssh on the lab's backup host.  stdout, stderr,
# exit status and signal come back as they are; 1 MiB of output is kept
# whole and more is flagged; stdin is passed through byte for byte; both
# streams past the channel window at once do not stall; a command
# sleeping past its deadline is reported within 10 % of the deadline and
# the same session serves the next call; the cancel flag ends a call.
. "$(dirname "$0")/remote_lib.bash"

drv "$CFG" backup exec sh -c 'echo out; echo err >&2; exit 3'
[ "$RC" = 1 ] || fail "exit 3: driver exit $RC"
[ "$(cat "$T/out")" = out ] || fail "stdout: $(cat "$T/out")"
grep -qx err "$T/err" || fail "stderr lacks err"
grep -q '^result: exit 3 ' "$T/err" || fail "not reported as exit 3"
ok "stdout, stderr, exit 3"

drv "$CFG" backup exec true
[ "$RC" = 0 ] && grep -q '^result: exit 0 ' "$T/err" || fail "true did not succeed"
ok "exit 0"

drv "$CFG" backup exec sh -c 'kill -KILL $$'
[ "$RC" = 1 ] || fail "signal: driver exit $RC"
grep -q '^result: signal KILL ' "$T/err" || fail "not reported as signal KILL"
drv "$CFG" backup exec sh -c 'kill -TERM $$'
grep -q '^result: signal TERM ' "$T/err" || fail "not reported as signal TERM"
ok "signals KILL and TERM reported, not success"

drv "$CFG" backup exec head -c 1048576 /dev/urandom
[ "$RC" = 0 ] || fail "1 MiB: driver exit $RC"
[ "$(stat -c %s "$T/out")" = 1048576 ] || fail "1 MiB: got $(stat -c %s "$T/out") bytes"
grep -q truncated "$T/err" && fail "exactly 1 MiB flagged as truncated"
drv "$CFG" backup exec head -c 1048577 /dev/zero
[ "$(stat -c %s "$T/out")" = 1048576 ] || fail "1 MiB + 1: got $(stat -c %s "$T/out") bytes"
grep -q '(stdout truncated)' "$T/err" || fail "1 MiB + 1 not flagged"
ok "1 MiB kept whole; more flagged as truncated"

head -c 3000000 /dev/urandom >"$T/in"
drv --stdin "$T/in" "$CFG" backup exec sh -c 'sha256sum; head -c 3000000 /dev/zero; head -c 3000000 /dev/zero >&2'
[ "$RC" = 0 ] || fail "stdin: driver exit $RC"
want=$(sha256sum <"$T/in" | cut -c1-64)
[ "$(head -c 64 "$T/out")" = "$want" ] || fail "stdin arrived changed"
grep -q '(stdout truncated) (stderr truncated)' "$T/err" || fail "3 MB on both streams: not both flagged"
ok "3 MB of stdin arrived intact; 3 MB on stdout and stderr at once did not stall"

t0=$(ms)
drv --timeout 2000 "$CFG" backup exec sleep 30
t1=$(ms)
[ "$RC" = 1 ] || fail "deadline: driver exit $RC"
grep -q '^result: timed out after ' "$T/err" || fail "not reported as timed out"
took=$(sed -n 's/^result: timed out after .* in \([0-9]*\) ms$/\1/p' "$T/err")
[ -n "$took" ] && [ "$took" -ge 2000 ] && [ "$took" -le 2200 ] ||
	fail "deadline 2000 ms: exec took ${took:-?} ms (within 10 % expected)"
ok "sleep 30 with a 2 s deadline: timed out after $took ms (whole driver $((t1 - t0)) ms)"

# The same transport serves the next call after a timeout.
drv --timeout 1500 "$CFG" backup seq exec sh -c 'sleep 5; echo late' @@ exec echo fine @@ exec echo again
grep -q '^result: timed out' "$T/err" || fail "first call did not time out"
[ "$(grep -c '^result: exit 0' "$T/err")" = 2 ] || fail "calls after a timeout on one transport failed"
[ "$(cat "$T/out")" = "$(printf 'fine\nagain')" ] || fail "outputs: $(cat "$T/out")"
ok "the transport serves the next calls after a timeout"

# The cancel flag ends a call at once, exec and put alike.
drv --timeout 20000 --cancel-after 500 "$CFG" backup exec sleep 10
grep -q 'cancelled' "$T/err" || fail "exec not cancelled: $(cat "$T/err")"
took=$(sed -n 's/^took: \([0-9]*\) ms$/\1/p' "$T/err")
[ "$took" -le 800 ] || fail "cancel took $took ms"
ok "exec cancelled after 500 ms: ended in $took ms"
