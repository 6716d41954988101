#!/bin/bash
# core.sh: the dump catalog and the journal tail on big inputs, against
# the shell commands an operator would use for the same answer.
#
#   - the latest dump in a folder of 10,000 dump names (3-hourly, about
#     3.4 years, a .sha256 sidecar for every tenth): bench_catalog (list
#     with sizes and mtimes, as a transport does, + catalog + latest; the
#     catalog alone on the listing in memory; then also slots and
#     retention) against `ls | sort | tail -1` in that folder (which reads
#     names only: no stat);
#   - the last 50 events of a 1,000,000-line journal: bench_journal
#     (journal_tail, reading backwards) against `tail -n 50`; and the same
#     on a 1,000-line journal, to show the cost does not grow with the file.
#
# The data is made in a temp folder and removed after.  Every figure is the
# median of RUNS (default 5) runs in this same run.  Prints rows:
#   BENCH<TAB>figure<TAB>drdeck<TAB>baseline<TAB>ratio<TAB>target
# (ratio = baseline / drdeck: how many times faster drdeck is).  Needs no
# lab.  Exit 77 when the bench programs are not built.
set -euo pipefail

SRC=${DRDECK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${DRDECK_BIN:-$SRC/build}
RUNS=${CORE_BENCH_RUNS:-5}
BC=$BIN/tests/bench/bench_catalog
BJ=$BIN/tests/bench/bench_journal
for p in "$BC" "$BJ"; do
	[ -x "$p" ] || { echo "core.sh: no $p (build first)" >&2; exit 77; }
done
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/drdeck-bench-core.XXXXXX")
trap 'rm -rf "$TMPD"' EXIT

# --- data ---
mkdir "$TMPD/dumps"
python3 - "$TMPD/dumps" <<'EOF'
import os, sys, datetime
d = sys.argv[1]
t = datetime.datetime(2023, 6, 1, 0, 0)
for i in range(10000):
    name = "rabspocdb_%s.dump" % t.strftime("%Y-%m-%d_%H-%M")
    open(os.path.join(d, name), "w").close()
    if i % 10 == 0:
        open(os.path.join(d, name + ".sha256"), "w").close()
    t += datetime.timedelta(hours=3)
EOF
python3 - "$TMPD/journal.jsonl" 1000000 <<'EOF'
import sys, datetime
path, n = sys.argv[1], int(sys.argv[2])
t = datetime.datetime(2026, 1, 1)
kinds = ["job", "step", "probe", "alert", "note"]
with open(path, "w") as f:
    for i in range(n):
        ts = (t + datetime.timedelta(seconds=i * 10)).strftime(
            "%Y-%m-%dT%H:%M:%S.000Z")
        f.write('{"ts":"%s","host":"%s","actor":"ops@deck","kind":"%s",'
                '"workflow":"wf-%d","step":"s%d","action":"probe.db",'
                '"rc":%d,"duration_ms":%d,"message":"round %d: '
                'SELECT 1 took %d ms"}\n' % (ts, "primary" if i % 2 else
                "backup", kinds[i % 5], i // 1000, i % 7, i % 3, i % 997,
                i, i % 50))
EOF
tail -n 1000 "$TMPD/journal.jsonl" >"$TMPD/small.jsonl"

now_ns() { date +%s%N; }
# Median ms of RUNS runs of a shell command.
median_ms() {
	local i t0 t1 all=()
	for ((i = 0; i < RUNS; i++)); do
		t0=$(now_ns)
		eval "$1" >/dev/null
		t1=$(now_ns)
		all+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e6}')")
	done
	printf '%s\n' "${all[@]}" | sort -g | sed -n "$((RUNS / 2 + 1))p"
}
val() { awk -F'\t' -v k="$1" '$1 == k {print $2}'; }
ratio() { awk -v b="$1" -v d="$2" 'BEGIN { if (d > 0) printf "%.1f", b / d; else print "-" }'; }

# --- catalog ---
out=$("$BC" "$TMPD/dumps" rabspocdb "$RUNS")
c_ms=$(echo "$out" | val ms)
c_full=$(echo "$out" | val full_ms)
c_build=$(echo "$out" | val build_ms)
c_latest=$(echo "$out" | val latest)
b_latest=$(cd "$TMPD/dumps" && ls | sort | tail -1)
b_ms=$(median_ms "cd '$TMPD/dumps' && ls | sort | tail -1")
# The shell's answer counts the sidecars; the newest dump is the same.
if [ "$c_latest" != "${b_latest%.sha256}" ] && [ "$c_latest" != "$b_latest" ]; then
	echo "core.sh: latest differs: drdeck $c_latest, shell $b_latest" >&2
	exit 1
fi

# --- journal ---
j_big=$("$BJ" "$TMPD/journal.jsonl" 50 "$RUNS")
j_small=$("$BJ" "$TMPD/small.jsonl" 50 "$RUNS")
[ "$(echo "$j_big" | val events)" = 50 ] || { echo "core.sh: tail gave $(echo "$j_big" | val events) events" >&2; exit 1; }
jb_ms=$(echo "$j_big" | val ms)
js_ms=$(echo "$j_small" | val ms)
tb_ms=$(median_ms "tail -n 50 '$TMPD/journal.jsonl'")
ts_ms=$(median_ms "tail -n 50 '$TMPD/small.jsonl'")

printf 'BENCH\t%s\t%s\t%s\t%s\t%s\n' \
    "latest of 10,000 dumps: list+stat+catalog, ms (vs ls|sort|tail -1)" \
    "$c_ms" "$b_ms" "$(ratio "$b_ms" "$c_ms")" "< 250" \
    "latest of 10,000 dumps: catalog alone, ms (vs ls|sort|tail -1)" \
    "$c_build" "$b_ms" "$(ratio "$b_ms" "$c_build")" "< 50" \
    "catalog + 30-day slots + retention, ms (vs ls|sort|tail -1)" \
    "$c_full" "$b_ms" "$(ratio "$b_ms" "$c_full")" "< 250" \
    "tail 50 of 1,000,000-line journal, ms (vs tail -n 50)" "$jb_ms" \
    "$tb_ms" "$(ratio "$tb_ms" "$jb_ms")" "< 10" \
    "tail 50 of 1,000-line journal, ms (vs tail -n 50)" "$js_ms" \
    "$ts_ms" "$(ratio "$ts_ms" "$js_ms")" "< 10"
