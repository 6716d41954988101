#!/bin/bash
# status_lab.sh: `drdeck status` against the lab's real hosts.
#
#   healthy lab -> every fact ok, exit 0; the JSON checked against the
#     schema in docs/status-json.md; the Nagios line parsed back; the
#     .prom file checked; --alert records without alerting
#   fault primary health -> health crit on the primary only; --alert
#     alerts once, then not again, then once on recovery
#   a changed .env on the backup -> pair .env crit (and the backup's
#     .env warns: changed since drdeck last saw it)
#   an extension dropped on the backup -> crit, naming it
#   a last restore older than the RPO -> exposure crit
#   diskfull on the primary -> disk warn or crit
#   both state files active -> split brain crit, with the epochs
#   fault backup hang -> the backup's facts unknown, the primary's fresh,
#     and status returns within the round deadline + 1 s
#
# Uses the lab named by DRDECK_LAB_NET / DRDECK_LAB_DIR; exit 77 when it
# is not up.  Leaves the lab healed.
set -u

SRC=${DRDECK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${DRDECK_BIN:-$SRC/build}
LAB=$SRC/tests/lab/lab
DRV=$BIN/tests/integration/drv_status

"$LAB" status >/dev/null 2>&1 || { echo "lab not up: skipped"; exit 77; }
CFG=$("$LAB" config)
LABDIR=$(dirname "$CFG")
DRDECK=("$BIN/drdeck" --config "$CFG")
TMP=$(mktemp -d /tmp/drdeck-status-it.XXXXXX)
FAILS=0
ENV_B=$LABDIR/backup/backend/.env

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }

cleanup() {
	"$LAB" heal primary >/dev/null 2>&1
	"$LAB" heal backup >/dev/null 2>&1
	[ -f "$TMP/env.orig" ] && cp "$TMP/env.orig" "$ENV_B"
	[ -n "${DROPPED:-}" ] && "$LAB" psql backup -qc \
	    "CREATE EXTENSION IF NOT EXISTS $DROPPED" >/dev/null 2>&1
	[ -n "${STAMP_ORIG:-}" ] && "$LAB" psql backup -qc \
	    "UPDATE drdeck.stamp SET stamped_at = '$STAMP_ORIG'" >/dev/null 2>&1
	"$DRV" "$CFG" state primary primary 0 >/dev/null 2>&1
	"$DRV" "$CFG" state backup standby 0 600 "${DUMP:-}" >/dev/null 2>&1
	# drdeck saw the test's .env change: forget it, or it warns for 24 h
	rm -f "$(jq -r .state_dir "$CFG")"/seen-env-* 2>/dev/null
	for h in primary backup; do
		[ -d "$TMP/aside/$h" ] && mv "$TMP/aside/$h"/* "$TMP/aside/$h"/.[!.]* \
		    "$LABDIR/$h/dumps/" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

# status --json into $TMP/s.json; RC and MS set.
status_json() {
	local t0 t1
	t0=$(date +%s%3N)
	"${DRDECK[@]}" status --json >"$TMP/s.json" 2>"$TMP/s.err"
	RC=$?
	t1=$(date +%s%3N)
	MS=$((t1 - t0))
}
# level of a fact: lv HOST KEY (HOST "pair" for pair facts)
lv() {
	if [ "$1" = pair ]; then
		jq -r --arg k "$2" '.pair_facts[] | select(.key == $k) | .level' "$TMP/s.json"
	else
		jq -r --arg h "$1" --arg k "$2" \
		    '.hosts[] | select(.name == $h) | .facts[] | select(.key == $k) | .level' "$TMP/s.json"
	fi
}
field() {
	jq -r --arg h "$1" --arg k "$2" --arg f "$3" \
	    '(if $h == "pair" then .pair_facts else (.hosts[] | select(.name == $h) | .facts) end)[] | select(.key == $k) | .[$f]' "$TMP/s.json"
}
expect_level() {	# HOST KEY WANT... (any of)
	local h=$1 k=$2 got
	shift 2
	got=$(lv "$h" "$k")
	for w in "$@"; do
		[ "$got" = "$w" ] && { pass "$h $k is $got"; return 0; }
	done
	fail "$h $k is '${got:-missing}', expected $*: $(field "$h" "$k" value) / $(field "$h" "$k" detail)"
	return 1
}

# The schema block of docs/status-json.md, checked with jq.
schema_check() {
	sed -n '/^```json schema$/,/^```$/p' "$SRC/docs/status-json.md" |
	    sed '1d;$d' >"$TMP/schema.json"
	jq -e --slurpfile S "$TMP/schema.json" '
	  $S[0] as $s
	  | def ok($v; $t):
	      if $t == "string" then ($v | type) == "string"
	      elif $t == "null" then $v == null
	      elif $t == "boolean" then ($v | type) == "boolean"
	      elif $t == "number" then ($v | type) == "number"
	      elif $t == "integer" then ($v | type) == "number" and ($v | floor) == $v
	      elif $t == "level" then ($v | type) == "string" and ($s.level | index($v)) != null
	      elif ($t | startswith("array:")) then
	        ($v | type) == "array" and all($v[]; ok(.; "obj:" + $t[6:]))
	      elif ($t | startswith("obj:")) then
	        ($v | type) == "object" and
	        all($s[$t[4:]] | to_entries[]; .key as $k | .value as $ts
	            | ($v | has($k)) and any($ts[]; . as $tt | ok($v[$k]; $tt)))
	      else false end;
	  ok(.; "obj:top") and .schema == $s.const.schema and .version == $s.const.version
	' "$TMP/s.json" >/dev/null
}

# ------------------------------------------------------------ healthy
"$LAB" heal primary >/dev/null 2>&1
"$LAB" heal backup >/dev/null 2>&1
cp "$ENV_B" "$TMP/env.orig"
# A dump of now, shipped, and a recent restore on the backup.
if ! "${DRDECK[@]}" backup >"$TMP/backup.log" 2>&1; then
	cat "$TMP/backup.log"
	fail "drdeck backup failed: the healthy state cannot be made"
fi
DUMP=$(ls -1 "$LABDIR/primary/dumps" | grep -E '^rabspocdb_.*\.dump$' | sort | tail -1)
# A lab that has been up for hours has older dumps and slots nobody
# filled: set them aside (put back at the end) so that the folders hold
# just this dump and the round judges a healthy pair.
for h in primary backup; do
	mkdir -p "$TMP/aside/$h"
	for f in "$LABDIR/$h/dumps"/* "$LABDIR/$h/dumps"/.[!.]*; do
		[ -e "$f" ] || continue
		case $(basename "$f") in "$DUMP"*) continue ;; esac
		mv "$f" "$TMP/aside/$h/"
	done
done
"$DRV" "$CFG" state primary primary 0 || fail "drv_status state primary"
"$DRV" "$CFG" state backup standby 0 600 "$DUMP" || fail "drv_status state backup"
# The backup's database may carry a stamp from an earlier restore.
STAMP_ORIG=$("$LAB" psql backup -qAtc \
    "SELECT stamped_at FROM drdeck.stamp ORDER BY stamped_at DESC LIMIT 1" 2>/dev/null || true)
if [ -n "$STAMP_ORIG" ]; then
	"$LAB" psql backup -qc "UPDATE drdeck.stamp SET stamped_at = now() - interval '10 minutes'" >/dev/null
fi
# drdeck's own memory of the .env hashes: start from what is there now
rm -f "$(jq -r .state_dir "$CFG")"/seen-env-* "$(jq -r .state_dir "$CFG")"/status-alert.json

status_json
if [ "$RC" = 0 ]; then pass "healthy: exit 0 in $MS ms"; else
	fail "healthy: exit $RC; not ok:"
	jq -r '(.hosts[] | .name as $h | .facts[] | select(.level != "ok") | "  \($h) \(.key) \(.level): \(.value) / \(.detail)"), (.pair_facts[] | select(.level != "ok") | "  pair \(.key) \(.level): \(.value) / \(.detail)")' "$TMP/s.json"
fi
n=$(jq '[.hosts[].facts[]] | length' "$TMP/s.json")
[ "$n" -ge 40 ] && pass "healthy: $n facts" || fail "healthy: only $n facts"
for h in primary backup; do
	for k in reach.rtt db.latency db.ext.citext db.ext.pgcrypto env.sha256 health.http disk.dumps dumps.latest role; do
		expect_level $h $k ok >/dev/null || true
	done
done
expect_level backup rpo.exposure ok
expect_level pair pair.split_brain ok
expect_level pair pair.env ok
if schema_check; then pass "JSON matches docs/status-json.md"; else fail "JSON does not match the schema"; fi

# Color only on a terminal, and not with NO_COLOR
esc=$'\033['
c_tty=$(script -qc "$(printf '%q ' "${DRDECK[@]}") status" /dev/null 2>/dev/null | grep -cF "$esc")
c_nc=$(NO_COLOR=1 script -qc "$(printf '%q ' "${DRDECK[@]}") status" /dev/null 2>/dev/null | grep -cF "$esc")
c_pipe=$("${DRDECK[@]}" status 2>/dev/null | grep -cF "$esc")
[ "$c_tty" -gt 0 ] && [ "$c_nc" = 0 ] && [ "$c_pipe" = 0 ] &&
    pass "color: tty $c_tty lines, NO_COLOR 0, pipe 0" ||
    fail "color: tty $c_tty, NO_COLOR $c_nc, pipe $c_pipe"

# Nagios, parsed back
"${DRDECK[@]}" status --nagios >"$TMP/n.txt" 2>/dev/null
NRC=$?
perl -e '
	my $l = <STDIN>; chomp $l;
	defined(<STDIN>) and die "more than one line\n";
	my ($text, $perf) = split /\|/, $l, 2;
	defined $perf or die "no perfdata\n";
	$perf =~ /\|/ and die "two pipes\n";
	$text =~ /^DRDECK (OK|WARNING|CRITICAL|UNKNOWN) - ./ or die "bad status: $text\n";
	my $n = 0;
	while ($perf =~ /\G\s*(\x27(?:[^\x27]|\x27\x27)+\x27)=(-?[0-9.]+)(s|ms|us|%|B|KB|MB|GB|TB|c)?((?:;[-0-9.]*){0,4})(?=\s|$)/gc) { $n++ }
	pos($perf) == length($perf) or $perf =~ /\G\s*$/gc or die "unparsed perfdata at: " . substr($perf, pos($perf) // 0, 60) . "\n";
	$n >= 10 or die "only $n perfdata items\n";
	print "$1 $n\n" if $text =~ /^DRDECK (\w+)/;
' <"$TMP/n.txt" >"$TMP/n.parsed" 2>&1 &&
    grep -q '^OK ' "$TMP/n.parsed" && [ "$NRC" = 0 ] &&
    pass "nagios: $(cat "$TMP/n.parsed") perfdata items, exit $NRC" ||
    fail "nagios: $(cat "$TMP/n.parsed") exit $NRC: $(cut -c1-200 "$TMP/n.txt")"

# Prometheus textfile: written, no timestamps, drdeck_* only
"${DRDECK[@]}" status --prom "$TMP/drdeck.prom" >"$TMP/p.out" 2>"$TMP/p.err"
if [ -s "$TMP/drdeck.prom" ] && [ ! -s "$TMP/p.out" ] &&
    ! grep -vE '^(# (HELP|TYPE) drdeck_[a-z_]+ .*|drdeck_[a-z_]+(\{[^}]*\})? -?[0-9.e+]+)$' "$TMP/drdeck.prom" &&
    grep -q '^drdeck_level 0$' "$TMP/drdeck.prom" &&
    [ ! -e "$TMP/drdeck.prom.tmp" ]; then
	pass "prom: $(grep -vc '^#' "$TMP/drdeck.prom") samples"
else
	fail "prom file: $(head -c 300 "$TMP/drdeck.prom" 2>/dev/null) stdout: $(cat "$TMP/p.out")"
fi

# --alert: a healthy first run records, sends nothing
ALOG=$LABDIR/alerts.log
touch "$ALOG"
a0=$(grep -c '^===' "$ALOG")
"${DRDECK[@]}" status --alert >/dev/null 2>&1
[ "$(grep -c '^===' "$ALOG")" = "$a0" ] && pass "alert: nothing sent when ok" ||
    fail "alert: sent while ok"

# ------------------------------------------------------------ health fault
"$LAB" fault primary health >/dev/null
status_json
expect_level primary health.http crit
expect_level backup health.http ok
[ "$RC" = 2 ] && pass "health fault: exit 2" || fail "health fault: exit $RC"
"${DRDECK[@]}" status --alert >/dev/null 2>&1
"${DRDECK[@]}" status --alert >/dev/null 2>&1
a1=$(grep -c '^===' "$ALOG")
[ "$a1" = $((a0 + 1)) ] && pass "alert: one alert for the change" ||
    fail "alert: $((a1 - a0)) alerts for one change"
grep -q 'health' "$ALOG" && pass "alert names the health fact" || fail "alert text lacks the fact"
"$LAB" heal primary >/dev/null
"${DRDECK[@]}" status --alert >/dev/null 2>&1
a2=$(grep -c '^===' "$ALOG")
[ "$a2" = $((a1 + 1)) ] && tail -n +1 "$ALOG" | grep -q RECOVERED &&
    pass "alert: recovery sent once" || fail "alert: recovery ($((a2 - a1)) alerts)"

# ------------------------------------------------------------ .env changed
echo "LAB_STATUS_TEST=1" >>"$ENV_B"
status_json
expect_level pair pair.env crit
expect_level backup env.sha256 warn
expect_level primary env.sha256 ok
cp "$TMP/env.orig" "$ENV_B"

# ------------------------------------------------------------ extension
DROPPED=
for x in pgcrypto citext; do
	if "$LAB" psql backup -qc "DROP EXTENSION $x" >/dev/null 2>&1; then
		DROPPED=$x
		break
	fi
done
if [ -z "$DROPPED" ]; then
	fail "no extension could be dropped on the backup (dependencies)"
else
	status_json
	expect_level backup "db.ext.$DROPPED" crit
	expect_level primary "db.ext.$DROPPED" ok
	field backup "db.ext.$DROPPED" value | grep -q "$DROPPED not installed" &&
	    pass "the fact names $DROPPED" || fail "the fact does not name $DROPPED"
	"$LAB" psql backup -qc "CREATE EXTENSION $DROPPED" >/dev/null
	DROPPED=
fi

# ------------------------------------------------------------ old restore
"$DRV" "$CFG" state backup standby 0 $((4 * 3600)) "$DUMP"
if [ -n "$STAMP_ORIG" ]; then
	"$LAB" psql backup -qc "UPDATE drdeck.stamp SET stamped_at = now() - interval '4 hours'" >/dev/null
fi
status_json
expect_level backup rpo.exposure crit
field backup rpo.exposure value | grep -q '^4h' && pass "exposure reads 4h" ||
    fail "exposure reads $(field backup rpo.exposure value)"
"$DRV" "$CFG" state backup standby 0 600 "$DUMP"
if [ -n "$STAMP_ORIG" ]; then
	"$LAB" psql backup -qc "UPDATE drdeck.stamp SET stamped_at = now() - interval '10 minutes'" >/dev/null
fi

# ------------------------------------------------------------ diskfull
"$LAB" fault primary diskfull >/dev/null
status_json
expect_level primary disk.dumps warn crit
expect_level backup disk.dumps ok
"$LAB" heal primary >/dev/null

# ------------------------------------------------------------ split brain
"$DRV" "$CFG" state primary active 3
"$DRV" "$CFG" state backup active 4 600 "$DUMP"
status_json
expect_level pair pair.split_brain crit
d=$(field pair pair.split_brain detail)
echo "$d" | grep -q 'epoch 3' && echo "$d" | grep -q 'epoch 4' &&
    pass "split brain names both epochs" || fail "split brain detail: $d"
"$DRV" "$CFG" state primary primary 0
"$DRV" "$CFG" state backup standby 0 600 "$DUMP"

# ------------------------------------------------------------ tunnels
# The database and the health URL through the hosts' SSH tunnels.
jq '.hosts |= map(.postgres.tunnel = true | .health.tunnel = true)' "$CFG" >"$TMP/tunnel.json"
chmod 600 "$TMP/tunnel.json"
"$BIN/drdeck" --config "$TMP/tunnel.json" status --json >"$TMP/s.json" 2>/dev/null
for h in primary backup; do
	expect_level $h db.latency ok
	expect_level $h health.http ok
done
field primary db.latency detail | grep -q '^tunnel ' && pass "db through the tunnel" ||
    fail "db not through the tunnel: $(field primary db.latency detail)"

# ------------------------------------------------------------ hang
TIMEOUT_S=$(jq -r '.probe_timeout // "5s"' "$CFG" | sed 's/s$//')
BUDGET_MS=$((2 * TIMEOUT_S * 1000))
"$LAB" fault backup hang >/dev/null
status_json
"$LAB" heal backup >/dev/null
[ "$MS" -le $((BUDGET_MS + 1000)) ] &&
    pass "hang: returned in $MS ms (deadline $BUDGET_MS ms + 1 s)" ||
    fail "hang: took $MS ms (deadline $BUDGET_MS ms + 1 s)"
nb=$(jq '[.hosts[] | select(.name == "backup") | .facts[]] | length' "$TMP/s.json")
nbu=$(jq '[.hosts[] | select(.name == "backup") | .facts[] | select(.level == "unknown")] | length' "$TMP/s.json")
[ "$nb" -gt 0 ] && [ "$nb" = "$nbu" ] && pass "hang: all $nb backup facts unknown" ||
    fail "hang: $nbu of $nb backup facts unknown"
np=$(jq '[.hosts[] | select(.name == "primary") | .facts[] | select(.level == "unknown")] | length' "$TMP/s.json")
[ "$np" = 0 ] && pass "hang: the primary's facts are known" ||
    fail "hang: $np primary facts unknown"
expect_level primary db.latency ok
[ "$RC" != 0 ] && pass "hang: exit $RC" || fail "hang: exit 0"

echo "status_lab: $FAILS failure(s)"
[ "$FAILS" = 0 ]
