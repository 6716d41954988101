#!/usr/bin/env bash
# flow_failover_hung.sh: failover with the primary hung (SIGSTOP), then
# cutback after writes on the backup.
#
# Failover: the exposure prompt names the backup's data time; the
# operator types that the primary is down; the backup becomes active at
# epoch + 1 and serves /health 200, also through the front; a scheduled
# `drdeck restore` on it refuses afterwards.  The row written on the
# primary after the last dump is lost (the window said so).
# Cutback: rows written on the backup are on the primary afterwards;
# roles back (primary / standby), epoch + 2 on both; the journal of the
# flows is on both hosts too.
. "$(dirname "$0")/flow_lib.bash"

normalize
forget_rows "910001, 910002"
sync_pair
e0=$(state_of backup epoch)
dt=$(state_of backup data_time)
[ -n "$dt" ] || fail "no data time on the backup after a restore"
sleep 1
psql_at primary "INSERT INTO customers (id, email, name, created_at)
    VALUES (910001, 'hung-lost@lab', 'lost in the window', now())" >/dev/null
lab fault primary hang >/dev/null
on_exit "lab heal primary >/dev/null 2>&1"

run_flow failover --yes-to all
[ "$RC" = 0 ] || fail "failover exit $RC"
grep -q "type \"$(hhmm_of "$dt")\"" "$OUT" ||
	fail "the exposure prompt does not name the backup's data time $(hhmm_of "$dt")"
grep -q 'type "down" or "isolated"' "$OUT" ||
	fail "the fence did not ask to type that the primary is down"
grep -q 'skipped: the primary.s database does not answer' "$OUT" ||
	fail "salvage was not skipped for a hung primary"
[ "$(state_of backup role)" = active ] || fail "backup role $(state_of backup role)"
[ "$(state_of backup epoch)" = $((e0 + 1)) ] || fail "backup epoch $(state_of backup epoch), expected $((e0 + 1))"
[ "$(health backup)" = 200 ] || fail "backup /health $(health backup)"
[ "$(front_health)" = 200 ] || fail "front /health $(front_health)"
ok "hung primary: backup active at epoch $((e0 + 1)), /health 200 direct and through the front"

set +e
"$DRDECK" --config "$CFG" restore >"$T/restore.out" 2>&1
rrc=$?
set -e
[ "$rrc" = 3 ] || { cat "$T/restore.out"; fail "drdeck restore on the active backup: exit $rrc, expected 3 (refused)"; }
ok "a scheduled restore on the active backup refuses (exit 3)"

# The primary comes back; the backup took writes meanwhile.
lab heal primary >/dev/null
psql_at backup "INSERT INTO customers (id, email, name, created_at)
    VALUES (910002, 'hung-kept@lab', 'written on the backup', now())" >/dev/null

run_flow cutback --yes-to all
[ "$RC" = 0 ] || fail "cutback exit $RC"
[ "$(psql_at primary "SELECT count(*) FROM customers WHERE id = 910002")" = 1 ] ||
	fail "the row written on the backup is not on the primary"
[ "$(psql_at primary "SELECT count(*) FROM customers WHERE id = 910001")" = 0 ] ||
	fail "the row of the exposure window survived (it cannot have been in any dump)"
[ "$(state_of primary role)" = primary ] || fail "primary role $(state_of primary role)"
[ "$(state_of backup role)" = standby ] || fail "backup role $(state_of backup role)"
[ "$(state_of primary epoch)" = $((e0 + 2)) ] || fail "primary epoch $(state_of primary epoch)"
[ "$(state_of backup epoch)" = $((e0 + 2)) ] || fail "backup epoch $(state_of backup epoch)"
[ "$(state_of primary fenced)" = false ] || fail "primary still fenced"
[ "$(health primary)" = 200 ] || fail "primary /health $(health primary)"
[ "$(front_health)" = 200 ] || fail "front /health $(front_health)"
grep -q 'downtime' "$OUT" || fail "the cutback did not report its downtime"
ok "cutback: the backup's writes are on the primary, roles back at epoch $((e0 + 2))"

id=$(sed -n 's/^drdeck cutback: \(cutback-[^ ]*\) .*/\1/p' "$OUT")
for h in primary backup; do
	grep -q "\"$id\"" "$LABDIR/$h/state/journal.jsonl" ||
		fail "the cutback's journal is not on $h"
done
grep -q '"step.start"' "$T/console/journal.jsonl" || fail "no local journal"
ok "the flow's journal is on this machine and on both hosts"
