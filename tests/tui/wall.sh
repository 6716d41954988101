#!/bin/bash
# The wall display is read-only: f c d b s Enter (and r ? j y) start
# nothing and change nothing (journal and state files compared); q asks;
# --kiosk ignores even q; a STALE banner when a host stops answering;
# SIGHUP and SIGTERM end it cleanly with the terminal restored.
. "$(dirname "$0")/lib.bash"
need_lab

before=$(fingerprint)
start 120 40 -- --wall
wait_for 20 'updated [0-9]+s ago'
wait_for 20 '┌─ primary .*┌─ backup'
for k in f c d b s Enter r '?' j y Escape; do
	key "$k"
	screen | grep -Eq 'confirm|Start |runner|help|journal' &&
	    fail "key $k opened something"
done
sleep 1
[ "$(fingerprint)" = "$before" ] || fail "something changed on disk"
screen | grep -q 'read-only wall display' || fail "no read-only mark"
ok "action keys start nothing, journal and state unchanged"

key q
wait_for 2 'Quit the wall display\?'
key n
sleep 0.3
[ -z "$(exit_status)" ] || fail "n quit the wall"
screen | grep -q 'Quit the wall' && fail "the question stayed"
ok "q asks"

# Probes stop answering: the STALE banner, the age always in sight.
CLEANUP+=("'$LAB' heal backup >/dev/null")
"$LAB" fault backup hang >/dev/null
wait_for 30 'STALE: backup is not answering'
screen | head -n1 | grep -Eq 'updated [0-9]+s ago' || fail "no refresh age"
ok "STALE banner"
"$LAB" heal backup >/dev/null

T resize-window -t S -x 90 -y 30
wait_for 3 'updated [0-9]+s ago'
T resize-window -t S -x 120 -y 40
kill -HUP "$DRDECK_PID"
wait_exit 15
[ "$(T display -p -t S '#{alternate_on}')" = 0 ] || fail "terminal not restored"
ok "SIGHUP ends it cleanly (status $(exit_status))"
T kill-session -t S

# Started with SIGTERM and SIGHUP blocked, as a careless parent might:
# drdeck clears its mask, so SIGTERM still ends it.
start 120 40 BLOCK=TERM,HUP -- --wall --kiosk
wait_for 20 'updated [0-9]+s ago'
key q
key C-c
key C-z
key 'C-\'
sleep 0.5
screen | grep -q 'Quit' && fail "kiosk asked to quit"
[ -z "$(exit_status)" ] || fail "kiosk quit on a key"
[ "$(proc_state)" != T ] || fail "kiosk stopped by Ctrl-Z"
screen | grep -Eq 'updated [0-9]+s ago' || fail "kiosk screen gone"
kill -TERM "$DRDECK_PID"
wait_exit 15
ok "kiosk ignores q, Ctrl-C, Ctrl-Z; SIGTERM ends it (even blocked by its parent)"
[ "$(fingerprint)" = "$before" ] || fail "something changed on disk"
