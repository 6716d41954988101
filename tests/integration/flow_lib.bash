# flow_lib.bash: what the tests/integration/flow_*.sh scripts share.
# Sourced, never run: it is not a test of its own (ctest runs *.sh).
#
# Gives: $DRDECK, $LABDIR, $CFG (a copy of the lab's config: console
# state in a scratch folder, watch 6s, drill duration 5s; mode 0600),
# lab(), psql_at HOST SQL, health HOST, front_health, state_of HOST
# FIELD, normalize (the pair back to primary/standby, apps up, front on
# the primary, no locks), run_flow (drdeck answering its prompts the way
# an operator reads them), fail, ok.  Exits 77 when the lab is not up.
set -euo pipefail

SRC=${DRDECK_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${DRDECK_BIN:-$SRC/build}
LAB=$SRC/tests/lab/lab
DRDECK=$BIN/drdeck
NAME=$(basename "$0" .sh)
NET=${DRDECK_LAB_NET:-127.0.10}

lab() { "$LAB" "$@"; }

# Up means its servers run (a component a failed test left stopped is
# put right by normalize, not a reason to skip).
if ! { "$LAB" status 2>/dev/null || true; } | grep -q '^backup  *sshd .* up '; then
	echo "$NAME: the lab is not up (tests/lab/lab up): skipped"
	exit 77
fi
[ -x "$DRDECK" ] || { echo "$NAME: no $DRDECK (build first)"; exit 1; }

. "$(dirname "${BASH_SOURCE[0]}")/it_common.bash"
OUT=$T/out
FAIL_SHOW=$OUT
FAIL_SHOW_WHAT="last drdeck output"
FAIL_SHOW_LINES=60

json_edit() { # json_edit FILE 'PYTHON on c'
	/usr/bin/python3 - "$1" "$2" <<-'EOF'
		import json, sys
		p, code = sys.argv[1], sys.argv[2]
		c = json.load(open(p))
		exec(code)
		json.dump(c, open(p, "w"), indent=2)
	EOF
}

cp "$CFG0" "$CFG"
chmod 600 "$CFG"
json_edit "$CFG" "c['state_dir'] = '$T/console'; c['journal'] = {'path': '$T/console/journal.jsonl', 'max_size': '16MiB', 'keep': 2}; c['watch'] = '6s'; c['drill']['duration'] = '5s'"

psql_at() { # psql_at HOST SQL -> unaligned tuples
	"$LAB" psql "$1" -X -q -At -v ON_ERROR_STOP=1 -c "$2"
}
host_n() { case $1 in primary) echo 1 ;; backup) echo 2 ;; front) echo 3 ;; esac; }
health() { # health HOST -> the HTTP code of its /health
	curl -s -o /dev/null -m 5 -w '%{http_code}' \
		"http://$NET.$(host_n "$1"):8080/health" || true
}
front_health() { health front; }

state_of() { # state_of HOST FIELD -> role | epoch | fenced | data_time
	/usr/bin/python3 - "$LABDIR/$1/state/state.json" "$2" <<-'EOF'
		import json, sys
		try:
		    s = json.load(open(sys.argv[1]))
		except FileNotFoundError:
		    s = {}
		f = sys.argv[2]
		if f == "data_time":
		    print((s.get("last_restore") or {}).get("data_time") or "")
		elif f == "fenced":
		    print("true" if s.get("fenced") else "false")
		else:
		    print(s.get(f, ""))
	EOF
}

# The pair as the runbook runs it: primary serving, backup standby at the
# same epoch, front on the primary, no locks, apps up.
normalize() {
	local h e
	lab heal primary >/dev/null 2>&1 || true
	lab heal backup >/dev/null 2>&1 || true
	lab cutover primary >/dev/null
	e=$(state_of backup epoch)
	[ -n "$e" ] || e=0
	for h in primary backup; do
		rm -f "$LABDIR/$h/state/lock.json"
		/usr/bin/python3 - "$LABDIR/$h/state/state.json" "$h" "$e" <<-'EOF'
			import json, os, sys
			p, h, e = sys.argv[1], sys.argv[2], int(sys.argv[3])
			try:
			    s = json.load(open(p))
			except FileNotFoundError:
			    s = {"version": 1}
			s["role"] = "primary" if h == "primary" else "standby"
			s["epoch"] = e
			s["fenced"] = False
			json.dump(s, open(p + ".tmp", "w"), indent=1)
			os.chmod(p + ".tmp", 0o600)
			os.rename(p + ".tmp", p)
		EOF
		lab ssh "$h" "$LABDIR/$h/bin/app start; $LABDIR/$h/bin/web start" \
			>/dev/null 2>&1 || true
	done
	rm -f "$T/console/flow.json"
}

# Whatever happens, the next test finds the pair normal.
on_exit normalize

# forget_rows "ID, ...": the test's own rows gone from both hosts (a
# test may run again on the same lab).
forget_rows() {
	local h
	for h in primary backup; do
		psql_at "$h" "DELETE FROM customers WHERE id IN ($1)" >/dev/null
	done
}

# drdeck backup then restore: the backup holds the primary's data now.
sync_pair() {
	"$DRDECK" --config "$CFG" backup >"$OUT" 2>&1 || fail "drdeck backup"
	"$DRDECK" --config "$CFG" restore >"$OUT" 2>&1 || fail "drdeck restore"
}

# run_flow ARGS...: runs drdeck --config $CFG ARGS with its output in
# $OUT and its exit code in $RC, answering each prompt as an operator
# reading the screen: a typed word is the one the prompt names (its first
# choice; "retry" prompts are answered "abort"), y/n prompts "y".
#   FLOW_REFUSE="word ..."  answer "abort" where that word is asked
#   FLOW_NO="regex"         answer "n" to y/n prompts matching it
#   FLOW_NOTES="text"       the answer to the drill's notes prompt
#   FLOW_KILL_AT="regex"    kill -9 drdeck when an output line matches
#   FLOW_BEFORE_AT="regex" FLOW_BEFORE_CMD="cmd"
#                           run cmd once before answering the first
#                           prompt matching regex (someone else acts)
run_flow() {
	local line w r prompt="" killed=0 before_done=
	: >"$OUT"
	set +e
	coproc DD { exec "$DRDECK" --config "$CFG" "$@" 2>&1; }
	local pid=$DD_PID out in
	# Our own copies: bash closes DD's when the process ends.
	exec {out}<&"${DD[0]}" {in}>&"${DD[1]}"
	while IFS= read -r line <&"$out"; do
		printf '%s\n' "$line" >>"$OUT"
		if [ -n "${FLOW_KILL_AT:-}" ] && [[ $line =~ $FLOW_KILL_AT ]]; then
			kill -9 "$pid"
			killed=1
			break
		fi
		case $line in
		'? '*) prompt=$line; continue ;;
		esac
		case $line in
		*'[type "'*|*'[y/n/abort]'*) ;;
		*) continue ;;
		esac
		if [ -n "${FLOW_BEFORE_AT:-}" ] && [[ $prompt =~ $FLOW_BEFORE_AT ]] &&
		    [ -z "$before_done" ]; then
			eval "$FLOW_BEFORE_CMD"
			before_done=1
		fi
		case $line in
		*'[type "'*)
			w=${line#*\[type \"}
			w=${w%%\"*}
			[ "$w" = retry ] && w=abort
			for r in ${FLOW_REFUSE:-}; do
				[ "$w" = "$r" ] && w=abort
			done
			;;
		*)
			w=y
			if [[ $prompt == *"Notes for the drill"* ]]; then
				w=${FLOW_NOTES:-}
			elif [ -n "${FLOW_NO:-}" ] && [[ $prompt =~ $FLOW_NO ]]; then
				w=n
			fi
			;;
		esac
		printf '%s\n' "$w" >&"$in"
	done
	exec {in}>&- {out}<&-
	{ wait "$pid"; } 2>/dev/null
	RC=$?
	set -e
	[ $killed = 1 ] && RC=137
	return 0
}

# The HH:MM (this machine's zone) of an ISO time, as drdeck shows it.
hhmm_of() {
	date -d "$1" +%H:%M
}
