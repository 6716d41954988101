#!/usr/bin/env bash
# flow_drill.sh: the monthly drill end to end on the lab (drill.outage =
# `lab fault primary hang` for drill.duration, failover in drill mode,
# the end-to-end checklist, heal, cutback), with the operator's notes.
# The report is written as Markdown and JSON under <state_dir>/reports
# and its path printed; its data-loss window matches the rows actually
# lost (rows inserted at known times around the last dump; what the
# pair lacks afterwards); `drdeck drill history` lists it with the next
# due date.
. "$(dirname "$0")/flow_lib.bash"

normalize
forget_rows "930001, 930002, 930003, 930004"
psql_at primary "INSERT INTO customers (id, email, name, created_at)
    VALUES (930001, 'drill-kept@lab', 'before the dump', now())" >/dev/null
sync_pair
sleep 1
for i in 2 3 4; do
	psql_at primary "INSERT INTO customers (id, email, name, created_at)
	    VALUES (93000$i, 'drill-$i@lab', 'after the dump', now())" >/dev/null
	sleep 1
done
on_exit "lab heal primary >/dev/null 2>&1"
psql_at primary "SELECT id || '|' || (extract(epoch FROM created_at) * 1000)::bigint
    FROM customers WHERE id BETWEEN 930001 AND 930004 ORDER BY id" >"$T/times"
[ "$(wc -l <"$T/times")" = 4 ] || fail "the test rows are not on the primary"

yes="lock,prechecks,outage,exposure,fence,salvage,promote,serve,cutover"
yes="$yes,verify,checklist,heal,preconditions,stop-primary,newer-data"
yes="$yes,maintenance,dump,restore,verify-restore,storage,start-primary"
yes="$yes,cutover-back,roles,verify-public,report"
FLOW_NOTES="lab drill: all steps as written" run_flow drill --yes-to "$yes"
[ "$RC" = 0 ] || fail "drill exit $RC"
md=$(sed -n 's/^report: //p' "$OUT")
[ -n "$md" ] || fail "no report path printed"
case $md in "$T"/console/reports/drill-????-??-??.md) ;; *) fail "report path $md" ;; esac
json=${md%.md}.json
[ -f "$md" ] && [ -f "$json" ] || fail "report files missing"
[ "$(stat -c %a "$json")" = 600 ] || fail "report mode $(stat -c %a "$json")"
grep -q 'lab drill: all steps as written' "$md" || fail "the notes are not in the report"
grep -q '| RTO' "$md" || fail "no RTO line in the Markdown report"
ok "drill completed; report $md (+ .json)"

# The window the report states, against the rows actually lost.
/usr/bin/python3 - "$json" >"$T/window" <<-'PY'
	import json, sys
	r = json.load(open(sys.argv[1]))
	assert r["ok"], "report says not ok"
	assert r["rto"]["ms"] and 0 < r["rto"]["ms"] <= r["rto"]["target_ms"], r["rto"]
	dl = r["data_loss"]
	assert dl["from"] and dl["to"] and dl["window_ms"] > 0, dl
	assert not dl["salvaged"]
	print(dl["from"], dl["to"])
	PY
read -r from to <"$T/window"
present=$(psql_at primary "SELECT string_agg(id::text, ' ') FROM customers
    WHERE id BETWEEN 930001 AND 930004")
/usr/bin/python3 - "$from" "$to" "$T/times" "$present" <<-'PY' || fail "the window does not match the rows lost"
	import datetime, sys
	def ms(s):
	    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() * 1000
	lo, hi = ms(sys.argv[1]), ms(sys.argv[2])
	present = set(sys.argv[4].split())
	rows = [l.split("|") for l in open(sys.argv[3]).read().split()]
	predicted = {i for i, t in rows if lo < float(t) <= hi}
	lost = {i for i, t in rows if i not in present}
	print("rows in the window:", sorted(predicted), "rows lost:", sorted(lost))
	assert predicted == lost and len(lost) == 3, (predicted, lost)
	PY
[ "$(psql_at primary "SELECT count(*) FROM customers WHERE id = 930001")" = 1 ] ||
	fail "the row written before the last dump was lost"
ok "data-loss window $from .. $to: the 3 rows written inside it were lost, the one before it kept"

[ "$(state_of primary role)" = primary ] && [ "$(state_of backup role)" = standby ] ||
	fail "roles not back after the drill"
[ "$(front_health)" = 200 ] || fail "front /health $(front_health)"
"$DRDECK" --config "$CFG" drill history >"$T/hist" 2>&1 || fail "drill history"
grep -q "${md%.md}" "$T/hist" || { cat "$T/hist"; fail "history does not list the drill"; }
grep -q '^Next drill: due ' "$T/hist" || { cat "$T/hist"; fail "history has no next due date"; }
ok "drill history lists it; $(grep '^Next drill' "$T/hist")"
