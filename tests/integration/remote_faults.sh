#!/bin/bash
# remote_faults: the ssh transport against a hung, a cut-off and a
# crashed backup.  hang (SIGSTOP) and netcut (packets dropped): open,
# exec and a put in flight fail within their deadline (+10 %); crash
# (killed): refused at once; heal: the same transport object works again
# on its next call, also when the host restarted between two calls.
. "$(dirname "$0")/remote_lib.bash"

D=$LABDIR/backup/dumps
F=$D/drdeck-faults-$$.bin
on_exit "'$LAB' heal backup >/dev/null 2>&1; rm -f '$F' '$F.part'"
head -c $((48 * 1024 * 1024)) /dev/urandom >"$T/src"

# took FILE PATTERN: the milliseconds of the line "PATTERN N ms".
took() { sed -n "s/^$2\([0-9]*\) ms$/\1/p" "$1" | head -n1; }
within() { # within MS LIMIT WHAT
	[ -n "$1" ] && [ "$1" -le "$2" ] || fail "$3 took ${1:-?} ms (limit $2 ms)"
}

for fault in hang netcut; do
	# A transport opened while the host is well; the fault comes while it
	# waits between calls; heal comes before its last call.
	mkfifo "$T/ctl"
	"$DRV" --timeout 3000 "$CFG" backup seq exec echo before @@ wait 60 @@ \
		exec echo during @@ wait 60 @@ exec echo after <"$T/ctl" >"$T/out" 2>"$T/err" &
	dpid=$!
	exec 7>"$T/ctl"
	for _ in $(seq 100); do grep -q waiting "$T/err" && break; sleep 0.1; done
	lab fault backup $fault >/dev/null
	echo go >&7
	for _ in $(seq 100); do [ "$(grep -c waiting "$T/err")" = 2 ] && break; sleep 0.1; done
	lab heal backup >/dev/null
	echo go >&7
	exec 7>&-
	wait $dpid || true
	rm -f "$T/ctl"
	grep -q '^step 1: 0 ' "$T/err" || fail "$fault: the first exec failed"
	grep -q '^step 3: 2 ' "$T/err" || fail "$fault: exec did not fail: $(cat "$T/err")"
	within "$(took "$T/err" 'step 3: 2 in ')" 3300 "$fault: exec"
	grep -q '^step 5: 0 ' "$T/err" || fail "$fault: after heal the same transport failed: $(cat "$T/err")"
	[ "$(cat "$T/out")" = "$(printf 'before\nafter')" ] || fail "$fault: output $(cat "$T/out")"
	ok "$fault: exec failed in $(took "$T/err" 'step 3: 2 in ') ms (deadline 3000); after heal the same transport ran again"

	lab fault backup $fault >/dev/null
	t0=$(ms)
	drv --timeout 3000 "$CFG" backup open
	t1=$(ms)
	lab heal backup >/dev/null
	[ "$RC" != 0 ] || fail "$fault: open succeeded"
	within "$(took "$T/err" 'open took: ')" 3300 "$fault: open"
	ok "$fault: open failed in $(took "$T/err" 'open took: ') ms (deadline 3000): $(grep -o 'error: .*' "$T/err" | head -c 120)"

	# A put in flight.
	mkfifo "$T/hold"
	"$DRV" --timeout 8000 --hold-at $((8 * 1024 * 1024)) "$CFG" backup put "$T/src" "$F" \
		<"$T/hold" >"$T/out" 2>"$T/err" &
	dpid=$!
	exec 7>"$T/hold"
	for _ in $(seq 100); do grep -q holding "$T/err" && break; sleep 0.1; done
	grep -q holding "$T/err" || fail "$fault: the put never reached 8 MiB"
	lab fault backup $fault >/dev/null
	echo go >&7
	exec 7>&-
	RC=0
	wait $dpid || RC=$?
	rm -f "$T/hold"
	lab heal backup >/dev/null
	[ "$RC" != 0 ] || fail "$fault: the put succeeded"
	[ -e "$F" ] && fail "$fault: the final name exists"
	within "$(took "$T/err" 'took: ')" 8800 "$fault: put"
	ok "$fault: put in flight failed in $(took "$T/err" 'took: ') ms (deadline 8000), nothing final"
	rm -f "$F.part"
done

lab fault backup crash >/dev/null
drv --timeout 3000 "$CFG" backup open
# Only sshd matters here; the lab's heal also restarts the web server.
lab heal backup >/dev/null || echo "note: lab heal backup reported a problem"
[ "$RC" != 0 ] || fail "crash: open succeeded"
within "$(took "$T/err" 'open took: ')" 500 "crash: open"
grep -q 'refused' "$T/err" || fail "crash: not refused: $(cat "$T/err")"
ok "crash: refused in $(took "$T/err" 'open took: ') ms"

# The host restarts between two calls of one transport: the next exec
# finds the kept session dead before its command starts and runs it on a
# new one.
mkfifo "$T/ctl"
"$DRV" --timeout 5000 "$CFG" backup seq exec echo before @@ wait 60 @@ exec echo after \
	<"$T/ctl" >"$T/out" 2>"$T/err" &
dpid=$!
exec 7>"$T/ctl"
for _ in $(seq 100); do grep -q waiting "$T/err" && break; sleep 0.1; done
lab fault backup crash >/dev/null
lab heal backup >/dev/null || echo "note: lab heal backup reported a problem"
echo go >&7
exec 7>&-
wait $dpid || true
grep -q '^step 3: 0 ' "$T/err" || fail "restart between calls: $(cat "$T/err")"
[ "$(cat "$T/out")" = "$(printf 'before\nafter')" ] || fail "restart: output $(cat "$T/out")"
ok "host restarted between two calls: the next exec ran on a new session"
