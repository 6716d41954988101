#!/bin/bash
# jobs.sh: drdeck backup + restore against the runbook's procedure
# (§3, §10: pg_dump -Fc, scp, stop the app, pg_restore --clean --if-exists
# with one job, start the app) on the lab database grown to about 1 GB
# (BENCH_MB, default 1024) by a scale step of its own.  Each side runs
# where the runbook runs it: the backup on the primary, the restore on
# the backup (drdeck with transport local there, as its scheduler does).
#
# Prints each phase, the app's downtime during the restore, and rows
#   BENCH<TAB>figure<TAB>drdeck<TAB>baseline<TAB>ratio<TAB>target
# Targets: total time <= 1.0x the runbook's; app downtime <= 0.1x.
# Needs the lab up (tests/lab/lab up); exits 77 otherwise.  Leaves the lab
# as it found it: the scale table is dropped and the big dumps removed.
set -euo pipefail

SRC=${DRDECK_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${DRDECK_BIN:-$SRC/build}
LAB=$SRC/tests/lab/lab
DRDECK=$BIN/drdeck
MB=${BENCH_MB:-1024}
PGBIN=/usr/lib/postgresql/15/bin
NET=${DRDECK_LAB_NET:-127.0.10}

lab() { "$LAB" "$@"; }
if ! lab status >/dev/null 2>&1; then
	echo "jobs bench: the lab is not up: skipped"
	exit 77
fi
CFG0=$(lab config)
LABDIR=$(dirname "$CFG0")
T=$(mktemp -d /tmp/drdeck-bench-jobs.XXXXXX)
BASE=

cleanup() {
	set +e
	lab psql primary -d rabspocdb -X -q -c "DROP TABLE IF EXISTS bench_payload" >/dev/null 2>&1
	lab psql backup -d rabspocdb -X -q -c "DROP TABLE IF EXISTS bench_payload" >/dev/null 2>&1
	lab psql backup -d postgres -X -q -c "DROP DATABASE IF EXISTS rabspocdb_prev WITH (FORCE)" >/dev/null 2>&1
	lab psql backup -d postgres -X -q -c "DROP DATABASE IF EXISTS rabspocdb_staging WITH (FORCE)" >/dev/null 2>&1
	if [ -n "$BASE" ]; then rm -f "$LABDIR/primary/dumps/$BASE" "$LABDIR/backup/dumps/$BASE"; fi
	if [ -n "${DNAME:-}" ]; then
		for h in primary backup; do
			rm -f "$LABDIR/$h/dumps/$DNAME" "$LABDIR/$h/dumps/$DNAME.sha256" \
				"$LABDIR/$h/dumps/$DNAME.roles.sql"
		done
	fi
	lab service backup app start >/dev/null 2>&1
	lab service backup web start >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
sec() { awk -v m="$1" 'BEGIN { printf "%.1f", m / 1000 }'; }

# Two configs: the primary as this machine (for the backup), the backup
# as this machine (for the restore); the lab's hosts are on this machine.
mkcfg() { # mkcfg OUT LOCAL_INDEX
	python3 - "$CFG0" "$1" "$2" "$T" <<-'EOF'
		import json, sys
		c = json.load(open(sys.argv[1]))
		i = int(sys.argv[3])
		c["hosts"][i]["transport"] = "local"
		c["hosts"][i]["address"] = ""
		c["state_dir"] = sys.argv[4] + "/console"
		c["journal"] = {"path": sys.argv[4] + "/console/journal.jsonl",
		                "max_size": "16MiB", "keep": 2}
		json.dump(c, open(sys.argv[2], "w"), indent=2)
	EOF
	chmod 600 "$1"
}
mkcfg "$T/on-primary.json" 0
mkcfg "$T/on-backup.json" 1

export PGPASSFILE=$LABDIR/client/pgpass
P="-h $NET.1 -p 5432 -U postgres -w"
B="-h $NET.2 -p 5432 -U postgres -w"

echo "jobs bench: growing rabspocdb on the primary by about $MB MB"
rows=$((MB * 1024 * 1024 / 230))
t0=$(now)
lab psql primary -d rabspocdb -X -q -v ON_ERROR_STOP=1 <<-EOF
	DROP TABLE IF EXISTS bench_payload;
	CREATE TABLE bench_payload (id bigint PRIMARY KEY, k int NOT NULL,
	    a text NOT NULL, b text NOT NULL, at timestamptz NOT NULL);
	INSERT INTO bench_payload
	  SELECT i, ((i * 7919) % 100000)::int, m || reverse(m),
	         repeat(chr((65 + i % 26)::int), 60) || m || repeat('x', 40),
	         now() - (i || ' s')::interval
	  FROM generate_series(1::bigint, $rows) i, LATERAL (SELECT md5(i::text) AS m) x;
	CREATE INDEX bench_payload_k ON bench_payload (k);
	-- settled: hint bits set and frozen, so that the first reader does
	-- not pay for writing them
	VACUUM (FREEZE, ANALYZE) bench_payload;
	CHECKPOINT;
EOF
size=$(lab psql primary -d rabspocdb -X -At -c "SELECT pg_database_size('rabspocdb')")
echo "jobs bench: rabspocdb is $((size / 1024 / 1024)) MB ($rows rows added) in $(sec "$(ms "$t0" "$(now)")") s"

# settle: wait until no autovacuum works on either cluster (a restore
# leaves one behind on its new tables), then a checkpoint, so that one
# side does not pay for the other's aftermath.
settle() {
	local h n
	for h in primary backup; do
		for n in $(seq 1 600); do
			[ "$(lab psql $h -d postgres -X -At -c "SELECT count(*) FROM
				pg_stat_activity WHERE backend_type = 'autovacuum worker'")" = 0 ] && break
			sleep 0.5
		done
		lab psql $h -d postgres -X -q -c CHECKPOINT >/dev/null
	done
}

# ---- the runbook: on the primary pg_dump + scp, on the backup stop,
# pg_restore --clean --if-exists (one job), start.
BASE=rabspocdb_runbook_$(date +%Y-%m-%d_%H-%M).dump
settle
t0=$(now)
$PGBIN/pg_dump $P -F c -d rabspocdb -f "$LABDIR/primary/dumps/$BASE"
t1=$(now)
scp -q -P 2222 -i "$LABDIR/client/id_ed25519" -o BatchMode=yes \
	-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$LABDIR/client/known_hosts" \
	"$LABDIR/primary/dumps/$BASE" "root@$NET.2:$LABDIR/backup/dumps/$BASE"
t1s=$(now)
settle
t2=$(now)
"$LABDIR/backup/bin/app" stop >/dev/null
"$LABDIR/backup/bin/web" stop >/dev/null
t3=$(now)
$PGBIN/pg_restore $B -d rabspocdb --clean --if-exists "$LABDIR/backup/dumps/$BASE" \
	2>"$T/runbook-restore.err" || echo "jobs bench: the runbook's pg_restore exited $? ($(wc -l <"$T/runbook-restore.err") lines on stderr)"
t4=$(now)
"$LABDIR/backup/bin/app" start >/dev/null
"$LABDIR/backup/bin/web" start >/dev/null
t5=$(now)
b_dump=$(ms "$t0" "$t1")
b_ship=$(ms "$t1" "$t1s")
b_restore=$(ms "$t3" "$t4")
b_down=$(ms "$t2" "$t5")
b_backup=$((b_dump + b_ship))
b_restore_all=$(ms "$t2" "$t5")
echo "jobs bench: runbook phases"
echo "  pg_dump -Fc                 $(sec "$b_dump") s"
echo "  scp                         $(sec "$b_ship") s"
echo "  stop app                    $(sec "$(ms "$t2" "$t3")") s"
echo "  pg_restore --clean -j 1     $(sec "$b_restore") s"
echo "  start app                   $(sec "$(ms "$t4" "$t5")") s"

# ---- drdeck: backup on the primary, restore on the backup
settle
t0=$(now)
"$DRDECK" --config "$T/on-primary.json" backup >"$T/backup.out" 2>&1 ||
	{ cat "$T/backup.out"; echo "jobs bench: drdeck backup failed"; exit 1; }
tb=$(now)
settle
t1=$(now)
"$DRDECK" --config "$T/on-backup.json" restore --latest >"$T/restore.out" 2>&1 ||
	{ cat "$T/restore.out"; echo "jobs bench: drdeck restore failed"; exit 1; }
t2=$(now)
DNAME=$(grep -o 'rabspocdb_[0-9-]*_[0-9-]*\.dump' "$T/backup.out" | head -n1)
d_backup=$(ms "$t0" "$tb")
d_restore=$(ms "$t1" "$t2")
d_down=$(grep -o 'app down for [0-9]* ms' "$T/restore.out" | grep -o '[0-9]*')
echo "jobs bench: drdeck phases"
grep -E '^[0-9:]+ [a-z0-9]+ +(ok|FAIL) ' "$T/backup.out" "$T/restore.out" |
	sed 's/^[^:]*\.out:/  /'

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
row() { printf 'BENCH\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(ratio "$4" "$5")" "$6"; }
d_total=$((d_backup + d_restore))
b_total=$((b_backup + b_restore_all))
echo
row "jobs: backup + ship, s ($((size / 1024 / 1024)) MB db)" "$(sec "$d_backup")" "$(sec "$b_backup")" "$d_backup" "$b_backup" "-"
row "jobs: restore, s" "$(sec "$d_restore")" "$(sec "$b_restore_all")" "$d_restore" "$b_restore_all" "-"
row "jobs: total, s" "$(sec "$d_total")" "$(sec "$b_total")" "$d_total" "$b_total" "<= 1.0"
row "jobs: app downtime in the restore, s" "$(sec "$d_down")" "$(sec "$b_down")" "$d_down" "$b_down" "<= 0.1"
