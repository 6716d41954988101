#!/usr/bin/env bash
# flow_salvage.sh: failover with the primary alive: it is fenced (app
# stopped, state fenced at the new epoch) and, its database answering,
# salvaged: rows written after the last scheduled dump survive on the
# backup.  A scheduled restore on the active backup refuses, and so does
# a scheduled backup on the fenced primary.  (The cutback
# is tested by flow_failover_*.sh; the pair is put back as it was.)
. "$(dirname "$0")/flow_lib.bash"

normalize
forget_rows "920001, 920002"
sync_pair
e0=$(state_of backup epoch)
sleep 1
psql_at primary "INSERT INTO customers (id, email, name, created_at)
    VALUES (920001, 'salvage-a@lab', 'after the dump', now()),
           (920002, 'salvage-b@lab', 'after the dump', now())" >/dev/null

run_flow failover --yes-to all
[ "$RC" = 0 ] || fail "failover exit $RC"
grep -q 'primary: app stopped, fenced' "$OUT" || fail "the fence did not stop the primary's app"
grep -q 'salvaged: ' "$OUT" || fail "no salvage"
[ "$(psql_at backup "SELECT count(*) FROM customers WHERE id IN (920001, 920002)")" = 2 ] ||
	fail "the rows written after the last dump are not on the backup"
[ "$(state_of backup role)" = active ] || fail "backup role $(state_of backup role)"
[ "$(state_of backup epoch)" = $((e0 + 1)) ] || fail "backup epoch"
[ "$(state_of primary fenced)" = true ] || fail "primary not fenced"
[ "$(state_of primary epoch)" = $((e0 + 1)) ] || fail "primary not fenced at the new epoch"
[ "$(health primary)" != 200 ] || fail "the fenced primary still serves"
[ "$(health backup)" = 200 ] || fail "backup /health $(health backup)"
[ "$(front_health)" = 200 ] || fail "front /health $(front_health)"
json=$(ls "$T"/console/reports/failover-*.json)
grep -q '"salvaged":[[:space:]]*true' "$json" || fail "the report does not say salvaged"
set +e
"$DRDECK" --config "$CFG" restore >"$T/restore.out" 2>&1
rrc=$?
set -e
[ "$rrc" = 3 ] || fail "drdeck restore on the active backup: exit $rrc, expected 3"
set +e
"$DRDECK" --config "$CFG" backup >"$T/backup.out" 2>&1
brc=$?
set -e
[ "$brc" = 3 ] || { cat "$T/backup.out"; fail "drdeck backup on the fenced primary: exit $brc, expected 3"; }
grep -q 'FENCED' "$T/backup.out" || fail "the backup refusal does not say the primary is fenced"
ok "alive primary fenced at epoch $((e0 + 1)); salvage kept the rows written after the dump; scheduled restore (backup) and backup (primary) refuse"
