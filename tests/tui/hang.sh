#!/bin/bash
# A hung backup: its column goes unknown within the round deadline while
# the primary stays fresh and the keys still answer (help within 200 ms).
. "$(dirname "$0")/lib.bash"
need_lab

start 120 40 --
wait_for 20 'primary +round .*backup +round'
CLEANUP+=("'$LAB' heal backup >/dev/null")
"$LAB" fault backup hang >/dev/null
t0=$(now_ms)
# poll interval + the round's deadline + a margin
limit=$(jq -r '.poll_interval, .probe_timeout' "$CONFIG" | tr -d s |
    paste -sd' ' | awk '{print $1 + 2 * $2 + 5}')
wait_for "$limit" '│\? backup +not answering'
ok "backup unknown after $(($(now_ms) - t0)) ms (limit ${limit}s)"
line_of '│\? backup' | grep -Eq '✓ primary +round' || fail "the primary is not fresh"
screen | grep -q 'backup not answering' || fail "no alert line"

# The keys answer while the host hangs.
for i in 1 2 3; do
	t0=$(now_ms)
	T send-keys -t S '?'
	wait_for 2 'a typed confirmation'
	took=$(($(now_ms) - t0))
	[ "$took" -le 200 ] || fail "help took ${took} ms (> 200)"
	echo "help overlay in ${took} ms"
	key Escape
	wait_for 2 'Enter detail'
done
ok "keys answer during the hang"
"$LAB" heal backup >/dev/null
wait_for 60 '│✓ backup +round|│! backup +round'
ok "backup back after heal"
key q
wait_exit 15
