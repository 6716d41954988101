#!/bin/bash
# jobs_killed: pg_restore killed midway -> the job fails before the
# switch, the backup still serves its previous copy; the next restore
# succeeds.
. "$(dirname "$0")/jobs_lib.bash"

id=$(insert_marker primary)
run_drdeck backup
[ "$RC" = 0 ] || fail "backup exited $RC"
before=$(stamp_of backup)

set +e
"$DRDECK" --config "$CFG" restore >"$T/out" 2>&1 &
job=$!
set -e
# The pg_restore of this lab's staging database (its main process).
victim=
for _ in $(seq 1 600); do
	victim=$(pgrep -o -f "pg_restore .*-h $DRDECK_LAB_NET\.2 .*rabspocdb_staging" || true)
	[ -n "$victim" ] && break
	kill -0 "$job" 2>/dev/null || break
	sleep 0.05
done
[ -n "$victim" ] || { wait "$job" || true; fail "pg_restore never seen running"; }
sleep 0.3
kill -KILL "$victim"
set +e
wait "$job"
RC=$?
set -e
sed 's/^/    | /' "$T/out"
[ "$RC" = 1 ] || fail "restore with pg_restore killed exited $RC, expected 1"
grep -q "FAILED at restore" "$T/out" || fail "not failed at the restore step"
grep -q "switch" "$T/out" && fail "the switch ran"
[ "$(stamp_of backup)" = "$before" ] || fail "the live copy changed"
has_marker backup "$id" && fail "the new rows are live: the half restore was switched in"
[ "$(health backup)" = 200 ] || fail "the app is not up"
ok "pg_restore (pid $victim) killed: failed before the switch, previous copy still served"

run_drdeck restore
[ "$RC" = 0 ] || fail "the next restore exited $RC"
has_marker backup "$id" || fail "the next restore lacks the new rows"
ok "the next restore succeeds"
