#!/bin/bash
# jobs_role: a backup whose role is active (after a failover) refuses to
# restore, saying why and how to change it (exit 3); nothing changes.
. "$(dirname "$0")/jobs_lib.bash"

st=$LABDIR/backup/state/state.json
mkdir -p "$(dirname "$st")"
if [ -f "$st" ]; then cp -p "$st" "$T/state.saved"; fi
on_exit "if [ -f '$T/state.saved' ]; then cp -p '$T/state.saved' '$st'; else rm -f '$st'; fi"
python3 - "$st" <<-'PY'
	import json, os, sys
	p = sys.argv[1]
	s = json.load(open(p)) if os.path.exists(p) else {"version": 1}
	s["role"] = "active"
	s["epoch"] = s.get("epoch", 0) + 1
	json.dump(s, open(p, "w"))
	os.chmod(p, 0o600)
PY
before=$(stamp_of backup)
dbs0=$(dbs_of backup)
alerts0=$( (cat "$LABDIR/alerts.log" 2>/dev/null || true) | wc -l)
log0=$( (cat "$LABDIR/backup/logs/restore.log" 2>/dev/null || true) | wc -l)

run_drdeck restore
[ "$RC" = 3 ] || fail "restore on an active host exited $RC, expected 3"
grep -q "ACTIVE" "$T/out" || fail "it does not say the host is active"
grep -q "drdeck cutback" "$T/out" || fail "it does not say how to change it"
[ "$(stamp_of backup)" = "$before" ] || fail "the live copy changed"
[ "$(dbs_of backup)" = "$dbs0" ] || fail "databases changed: $(dbs_of backup)"
[ ! -f "$LABDIR/backup/state/lock.json" ] || fail "a lock was left"
[ "$( (cat "$LABDIR/backup/logs/restore.log" 2>/dev/null || true) | wc -l)" = "$log0" ] || fail "restore.log changed"
[ "$( (cat "$LABDIR/alerts.log" 2>/dev/null || true) | wc -l)" = "$alerts0" ] || fail "an alert was sent for an expected refusal"
grep -q "role" "$T/console/journal.jsonl" || fail "the refusal is not journaled"
ok "role active: refused (exit 3), said why and how, nothing changed"
