#!/bin/bash
# jobs_truncated: a dump cut in half (with a sidecar that matches it, so
# only reading it whole can tell) is refused before the switch: the live
# database is untouched and the app stays up.  A dump whose content does
# not match its sidecar is refused when asked for, and skipped by
# --latest.
. "$(dirname "$0")/jobs_lib.bash"

run_drdeck backup
[ "$RC" = 0 ] || fail "backup exited $RC"
run_drdeck restore
[ "$RC" = 0 ] || fail "restore exited $RC"
good=$(grep -o 'rabspocdb_[0-9-]*_[0-9-]*\.dump' "$T/out" | head -n1)
id=$(insert_marker backup)    # only in the live copy: gone if it is replaced
before=$(stamp_of backup)

d=$LABDIR/backup/dumps
# A name newer than any dump: tomorrow, same time.
cut=rabspocdb_$(date -d tomorrow +%Y-%m-%d_%H-%M).dump
size=$(stat -c %s "$d/$good")
head -c $((size / 2)) "$d/$good" >"$d/$cut"
(cd "$d" && sha256sum "$cut" >"$cut.sha256")
cp "$d/$good.roles.sql" "$d/$cut.roles.sql"
on_exit "rm -f '$d/$cut' '$d/$cut.sha256' '$d/$cut.roles.sql'"
/usr/lib/postgresql/15/bin/pg_restore --list "$d/$cut" >/dev/null ||
	fail "pg_restore --list already refuses the cut dump: the test proves nothing"

run_drdeck restore
[ "$RC" = 1 ] || fail "restore of a truncated dump exited $RC, expected 1"
grep -q "FAILED at restore" "$T/out" || fail "not refused at the restore step"
has_marker backup "$id" || fail "the live database was replaced"
[ "$(stamp_of backup)" = "$before" ] || fail "the live stamp changed"
[ "$(health backup)" = 200 ] || fail "the app is not up"
tail -n 30 "$LABDIR/alerts.log" | grep -q "at step restore" || fail "no alert naming the step"
ok "truncated dump $cut refused before the switch; live copy and app untouched; alert sent"

# A sidecar that does not match: refused when named, skipped by --latest.
(cd "$d" && echo "0000000000000000000000000000000000000000000000000000000000000000  $cut" >"$cut.sha256")
run_drdeck restore "$cut"
[ "$RC" = 1 ] || fail "restore of a dump not matching its sidecar exited $RC"
grep -q "does not match its sidecar" "$T/out" || fail "no sidecar message"
run_drdeck restore --latest
grep -q "$cut does not match its sidecar's sha256: skipped" "$T/out" || fail "not skipped"
[ "$RC" = 0 ] || fail "restore --latest exited $RC"
has_marker backup "$id" || fail "the live database was replaced by a restore of nothing newer"
ok "sidecar mismatch: refused by name, skipped by --latest"

# Row estimates: a staging copy with far fewer rows than the live one is
# refused (restore_row_pct, 50 % in the lab).
rm -f "$d/$cut" "$d/$cut.sha256" "$d/$cut.roles.sql"
n=$(psql_at backup "SELECT count(*) FROM audit_log")
psql_at backup "INSERT INTO audit_log(at, actor, action, detail)
	SELECT now(), 'bench', 'pad', NULL FROM generate_series(1, 2 * $n + 1000);
	ANALYZE audit_log" >/dev/null
on_exit "psql_at backup \"DELETE FROM audit_log WHERE actor = 'bench'; ANALYZE audit_log\" >/dev/null"
run_drdeck backup
[ "$RC" = 0 ] || fail "backup exited $RC"
run_drdeck restore
[ "$RC" = 1 ] || fail "restore of a copy with a third of the live rows exited $RC, expected 1"
grep -q "FAILED at sanity.*public.audit_log holds about" "$T/out" || fail "not refused by the row estimates"
has_marker backup "$id" || fail "the live database was replaced"
ok "staging with a third of the live rows: refused at sanity"
