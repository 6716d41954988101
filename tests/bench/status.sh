#!/bin/bash
# status.sh: a full status probe round of both lab hosts on warm sessions
# (bench_status: the poller's long-lived workers, sessions and database
# connections kept open, the round asked by poller_refresh, timed until
# both hosts published) against a shell script doing the same probes the
# runbook's way: one ssh, psql, curl or sha256sum process per probe,
# host after host.
#
#   drdeck: median of STATUS_BENCH_RUNS warm rounds (default 20)
#   baseline: median of STATUS_BENCH_BASE_RUNS rounds (default 3: one
#     takes tens of seconds)
#
#   storage: the summary of a folder of 100,000 files on the primary (the
#     round's one command, with only that folder configured), median of 3,
#     against find | wc -l and du run through ssh as two commands
#
# Prints rows:
#   BENCH<TAB>figure<TAB>drdeck<TAB>baseline<TAB>ratio<TAB>target
# (ratio = baseline / drdeck).  Needs the lab (DRDECK_LAB_NET /
# DRDECK_LAB_DIR); exit 77 when it is not up or bench_status is not built.
set -euo pipefail

SRC=${DRDECK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${DRDECK_BIN:-$SRC/build}
LAB=$SRC/tests/lab/lab
RUNS=${STATUS_BENCH_RUNS:-20}
BRUNS=${STATUS_BENCH_BASE_RUNS:-3}
BS=$BIN/tests/bench/bench_status
[ -x "$BS" ] || { echo "status.sh: no $BS (build first)" >&2; exit 77; }
"$LAB" status >/dev/null 2>&1 || { echo "status.sh: the lab is not up" >&2; exit 77; }
CFG=$("$LAB" config)
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/drdeck-bench-status.XXXXXX")
trap 'rm -rf "$TMPD"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v b="$1" -v d="$2" 'BEGIN { if (d > 0) printf "%.1f", b / d; else print "-" }'; }

# --- drdeck: warm rounds ---
"$BS" "$CFG" rounds "$RUNS" >"$TMPD/drdeck.ms"
d_ms=$(median <"$TMPD/drdeck.ms")
# what one command costs the hosts before it runs (their login shell)
"$BS" "$CFG" probes 5 >"$TMPD/probes.txt"
su_ms=$(awk -F'\t' '$2 == "(shell start-up)" { print $3 }' "$TMPD/probes.txt" | sort -g | tail -1)

# --- baseline: the runbook's way, from the same config ---
jq -r '.hosts[] | [.name, .address, (.ssh.port|tostring), .ssh.user,
    .ssh.identity, .ssh.known_hosts, .postgres.host,
    (.postgres.port|tostring), .postgres.dbname, .postgres.user,
    .postgres.passfile, .paths.dumps, .paths.state, .paths.env_file,
    (.paths.storage|join(":")), (.paths.compare|join(":")),
    ([.services[].status|join(" ")]|join(":")), .health.url] | @tsv' \
    "$CFG" >"$TMPD/hosts.tsv"

cat >"$TMPD/baseline.sh" <<'EOF'
#!/bin/bash
# One status round the runbook's way: a process per probe.
set -u
while IFS=$'\t' read -r name addr port user ident kh pghost pgport db \
    pguser passfile dumps state env storage compare services url; do
	S=(ssh -F /dev/null -i "$ident" -p "$port" -o IdentitiesOnly=yes
	    -o BatchMode=yes -o StrictHostKeyChecking=yes
	    -o UserKnownHostsFile="$kh" -o GlobalKnownHostsFile=/dev/null
	    "$user@$addr")
	P=(env PGPASSFILE="$passfile" psql -X -qAt -h "$pghost" -p "$pgport"
	    -U "$pguser" -d "$db")
	"${S[@]}" date +%s%3N                           # reach, clock
	"${S[@]}" cat "$state/state.json"               # role, epoch
	"${S[@]}" cat "$state/lock.json"                # lock
	"${P[@]}" -c 'SELECT 1'                         # db latency
	"${P[@]}" -c "SELECT current_setting('server_version_num'),
	    (SELECT count(*) FROM pg_stat_activity),
	    pg_database_size(current_database()), pg_is_in_recovery()"
	"${P[@]}" -c 'SELECT extname, extversion FROM pg_extension'
	"${P[@]}" -c 'SELECT max(stamped_at) FROM drdeck.stamp'
	"${S[@]}" ls -l --time-style=+%s "$dumps"       # dumps, sidecars
	"${S[@]}" df -B1 "$dumps"                       # disk
	IFS=: read -ra st <<<"$storage"
	for d in "${st[@]}"; do "${S[@]}" df -B1 "$d"; done
	"${S[@]}" sha256sum "$env"                      # .env
	IFS=: read -ra cf <<<"$compare"
	for f in "${cf[@]}"; do "${S[@]}" sha256sum "$f"; done
	for d in "${st[@]}"; do                         # storage
		"${S[@]}" "find '$d' -type f -printf '%s %T@\n' |
		    awk '{n++; b+=\$1; if (\$2>m) m=\$2} END {print n, b, m}'"
	done
	curl -s -o /dev/null -w '%{http_code}\n' -m 5 "$url"   # health
	IFS=: read -ra sv <<<"$services"
	for s in "${sv[@]}"; do "${S[@]}" "$s"; done    # services
done
EOF
: >"$TMPD/base.ms"
for i in $(seq "$BRUNS"); do
	t0=$(date +%s%3N)
	bash "$TMPD/baseline.sh" <"$TMPD/hosts.tsv" >"$TMPD/base.out" 2>&1 || true
	t1=$(date +%s%3N)
	echo $((t1 - t0)) >>"$TMPD/base.ms"
done
grep -q '^200$' "$TMPD/base.out" || { echo "status.sh: the baseline round did not work:" >&2; head "$TMPD/base.out" >&2; exit 1; }
b_ms=$(median <"$TMPD/base.ms")

# --- storage: 100,000 files ---
LABDIR=$(dirname "$CFG")
BULK=$LABDIR/primary/bench-100k
trap 'rm -rf "$TMPD" "$BULK"' EXIT
rm -rf "$BULK"
mkdir -p "$BULK"
(cd "$BULK" && seq -f 'f%06g' 1 100000 | xargs touch)
jq --arg d "$BULK" '.hosts[0].paths.storage = [$d] | .hosts[0].paths.compare = []
    | .hosts[0].services = []' "$CFG" >"$TMPD/bulk.json"
chmod 600 "$TMPD/bulk.json"
s_ms=$("$BS" "$TMPD/bulk.json" probes 3 | awk -F'\t' '$1 == "primary" && $2 == "(batch)" { print $3 }')
: >"$TMPD/sbase.ms"
for i in 1 2 3; do
	t0=$(date +%s%3N)
	"$LAB" ssh primary "find '$BULK' -type f | wc -l" >/dev/null
	"$LAB" ssh primary "du -sb '$BULK'" >/dev/null
	t1=$(date +%s%3N)
	echo $((t1 - t0)) >>"$TMPD/sbase.ms"
done
sb_ms=$(median <"$TMPD/sbase.ms")

printf 'BENCH\t%s\t%s\t%s\t%s\t%s\n' \
    "storage summary of 100,000 files on the host, ms (vs find|wc + du over ssh)" \
    "$s_ms" "$sb_ms" "$(ratio "$sb_ms" "$s_ms")" "< 2000" \
    "status probe round, both hosts, warm, median ms (vs a process per probe)" \
    "$d_ms" "$b_ms" "$(ratio "$b_ms" "$d_ms")" ">= 10x" \
    "status probe round, both hosts, warm, ms" "$d_ms" "-" "-" "< 250" \
    "of which: the hosts' login shell start-up per command, ms (median, worse host)" \
    "$su_ms" "-" "-" "-"
