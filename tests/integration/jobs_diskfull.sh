#!/bin/bash
# jobs_diskfull: `lab fault primary diskfull` -> backup fails with a clear
# error, no file is left under a dump's name, and with --nightly the app
# is running again afterwards.
. "$(dirname "$0")/jobs_lib.bash"

d=$LABDIR/primary/dumps
lab fault primary diskfull >/dev/null
on_exit "lab heal primary >/dev/null"
ls "$d" | sort >"$T/before"

for mode in "" --nightly; do
	run_drdeck backup $mode
	[ "$RC" = 1 ] || fail "backup $mode on a full disk exited $RC, expected 1"
	grep -q "FAILED at space" "$T/out" || fail "backup $mode did not fail at the free-space check"
	grep -q "free in $d" "$T/out" || fail "the error does not say how much is free where"
	ls "$d" | sort >"$T/after"
	if ! cmp -s "$T/before" "$T/after"; then
		fail "files changed in $d: $(diff "$T/before" "$T/after" | tr '\n' ' ')"
	fi
	[ "$(health primary)" = 200 ] || fail "the app is not running after backup $mode"
	ok "backup $mode on a full disk: '$(grep -o 'only .*' "$T/out" | head -n1)'; nothing left; app up"
done
