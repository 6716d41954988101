#!/bin/bash
# A breached RPO: the backup's data is 5 hours old (its data stamp and
# its state file's last restore say so); the exposure row reads crit and
# the alert line says it in words.
. "$(dirname "$0")/lib.bash"
need_lab

f=$BACKUP_STATE/state.json
if [ -f "$f" ]; then
	cp -p "$f" "$TMPD/state.json.orig"
	CLEANUP+=("cp -p '$TMPD/state.json.orig' '$f'")
else
	CLEANUP+=("rm -f '$f'")
fi
old=$(date -u -d '-5 hours' +%Y-%m-%dT%H:%M:%SZ)
epoch=$(jq -r '.epoch // 0' "$f" 2>/dev/null || echo 0)
cat >"$f.tmp" <<JSON
{"version":1,"role":"standby","epoch":$epoch,"updated_at":"$old",
 "updated_by":"screen-test@lab","fenced":false,
 "last_restore":{"dump":"rabspocdb_old.dump","data_time":"$old",
 "at":"$old","result":"ok","duration_ms":4210,"switch_ms":31}}
JSON
chmod 600 "$f.tmp"
mv "$f.tmp" "$f"

# The data stamp the last restore brought, moved 5 hours back.
if [ "$("$LAB" psql backup -Atc "SELECT to_regclass('drdeck.stamp') IS NOT NULL")" = t ]; then
	"$LAB" psql backup -Atc "SELECT id, stamped_at FROM drdeck.stamp" >"$TMPD/stamp"
	CLEANUP+=("while IFS='|' read -r id at; do '$LAB' psql backup -qAtc \"UPDATE drdeck.stamp SET stamped_at = '\$at' WHERE id = \$id\" >/dev/null; done <'$TMPD/stamp'")
	"$LAB" psql backup -qAtc "UPDATE drdeck.stamp SET stamped_at = now() - interval '5 hours'" >/dev/null
fi

start 120 40 --
wait_for 20 'primary +round .*backup +round'
wait_for 20 'Exposure: 5h0[0-9]m'
line_of 'Exposure: 5h' | grep -q '✗ Exposure: 5h' || fail "exposure not crit"
line_of 'Exposure: 5h' | grep -q 'breached' || fail "no breach time"
screen | head -n1 | grep -q '✗ CRIT' || fail "header not crit"
alert=$(screen | tail -n2 | head -n1)
echo "$alert" | grep -Eq 'backup Exposure 5h0[0-9]m .*RPO 3h.* breached at [0-9]{2}:[0-9]{2}' ||
    fail "alert line: $alert"
ok "alert line: $alert"
key q
wait_exit 10
