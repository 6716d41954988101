#!/bin/bash
# jobs_cycle: the full cycle on the lab.  Rows inserted on the primary
# are on the backup after `drdeck backup` + `drdeck restore`; the backup's
# data stamp equals the primary's at dump time; the sidecar, roles file,
# runbook log lines, state file and journal say so; one <db>_prev is
# kept; a second restore finds nothing newer; a held lock makes a job
# wait, then fail naming the holder (exit 3).
. "$(dirname "$0")/jobs_lib.bash"

id=$(insert_marker primary)
run_drdeck backup
[ "$RC" = 0 ] || fail "backup exited $RC"
pstamp=$(stamp_of primary)
name=$(grep -o 'rabspocdb_[0-9-]*_[0-9-]*\.dump' "$T/out" | head -n1)
[ -n "$name" ] || fail "backup named no dump"
for h in primary backup; do
	d=$LABDIR/$h/dumps
	[ -f "$d/$name" ] || fail "$h: no $d/$name"
	[ -f "$d/$name.roles.sql" ] || fail "$h: no roles file"
	(cd "$d" && sha256sum -c --quiet "$name.sha256") || fail "$h: sidecar does not check"
	ls "$d" | grep -q '\.part$' && fail "$h: a .part file is left: $(ls "$d")"
done
grep -q "dumped $LABDIR/primary/dumps/$name" "$LABDIR/primary/logs/backup.log" ||
	fail "no runbook log line in primary/logs/backup.log"
ok "backup $name: dump, roles, sidecar on both hosts, log line"

run_drdeck restore
[ "$RC" = 0 ] || fail "restore exited $RC"
has_marker backup "$id" || fail "marker row $id is not on the backup"
bstamp=$(stamp_of backup)
[ "$bstamp" = "$pstamp" ] || fail "backup's stamp $bstamp != primary's $pstamp at dump time"
[ "$(health backup)" = 200 ] || fail "backup /health is not 200 after the restore"
dbs=$(dbs_of backup)
[ "$dbs" = "rabspocdb rabspocdb_prev " ] || fail "databases on the backup: $dbs"
grep -q "restored $name" "$LABDIR/backup/logs/restore.log" || fail "no 'restored' log line"
python3 - "$LABDIR/backup/state/state.json" "$name" <<-'PY' || fail "state file: $(cat "$LABDIR/backup/state/state.json")"
	import json, sys
	s = json.load(open(sys.argv[1]))
	lr = s["last_restore"]
	assert lr["dump"] == sys.argv[2] and lr["result"] == "ok", lr
	assert lr["switch_ms"] > 0 and lr["duration_ms"] >= lr["switch_ms"], lr
PY
grep -q '"action":"restore".*restore OK' "$T/console/journal.jsonl" ||
	fail "no 'restore OK' event in the journal"
sw=$(grep -o 'app down for [0-9]* ms' "$T/out" | grep -o '[0-9]*')
[ "$sw" -lt 10000 ] || fail "switch window $sw ms (target < 10 s)"
[ "$(stat -c %a "$LABDIR/backup/state/state.json")" = 600 ] || fail "state file mode"
ok "restore: marker row there, stamp $bstamp equal, app down $sw ms, prev kept, state + journal"

run_drdeck restore
[ "$RC" = 0 ] || fail "second restore exited $RC"
grep -q "nothing newer" "$T/out" || fail "second restore did not find 'nothing newer'"
ok "second restore: nothing newer, exit 0"

# A lock held by someone else: wait lock_wait, then fail naming the holder.
json_edit "c['lock_wait'] = '2s'"
lock=$LABDIR/backup/state/lock.json
printf '{"owner":"carol@ops-laptop","pid":4242,"machine":"ops-laptop","what":"failover","since":"2026-11-25T09:00:00Z"}\n' >"$lock"
on_exit "rm -f '$lock'"
t0=$(date +%s%N)
run_drdeck restore
t1=$(date +%s%N)
[ "$RC" = 3 ] || fail "restore under a held lock exited $RC, expected 3"
grep -q "carol@ops-laptop" "$T/out" || fail "the holder is not named"
[ $(( (t1 - t0) / 1000000 )) -ge 2000 ] || fail "did not wait lock_wait"
[ -f "$lock" ] && grep -q carol "$lock" || fail "the holder's lock was touched"
rm -f "$lock"
ok "held lock: waited 2 s, refused naming the holder (exit 3)"

# The schedule for this pair, from its config.
run_drdeck schedule print
[ "$RC" = 0 ] || fail "schedule print exited $RC"
grep -q "^0 3,6,9,12,15,18,21 \* \* \* .* --config $CFG backup --host primary$" "$T/out" ||
	fail "no daytime backup cron line"
grep -q "^10 3,6,9,12,15,18,21 \* \* \* .* restore --host backup --latest$" "$T/out" ||
	fail "no restore cron line"
grep -q "^OnCalendar=\*-\*-\* 00:30:00$" "$T/out" || fail "no nightly restore timer"
ok "schedule print: cron lines and systemd timers from the config"
