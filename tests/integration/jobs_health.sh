#!/bin/bash
# jobs_health: `lab fault backup health` right after the swap (the app's
# start command faults it once) -> the health gate fails, the previous
# copy is swapped back and serves again, an alert names the step, exit 1.
# The same when the app's start command itself fails after the swap.
. "$(dirname "$0")/jobs_lib.bash"

before_id=$(insert_marker backup)
id=$(insert_marker primary)
run_drdeck backup
[ "$RC" = 0 ] || fail "backup exited $RC"
before=$(stamp_of backup)

# The backup's app start: start it, then (once) fault the host's health.
trigger=$T/fault-once
cat >"$T/app-start" <<-EOS
	#!/bin/sh
	if [ -f '$T/fail-once' ]; then
		rm -f '$T/fail-once'
		echo "app: refusing to start (once, on purpose)" >&2
		exit 1
	fi
	'$LABDIR/backup/bin/app' start || exit \$?
	if [ -f '$trigger' ]; then
		rm -f '$trigger'
		DRDECK_LAB_NET='$DRDECK_LAB_NET' DRDECK_LAB_DIR='$LABDIR' '$LAB' fault backup health >/dev/null
	fi
	exit 0
EOS
chmod 755 "$T/app-start"
json_edit "c['hosts'][1]['services'][0]['start'] = ['$T/app-start']"
touch "$trigger"
on_exit "lab heal backup >/dev/null"
alerts0=$( (cat "$LABDIR/alerts.log" 2>/dev/null || true) | wc -l)

run_drdeck restore --health-timeout 8
[ "$RC" = 1 ] || fail "restore with health failing exited $RC, expected 1"
[ ! -f "$trigger" ] || fail "the fault was never injected"
grep -q "FAILED at health" "$T/out" || fail "not failed at the health gate"
grep -q "swapback ok" "$T/out" || fail "not swapped back"
[ "$(stamp_of backup)" = "$before" ] || fail "the previous copy is not live again"
has_marker backup "$before_id" || fail "the previous copy's row is missing"
has_marker backup "$id" && fail "the restored copy is still live"
[ "$(health backup)" = 200 ] || fail "the app is not up after the swap back"
tail -n +$((alerts0 + 1)) "$LABDIR/alerts.log" | grep -q "restore failed on backup at step health" ||
	fail "no alert naming the health step in $LABDIR/alerts.log"
dbs=$(dbs_of backup)
case $dbs in *rabspocdb_staging*) ;; *) fail "the rejected copy is not kept as staging: $dbs" ;; esac
python3 - "$LABDIR/backup/state/state.json" <<-'PY' || fail "state: $(cat "$LABDIR/backup/state/state.json")"
	import json, sys
	lr = json.load(open(sys.argv[1]))["last_restore"]
	assert lr["result"].startswith("failed"), lr
PY
ok "health failed after the swap: swapped back, previous copy serves, alert sent, exit 1"

# The app's start fails (once) right after the swap: swapped back too.
touch "$T/fail-once"
alerts0=$(wc -l <"$LABDIR/alerts.log")
run_drdeck restore --health-timeout 8
[ "$RC" = 1 ] || fail "restore with the app failing to start exited $RC, expected 1"
[ ! -f "$T/fail-once" ] || fail "the start failure was never injected"
grep -q "FAILED at switch" "$T/out" || fail "not failed at the switch"
grep -q "swapback ok" "$T/out" || fail "not swapped back"
[ "$(stamp_of backup)" = "$before" ] || fail "the previous copy is not live again"
[ "$(health backup)" = 200 ] || fail "the app is not up after the swap back"
tail -n +$((alerts0 + 1)) "$LABDIR/alerts.log" | grep -q "refusing to start" ||
	fail "the alert lacks the start command's stderr"
ok "the app's start failed after the swap: swapped back, previous copy serves, alert, exit 1"
