#!/bin/bash
# tui.sh: what the console costs, against `watch -n 10 drdeck status`
# doing the same job (both hosts probed every 10 s, shown on a terminal).
#
#   - idle CPU of `drdeck --wall` over 60 s, from /proc/PID/stat (utime +
#     stime of every thread, plus reaped children), as % of one core;
#   - its resident memory (VmHWM, the peak) from /proc/PID/status;
#   - keypress-to-screen latency: `?` sent through tmux until the help
#     overlay is on the screen (median of 10).  watch has no key: the time
#     until a fresh state is on its screen is half its interval plus one
#     `drdeck status` run (measured, median of 5).
#
# Prints rows: BENCH<TAB>figure<TAB>drdeck<TAB>baseline<TAB>ratio<TAB>target
# (ratio = baseline / drdeck: how many times better).  Needs the lab up;
# exits 77 otherwise.  TUI_BENCH_SECONDS shortens the 60 s window.
set -euo pipefail

SRC=${DRDECK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${DRDECK_BIN:-$SRC/build}
LAB=$SRC/tests/lab/lab
DRDECK=$BIN/drdeck
SECS=${TUI_BENCH_SECONDS:-60}
SOCK=drdeck-bench-$$
TMPD=$(mktemp -d /tmp/drdeck-bench.XXXXXX)
HZ=$(getconf CLK_TCK)

T() { tmux -L "$SOCK" "$@"; }
cleanup() {
	T kill-server 2>/dev/null || true
	rm -rf "$TMPD"
}
trap cleanup EXIT
now_ms() { echo $(($(date +%s%N) / 1000000)); }

[ -x "$DRDECK" ] || { echo "tui.sh: no $DRDECK (build first)" >&2; exit 77; }
if ! "$LAB" status >/dev/null 2>&1; then
	echo "tui.sh: the lab is not up" >&2
	exit 77
fi
# The lab's config with both hosts probed every 10 s.
jq '.poll_interval = "10s"' "$("$LAB" config)" >"$TMPD/drdeck.json"
chmod 600 "$TMPD/drdeck.json"
CFG=$TMPD/drdeck.json

# CPU ticks of a process and its reaped children.
ticks() {
	local s
	s=$(cat "/proc/$1/stat")
	s=${s##*) }
	# after "(comm) ": state is field 1; utime 12, stime 13, cutime 14,
	# cstime 15
	echo "$s" | awk '{print $12 + $13 + $14 + $15}'
}
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

start() {
	T -f /dev/null start-server \; set -g remain-on-exit on \; \
	    new-session -d -s S -x 120 -y 40 -e LANG=C.UTF-8 \
	    -e LC_ALL=C.UTF-8 "$@"
	T display -p -t S '#{pane_pid}'
}
wait_screen() {
	local i
	for ((i = 0; i < 600; i++)); do
		T capture-pane -p -t S | grep -Eq -- "$1" && return 0
		sleep 0.05
	done
	echo "tui.sh: '$1' never showed" >&2
	T capture-pane -p -t S >&2
	exit 1
}
stop() { T kill-session -t S 2>/dev/null || true; sleep 0.3; }

# --- idle cost of the wall ---
pid=$(start "$DRDECK" --config "$CFG" --wall)
wait_screen 'updated [0-9]+s ago'
sleep 2
t0=$(ticks "$pid")
sleep "$SECS"
t1=$(ticks "$pid")
d_cpu=$(awk -v d=$((t1 - t0)) -v hz="$HZ" -v s="$SECS" \
    'BEGIN {printf "%.3f", d / hz / s * 100}')
d_rss=$(hwm_kib "$pid")
stop

# --- the same with watch ---
pid=$(start watch -n 10 "$DRDECK" --config "$CFG" status)
wait_screen 'drdeck status'
sleep 2
t0=$(ticks "$pid")
sleep "$SECS"
t1=$(ticks "$pid")
b_cpu=$(awk -v d=$((t1 - t0)) -v hz="$HZ" -v s="$SECS" \
    'BEGIN {printf "%.3f", d / hz / s * 100}')
w_rss=$(hwm_kib "$pid")
stop
# watch's own memory plus the peak of one `drdeck status` it runs
s_rss=$({ /usr/bin/time -f %M "$DRDECK" --config "$CFG" status \
    >/dev/null || true; } 2>&1 | tail -n1)
b_rss=$((w_rss + s_rss))

# --- keypress to screen ---
pid=$(start "$DRDECK" --config "$CFG")
wait_screen 'data [0-9]+s old'
lat=()
for i in 1 2 3 4 5 6 7 8 9 10; do
	t0=$(now_ms)
	T send-keys -t S '?'
	wait_screen 'a typed confirmation'
	lat+=($(($(now_ms) - t0)))
	T send-keys -t S Escape
	sleep 0.2
done
d_lat=$(printf '%s\n' "${lat[@]}" | sort -n | sed -n 5p)
T send-keys -t S q
stop
runs=()
for i in 1 2 3 4 5; do
	t0=$(now_ms)
	"$DRDECK" --config "$CFG" status >/dev/null 2>&1 || true
	runs+=($(($(now_ms) - t0)))
done
b_lat=$(($(printf '%s\n' "${runs[@]}" | sort -n | sed -n 3p) + 5000))

ratio() { awk -v b="$1" -v d="$2" 'BEGIN { if (d > 0) printf "%.1f", b / d; else print "-" }'; }
printf 'BENCH\t%s\t%s\t%s\t%s\t%s\n' \
    "wall idle CPU, % of a core (${SECS} s)" "$d_cpu" "$b_cpu" \
    "$(ratio "$b_cpu" "$d_cpu")" "< 0.5" \
    "wall RSS peak, MiB" "$(awk -v k="$d_rss" 'BEGIN {printf "%.1f", k / 1024}')" \
    "$(awk -v k="$b_rss" 'BEGIN {printf "%.1f", k / 1024}')" \
    "$(ratio "$b_rss" "$d_rss")" "< 30" \
    "keypress to screen, ms (median of 10)" "$d_lat" "$b_lat" \
    "$(ratio "$b_lat" "$d_lat")" "< 200"
