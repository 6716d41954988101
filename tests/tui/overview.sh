#!/bin/bash
# The console's overview on the lab: both hosts side by side at ok, the
# header (pair, roles and epochs, level, clock, age), the rows, the
# footer; help, detail and journal open and close; q quits cleanly.
. "$(dirname "$0")/lib.bash"
need_lab
pair_ready

start 120 40 --
wait_for 20 'primary +round .*backup +round'
wait_for 20 'data [0-9]+s old'
head=$(line_of 'data [0-9]+s old')
echo "$head" | grep -q "lab-" || fail "no pair name in the header"
echo "$head" | grep -Eq 'primary: primary e[0-9]+' || fail "no primary role/epoch"
echo "$head" | grep -Eq 'backup: (standby|active) e[0-9]+' || fail "no backup role/epoch"
echo "$head" | grep -Eq '[0-9]{2}:[0-9]{2}:[0-9]{2}' || fail "no clock"
# Both hosts at ok: their column titles carry the ok symbol.
wait_for 30 '│✓ primary +round .*│✓ backup +round'
ok "both hosts at ok"
for row in reach health database 'last dump' 'disk free' '\.env' services role lock; do
	screen | grep -Eq "^[ ▸]$row " || fail "no row '$row'"
done
line_of '^ database' | grep -q '✓ .*│✓ ' || fail "database not ok on both"
ok "rows side by side"
screen | tail -n1 | grep -q 'f failover' || fail "no keys in the footer"

key '?'
wait_for 2 'a typed confirmation'
key Escape
key Down Down Enter
wait_for 2 'detail: database'
wait_for 2 'key db.latency'
key Escape
key j
wait_for 3 'journal .*host: all'
key Escape
wait_for 2 '▸'
ok "help, detail and journal"

key q
wait_exit 10
[ "$(exit_status)" = 0 ] || fail "exit status $(exit_status)"
[ "$(T display -p -t S '#{alternate_on}')" = 0 ] || fail "terminal not restored"
ok "q quits, terminal restored"
