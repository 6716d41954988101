#!/usr/bin/env bash
# flow_outage_at.sh: `failover --outage-at` starts the RTO clock, and ends
# the data-loss window, at the time the operator names, not when drdeck
# was started; an outage time in the future or not a time is refused
# before anything is touched.
. "$(dirname "$0")/flow_lib.bash"

normalize
before=$(state_of backup epoch)

# Refused at once, the pair untouched.
for bad in 25:00 yesterday "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)"; do
	set +e
	"$DRDECK" --config "$CFG" failover --outage-at "$bad" </dev/null >"$OUT" 2>&1
	rc=$?
	set -e
	[ "$rc" = 2 ] || fail "--outage-at $bad: exit $rc, expected 2"
	grep -q -- "--outage-at $bad: " "$OUT" || fail "--outage-at $bad: no one-line error naming it"
done
grep -q 'in the future' "$OUT" || fail "a future outage time is not called that"
[ "$(state_of backup epoch)" = "$before" ] || fail "a refused failover changed the epoch"
[ "$(state_of backup role)" = standby ] || fail "a refused failover changed the role"
ok "25:00, 'yesterday' and a time an hour ahead: refused (exit 2), nothing touched"

# The primary went down 7 minutes ago; the operator says so.
sync_pair
lab fault primary crash >/dev/null
on_exit "lab heal primary >/dev/null 2>&1"
outage=$(date -u -d '-7 minutes' +%Y-%m-%dT%H:%M:%SZ)
t0=$(date +%s)
run_flow failover --yes-to all --outage-at "$outage"
took=$(($(date +%s) - t0))
[ "$RC" = 0 ] || fail "failover exit $RC"
grep -q "RTO clock from ${outage%Z}.000Z" "$OUT" ||
	fail "the run does not say the RTO clock starts at $outage"
[ "$(state_of backup role)" = active ] || fail "backup role $(state_of backup role)"
json=$(ls "$T"/console/reports/failover-*.json)
/usr/bin/python3 - "$json" "$outage" "$took" >"$T/rto" <<-'PY' || fail "report: $(cat "$T/rto")"
	import datetime, json, sys
	r = json.load(open(sys.argv[1]))
	def ms(s):
	    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() * 1000
	want, took = ms(sys.argv[2]), int(sys.argv[3]) * 1000
	rto, dl = r["rto"], r["data_loss"]
	assert abs(ms(rto["from"]) - want) < 1000, ("rto from", rto["from"])
	# 7 minutes before the run, plus the run itself
	assert 420000 <= rto["ms"] <= 420000 + took + 2000, ("rto ms", rto["ms"], took)
	assert dl["to"] and abs(ms(dl["to"]) - want) < 1000, ("loss to", dl["to"])
	print(rto["ms"] // 1000, dl["from"], dl["to"])
	PY
read -r rto_s lfrom lto <"$T/rto"
md=${json%.json}.md
grep -q "| RTO (outage " "$md" || fail "no RTO line in the Markdown report"
ok "RTO ${rto_s} s counted from the outage at $outage (the run took ${took} s)"
# The backup was restored after the time named: nothing is lost, and the
# report says so rather than show a window running backwards.
grep -q "Data-loss window (none: the backup's data, .* is newer than the outage" "$md" ||
	fail "the report does not say the backup's data is newer than the outage ($lfrom > $lto)"
ok "the backup's data ($lfrom) is newer than the outage ($lto): no data-loss window, said so"
