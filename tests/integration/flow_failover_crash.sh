#!/usr/bin/env bash
# flow_failover_crash.sh: failover with the primary crashed (its
# processes killed), then a cutback that refuses because the primary
# holds data newer than what the backup started from (its data stamp
# moved after the failover), and the same cutback with the typed
# override.
. "$(dirname "$0")/flow_lib.bash"

normalize
e0=$(state_of backup epoch)
lab fault primary crash >/dev/null
on_exit "lab heal primary >/dev/null 2>&1"

run_flow failover --yes-to all
[ "$RC" = 0 ] || fail "failover exit $RC"
grep -q 'type "down" or "isolated"' "$OUT" ||
	fail "the fence did not ask to type that the primary is down"
[ "$(state_of backup role)" = active ] || fail "backup role $(state_of backup role)"
[ "$(state_of backup epoch)" = $((e0 + 1)) ] || fail "backup epoch $(state_of backup epoch)"
[ "$(health backup)" = 200 ] || fail "backup /health $(health backup)"
[ "$(front_health)" = 200 ] || fail "front /health $(front_health)"
set +e
"$DRDECK" --config "$CFG" restore >"$T/restore.out" 2>&1
rrc=$?
set -e
[ "$rrc" = 3 ] || fail "drdeck restore on the active backup: exit $rrc, expected 3"
ok "crashed primary: backup active at epoch $((e0 + 1)), serves, restore refuses"

# The primary comes back and its data moves past the failover point
# (as if it had taken writes and dumped them).
lab heal primary >/dev/null
psql_at primary "UPDATE drdeck.stamp SET stamped_at = now()" >/dev/null
before=$(psql_at primary "SELECT count(*) FROM customers")

FLOW_REFUSE=override run_flow cutback --yes-to all
[ "$RC" = 1 ] || fail "cutback over newer data: exit $RC, expected 1 (refused)"
grep -q 'REFUSED: primary holds data newer' "$OUT" || fail "no refusal naming the newer data"
grep -q 'Dump the backup' "$OUT" && fail "the cutback went on to dump after the refusal"
[ "$(state_of backup role)" = active ] || fail "backup role changed by a refused cutback"
[ "$(psql_at primary "SELECT count(*) FROM customers")" = "$before" ] ||
	fail "the primary's data changed"
[ "$(health backup)" = 200 ] || fail "the backup does not serve after the refusal (safe state)"
ok "cutback refused: the primary holds newer data; the backup keeps serving"

run_flow cutback --yes-to all
[ "$RC" = 0 ] || fail "cutback with the override: exit $RC"
grep -q 'the operator overrode the newer-data refusal' "$OUT" || fail "override not recorded"
[ "$(state_of primary role)" = primary ] || fail "primary role $(state_of primary role)"
[ "$(state_of backup role)" = standby ] || fail "backup role $(state_of backup role)"
[ "$(state_of backup epoch)" = "$(state_of primary epoch)" ] || fail "epochs differ"
[ "$(front_health)" = 200 ] || fail "front /health $(front_health)"
ok "cutback with the typed override: roles back at epoch $(state_of primary epoch)"
