#!/bin/bash
# A failover started from the console reaches "done", every confirmation
# typed through tmux as an operator would (y/n, and the typed words of the
# destructive steps).  Salvage is declined to keep it short; the watch is
# cut to 10 s.  Afterwards the lab is put back: the hosts' state files,
# the primary's services, the front's target.
. "$(dirname "$0")/lib.bash"
need_lab
pair_ready

# A copy of the lab's config with a short watch.
jq '.watch = "10s"' "$CONFIG" >"$TMPD/drdeck.json"
chmod 600 "$TMPD/drdeck.json"
LABCONFIG=$CONFIG
CONFIG=$TMPD/drdeck.json
for h in primary backup; do
	d=$(jq -r ".hosts[] | select(.name == \"$h\") | .paths.state" "$CONFIG")
	if [ -f "$d/state.json" ]; then
		cp -p "$d/state.json" "$TMPD/$h.state.json"
		CLEANUP+=("cp -p '$TMPD/$h.state.json' '$d/state.json'")
	else
		CLEANUP+=("rm -f '$d/state.json'")
	fi
	CLEANUP+=("rm -f '$d/lock.json'")
done
CLEANUP+=("'$LAB' service primary app start >/dev/null 2>&1")
CLEANUP+=("'$LAB' service primary web start >/dev/null 2>&1")
CLEANUP+=("'$LAB' cutover primary >/dev/null 2>&1")
epoch0=$(jq -r '.epoch // 0' "$TMPD/backup.state.json" 2>/dev/null || echo 0)

start 120 40 --
wait_for 20 'primary +round .*backup +round'
key f
wait_for 2 'Start FAILOVER\?'
key y
wait_for 10 'failover .*step [0-9]+/[0-9]+'
ok "runner open"

deadline=$(($(now_ms) + 180000))
answered=0
while [ "$(now_ms)" -lt "$deadline" ]; do
	s=$(screen)
	if echo "$s" | grep -q 'failover done'; then
		break
	fi
	if echo "$s" | grep -q 'failover failed'; then
		fail "the failover failed"
	fi
	word=$(echo "$s" | sed -n 's/^ type \(.*\) and Enter: *$/\1/p' | head -n1)
	if [ -n "$word" ]; then
		echo "typed: $word"
		T send-keys -t S -l "$word"
		key Enter
		answered=$((answered + 1))
	elif echo "$s" | grep -q '\[y\] yes'; then
		if echo "$s" | grep -Eq 'dump it now|[Ss]alvage.*\?'; then
			echo "answered: n (salvage)"
			key n
		else
			echo "answered: y"
			key y
		fi
		answered=$((answered + 1))
	fi
	sleep 0.5
done
screen | grep -q 'failover done' || fail "no 'failover done' within 180 s"
[ "$answered" -ge 3 ] || fail "only $answered answers"
screen | grep -q '✗ [0-9]*\.' && fail "a step failed"
ok "failover done after $answered answers"

d=$(jq -r '.hosts[] | select(.name == "backup") | .paths.state' "$CONFIG")
[ "$(jq -r .role "$d/state.json")" = active ] || fail "the backup is not active"
[ "$(jq -r .epoch "$d/state.json")" -gt "$epoch0" ] || fail "the epoch did not grow"
ok "backup active, epoch $(jq -r .epoch "$d/state.json")"

key Enter
wait_for 5 'Enter detail'
wait_for 20 'backup: active e[0-9]+'
ok "the overview shows the new roles"
key q
wait_exit 15
