#!/bin/bash
# remote.sh: the ssh transport against OpenSSH's own tools, on the lab's
# backup host.
#
#   - shipping one 512 MiB file: drdeck's put (SFTP with 1 MiB pipelined
#     writes, .part, sha256 computed on the host and compared, fsync,
#     rename) against scp to the same folder, alternating, 3 runs each;
#     each figure is a whole program run (connect, authenticate, ship);
#     throughput is 512 MiB / median seconds;
#   - one exec round trip on a warm session (median of 50 `true` runs,
#     bench_remote) against `ssh HOST true`, a new process each time
#     (median of 50); and, for scale, against OpenSSH's own exec on a
#     warm multiplexed connection (ControlMaster): both pay the far
#     side's session and login-shell start, which bounds the ratio.
#
# Prints rows: BENCH<TAB>figure<TAB>drdeck<TAB>baseline<TAB>ratio<TAB>target
# (ratio: drdeck throughput / scp's; ssh's time / drdeck's).  Needs the
# lab up; exits 77 otherwise.  REMOTE_BENCH_MIB and REMOTE_BENCH_RUNS
# change the file size and the runs of the shipping figure.
set -euo pipefail

SRC=${DRDECK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${DRDECK_BIN:-$SRC/build}
LAB=$SRC/tests/lab/lab
BR=$BIN/tests/bench/bench_remote
MIB=${REMOTE_BENCH_MIB:-512}
RUNS=${REMOTE_BENCH_RUNS:-3}
EXECS=50

[ -x "$BR" ] || { echo "remote.sh: no $BR (build first)" >&2; exit 77; }
if ! "$LAB" status >/dev/null 2>&1; then
	echo "remote.sh: the lab is not up" >&2
	exit 77
fi
CFG0=$("$LAB" config)
TMPD=$(mktemp -d /tmp/drdeck-bench-remote.XXXXXX)
CFG=$TMPD/drdeck.json
install -m 0600 "$CFG0" "$CFG"
eval "$(python3 - "$CFG" <<'PY'
import json, sys
h = [h for h in json.load(open(sys.argv[1]))["hosts"] if h["name"] == "backup"][0]
print("ADDR=%s PORT=%d USER=%s ID=%s KH=%s DUMPS=%s" % (h["address"],
    h["ssh"]["port"], h["ssh"]["user"], h["ssh"]["identity"],
    h["ssh"]["known_hosts"], h["paths"]["dumps"]))
PY
)"
DEST=$DUMPS/drdeck-bench-$$
cleanup() { rm -rf "$TMPD"; rm -f "$DEST.put" "$DEST.put.part" "$DEST.scp"; }
trap cleanup EXIT
SSHOPT=(-o BatchMode=yes -o UserKnownHostsFile="$KH" -o StrictHostKeyChecking=yes
	-o IdentitiesOnly=yes -i "$ID")

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

head -c $((MIB * 1024 * 1024)) /dev/urandom >"$TMPD/file"
: >"$TMPD/put"
: >"$TMPD/scp"
for ((i = 0; i < RUNS; i++)); do
	t0=$(now_ms)
	"$BR" "$CFG" backup put "$TMPD/file" "$DEST.put" >/dev/null
	echo $(($(now_ms) - t0)) >>"$TMPD/put"
	rm -f "$DEST.put"
	t0=$(now_ms)
	scp -q -P "$PORT" "${SSHOPT[@]}" "$TMPD/file" "$USER@$ADDR:$DEST.scp"
	echo $(($(now_ms) - t0)) >>"$TMPD/scp"
	rm -f "$DEST.scp"
done
put_ms=$(median <"$TMPD/put")
scp_ms=$(median <"$TMPD/scp")
put_mbs=$(awk -v m="$MIB" -v t="$put_ms" 'BEGIN { printf "%.0f", m * 1048576 / 1e6 / (t / 1000) }')
scp_mbs=$(awk -v m="$MIB" -v t="$scp_ms" 'BEGIN { printf "%.0f", m * 1048576 / 1e6 / (t / 1000) }')

exec_ms=$("$BR" "$CFG" backup exec $EXECS | awk '{ print $2 }')
: >"$TMPD/ssh"
for ((i = 0; i < EXECS; i++)); do
	t0=$(now_ms)
	ssh -p "$PORT" "${SSHOPT[@]}" "$USER@$ADDR" true
	echo $(($(now_ms) - t0)) >>"$TMPD/ssh"
done
ssh_ms=$(median <"$TMPD/ssh")
# For scale: OpenSSH's own exec on a warm (multiplexed) connection; both
# it and drdeck's exec pay the far side's session and shell start.
MUX=(-o ControlPath="$TMPD/mux" -o ControlMaster=auto -o ControlPersist=60)
ssh -p "$PORT" "${SSHOPT[@]}" "${MUX[@]}" "$USER@$ADDR" true
: >"$TMPD/mux.ms"
for ((i = 0; i < EXECS; i++)); do
	t0=$(now_ms)
	ssh -p "$PORT" "${SSHOPT[@]}" "${MUX[@]}" "$USER@$ADDR" true
	echo $(($(now_ms) - t0)) >>"$TMPD/mux.ms"
done
ssh -p "$PORT" "${SSHOPT[@]}" "${MUX[@]}" -O exit "$USER@$ADDR" 2>/dev/null || true
mux_ms=$(median <"$TMPD/mux.ms")

printf 'BENCH\t%s\t%s\t%s\t%s\t%s\n' \
    "ship $MIB MiB to a lab host, MB/s (put with sha256 check vs scp; runs: put $(tr '\n' ' ' <"$TMPD/put")ms, scp $(tr '\n' ' ' <"$TMPD/scp")ms)" \
    "$put_mbs" "$scp_mbs" "$(ratio "$scp_ms" "$put_ms")" ">= 1.1" \
    "exec round trip, warm session vs ssh HOST true, ms" \
    "$exec_ms" "$ssh_ms" "$(ratio "$ssh_ms" "$exec_ms")" ">= 10" \
    "exec round trip, warm session vs OpenSSH multiplexed exec (for scale), ms" \
    "$exec_ms" "$mux_ms" "$(ratio "$mux_ms" "$exec_ms")" "info"
