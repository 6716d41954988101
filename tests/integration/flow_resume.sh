#!/usr/bin/env bash
# flow_resume.sh: what an interrupted or doubled operator meets.
#   --dry-run prints every step and command and changes nothing (the
#     journal, the console state and the hosts' state files compared);
#   a second drdeck (another console) is refused by the lock and told who
#     holds it;
#   kill -9 midway, then --abort: the safe-state steps leave the primary
#     serving, unfenced, the backup standby;
#   kill -9 while a step runs, then --resume: the flow completes.
. "$(dirname "$0")/flow_lib.bash"

normalize
# Every y/n answered but the salvage's (declined: it would take a minute).
yes=lock,exposure,fence,promote,serve,cutover,verify,watch,report

snap() {
	local f
	for f in "$LABDIR"/primary/state/* "$LABDIR"/backup/state/*; do
		[ -f "$f" ] && md5sum "$f"
	done
	[ -d "$T/console" ] && find "$T/console" -type f | sort | xargs -r md5sum
	true
}
snap >"$T/before"
for f in failover cutback drill; do
	"$DRDECK" --config "$CFG" "$f" --dry-run >"$T/dry.$f" 2>&1 ||
		{ cat "$T/dry.$f"; fail "$f --dry-run"; }
done
snap >"$T/after"
diff "$T/before" "$T/after" || fail "--dry-run changed files"
grep -q "^      primary\$ '$LABDIR/primary/bin/app' 'stop'" "$T/dry.failover" ||
	fail "the failover plan does not show the primary's stop command"
grep -q "^\[10/10\] report" "$T/dry.failover" || fail "the failover plan is not whole"
grep -q "lab' 'cutover' 'primary'" "$T/dry.cutback" || fail "the cutback plan lacks the hook"
grep -q "lab' 'fault' 'primary' 'hang'" "$T/dry.drill" || fail "the drill plan lacks the outage"
ok "--dry-run of the three flows printed every step and changed nothing"

# A first operator waits at the exposure prompt, holding both locks.
mkfifo "$T/in"
"$DRDECK" --config "$CFG" failover <"$T/in" >"$T/first.out" 2>&1 &
pid1=$!
exec 7>"$T/in"
on_exit "kill -9 $pid1 2>/dev/null"
for _ in $(seq 100); do
	grep -q 'Type the window' "$T/first.out" && break
	sleep 0.2
done
grep -q 'Type the window' "$T/first.out" || { cat "$T/first.out"; fail "the first drdeck did not reach its prompt"; }
cp "$CFG" "$T/other.json"
json_edit "$T/other.json" "c['state_dir'] = '$T/other'; c['journal'] = {'path': '$T/other/journal.jsonl'}"
set +e
"$DRDECK" --config "$T/other.json" failover --yes-to all </dev/null >"$OUT" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || fail "the second drdeck: exit $rc, expected 1"
grep -q "refused: the lock is held by .*pid $pid1" "$OUT" || fail "the refusal does not name the holder"
[ "$(state_of backup role)" = standby ] || fail "the refused drdeck changed the backup"
echo abort >&7
exec 7>&-
set +e
wait "$pid1"
rc=$?
set -e
[ "$rc" = 1 ] || fail "the first drdeck, aborted at its first prompt: exit $rc"
[ ! -e "$LABDIR/primary/state/lock.json" ] && [ ! -e "$LABDIR/backup/state/lock.json" ] ||
	fail "locks left behind"
ok "a second drdeck is refused by the lock and told who holds it"

# kill -9 at the promote prompt (the primary fenced already), then abort.
FLOW_KILL_AT='^\? Promote' FLOW_NO='dump it now' run_flow failover --yes-to $yes
[ "$RC" = 137 ] || fail "not killed at the promote prompt (exit $RC)"
[ "$(state_of primary fenced)" = true ] || fail "the primary was not fenced before the kill"
run_flow failover --yes-to all
[ "$RC" = 2 ] || fail "a new failover over an interrupted one: exit $RC, expected 2"
grep -q 'an interrupted failover .* --resume' "$OUT" || fail "not told about the interrupted flow"
run_flow failover --abort
[ "$RC" = 1 ] || fail "--abort: exit $RC"
grep -q 'Safe state: the primary serves' "$OUT" || fail "no safe-state step ran"
[ "$(state_of primary fenced)" = false ] || fail "the primary stays fenced after the abort"
[ "$(state_of backup role)" = standby ] || fail "backup role $(state_of backup role) after the abort"
[ "$(health primary)" = 200 ] || fail "the primary does not serve after the abort"
[ ! -e "$T/console/flow.json" ] || fail "the aborted flow is still in hand"
ok "kill -9 midway, --abort: the primary serves again, unfenced; the backup standby"

# A stale lock (its holder, on this machine, is gone) is taken over only
# with the typed word.
/usr/bin/python3 - "$LABDIR/primary/state/lock.json" <<-'PY'
	import json, os, socket, sys
	json.dump({"owner": "someone@" + socket.gethostname(), "pid": 4000000,
	           "machine": socket.gethostname(), "what": "backup",
	           "since": "2026-01-01T00:00:00Z"}, open(sys.argv[1], "w"))
	os.chmod(sys.argv[1], 0o600)
	PY

# While the promote prompt is up, someone moves the backup's epoch: the
# answer is not acted on; the step looks again and asks again.  Then
# kill -9 while the watch step runs, and resume.
e0=$(state_of backup epoch)
bump="/usr/bin/python3 -c \"import json; p='$LABDIR/backup/state/state.json'; s=json.load(open(p)); s['epoch'] += 1; json.dump(s, open(p, 'w'))\""
FLOW_BEFORE_AT='^\? Promote' FLOW_BEFORE_CMD="$bump" \
FLOW_KILL_AT='\] Watch the new primary' FLOW_NO='dump it now' run_flow failover --yes-to $yes
[ "$RC" = 137 ] || fail "not killed in the watch step (exit $RC)"
grep -q "The hosts changed since you were asked (backup epoch $e0 -> $((e0 + 1)))" "$OUT" ||
	fail "the promotion did not notice the epoch that moved under its prompt"
grep -q "epoch $((e0 + 1)) -> $((e0 + 2))" "$OUT" || fail "the promotion was not recomputed"
grep -q 'A stale lock: primary: someone@.*that process is gone' "$OUT" ||
	fail "the stale lock was not offered for takeover"
grep -q '\[type "takeover", or abort\]' "$OUT" || fail "the takeover was not a typed word"
e0=$((e0 + 1))
[ "$(state_of backup role)" = active ] || fail "the kill came before the promotion"
ok "an answer given on hosts that changed meanwhile is not acted on: asked again"
FLOW_NO='dump it now' run_flow failover --resume --yes-to $yes
[ "$RC" = 0 ] || fail "--resume: exit $RC"
grep -q 'already done before the interruption: exposure, fence, salvage, promote, serve, cutover, verify' "$OUT" ||
	fail "the resumed flow did not show the steps done before"
grep -q '"step":"watch".*"action":"confirm".*--yes-to' "$T/console/journal.jsonl" ||
	fail "the resumed flow did not ask to run the interrupted step again"
grep -q '\] Promote the backup' "$OUT" && fail "the resumed flow ran the promotion again"
[ "$(state_of backup epoch)" = $((e0 + 1)) ] || fail "backup epoch $(state_of backup epoch), expected $((e0 + 1))"
[ "$(front_health)" = 200 ] || fail "front /health"
ls "$T"/console/reports/failover-*.md >/dev/null || fail "no report after the resume"
ok "kill -9 while a step ran, --resume: the flow completed (epoch $((e0 + 1)))"
