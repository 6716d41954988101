# lib.bash: what the tmux screen tests share (sourced; not a test itself).
#
# Each test runs drdeck in a detached tmux session on its own server
# socket against the lab (tests/lab/lab, with $DRDECK_LAB_NET and
# $DRDECK_LAB_DIR as the caller set them), sends keys and reads the
# screen back with capture-pane.  A test exits 77 (skipped) when the lab
# is not up, 1 with the screen printed when an expectation fails.
set -euo pipefail

SRC=${DRDECK_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${DRDECK_BIN:-$SRC/build}
LAB=$SRC/tests/lab/lab
DRDECK=$BIN/drdeck
SOCK=drdeck-screen-$$
TMPD=$(mktemp -d /tmp/drdeck-screen.XXXXXX)
CLEANUP=()
START=$(($(date +%s%N) / 1000000))

T() { tmux -L "$SOCK" "$@"; }

# COMMAND with no signal blocked (tests/lab/sigmask): the tmux server
# inherits the mask of the process that starts it.
SIGMASK=(perl "$SRC/tests/lab/sigmask")

now_ms() { echo $(($(date +%s%N) / 1000000)); }

screen() { T capture-pane -p -t S 2>/dev/null || true; }
screen_attrs() { T capture-pane -p -e -t S 2>/dev/null || true; }

fail() {
	echo "FAIL: $*"
	echo "---- screen ----"
	screen
	echo "----------------"
	exit 1
}
ok() { echo "ok: $* (+$(($(now_ms) - START)) ms)"; }

cleanup() {
	local c
	for c in "${CLEANUP[@]}"; do eval "$c" || true; done
	T kill-server 2>/dev/null || true
	rm -rf "$TMPD"
}
trap cleanup EXIT

# The lab must be up (scripts/test starts it); else skip.
need_lab() {
	command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 77; }
	[ -x "$DRDECK" ] || { echo "SKIP: no $DRDECK"; exit 77; }
	if ! "$LAB" status >/dev/null 2>&1; then
		echo "SKIP: the lab is not up (tests/lab/lab up)"
		exit 77
	fi
	CONFIG=$("$LAB" config)
	STATE_DIR=$(jq -r '.state_dir' "$CONFIG")
	JOURNAL=$(jq -r 'if (.journal|type) == "string" then .journal
	    elif (.journal.path? // null) != null then .journal.path
	    else null end' "$CONFIG")
	[ "$JOURNAL" != null ] || JOURNAL=$STATE_DIR/journal.jsonl
	BACKUP_STATE=$(jq -r '.hosts[] | select(.name == "backup") |
	    .paths.state' "$CONFIG")
}

# start W H [env K=V ...] [BLOCK=SIG,...] -- [drdeck args]: drdeck in
# session S.  BLOCK starts it with those signals blocked, as a careless
# parent might.
start() {
	local w=$1 h=$2 envs=() term=screen-256color pre=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		case $1 in
		TERM=*) term=${1#TERM=} ;;	# tmux sets TERM from this
		BLOCK=*) pre=("${SIGMASK[@]}" --block "${1#BLOCK=}") ;;
		*) envs+=(-e "$1") ;;
		esac
		shift
	done
	[ $# -gt 0 ] && shift
	"${SIGMASK[@]}" tmux -L "$SOCK" -f /dev/null start-server \; \
	    set -g remain-on-exit on \; \
	    set -g default-terminal "$term" \; \
	    new-session -d -s S -x "$w" -y "$h" -e LANG=C.UTF-8 \
	    -e LC_ALL=C.UTF-8 "${envs[@]}" \
	    "${pre[@]}" "$DRDECK" --config "$CONFIG" "$@"
	DRDECK_PID=$(T display -p -t S '#{pane_pid}')
}

# wait_for SECONDS PATTERN: until the screen matches (grep -E); sets
# WAITED_MS.  Fails the test on timeout.
wait_for() {
	local limit=$1 pat=$2 t0 deadline
	t0=$(now_ms)
	deadline=$((t0 + limit * 1000))
	while [ "$(now_ms)" -lt "$deadline" ]; do
		if screen | grep -Eq -- "$pat"; then
			WAITED_MS=$(($(now_ms) - t0))
			return 0
		fi
		sleep 0.05
	done
	fail "no '$pat' on screen within ${limit}s"
}

# The line of the screen holding PATTERN.
line_of() { screen | grep -E -- "$1" | head -n1; }

# drdeck ended: its exit status ("signal N" when a signal ended it), or
# "" while it runs.  tmux reports it once it reaps drdeck, but tmux 3.3a
# at times leaves an ended pane unreaped (seen here with an empty signal
# mask, SIGCHLD caught, nothing pending); the kernel shows a zombie's
# status in /proc/PID/stat (field 52, as waitpid(2) gives it).
exit_status() {
	local s f code
	s=$(T display -p -t S '#{?pane_dead,#{?pane_dead_signal,signal #{pane_dead_signal},#{pane_dead_status}},}')
	if [ -n "$s" ]; then
		echo "$s"
		return 0
	fi
	s=$(cat "/proc/$DRDECK_PID/stat" 2>/dev/null) || return 0
	s=${s##*) }
	read -r -a f <<<"$s"
	[ "${f[0]}" = Z ] && [ "${#f[@]}" -ge 50 ] || return 0
	code=${f[49]}
	if [ $((code & 0x7f)) -eq 0 ]; then
		echo $(((code >> 8) & 0xff))
	else
		echo "signal $((code & 0x7f))"
	fi
}

# The state letter of drdeck's process (R S Z ...), empty when gone.
proc_state() {
	local s
	s=$(cat "/proc/$DRDECK_PID/stat" 2>/dev/null) || return 0
	s=${s##*) }
	echo "${s%% *}"
}

# Wait until drdeck ended (reaped by tmux, or a zombie whose status the
# kernel holds).
wait_exit() {
	local limit=$1 i
	for ((i = 0; i < limit * 20; i++)); do
		[ -n "$(exit_status)" ] && return 0
		sleep 0.05
	done
	# Where it waits, for whoever reads the failure.
	if command -v gdb >/dev/null; then
		gdb -p "$DRDECK_PID" -batch -ex "thread apply all bt 15" \
		    </dev/null 2>&1 | grep -E '^(#|Thread)' | head -n 80 || true
	fi
	fail "drdeck has not ended after ${limit}s (state '$(proc_state)')"
}

# A key, then a short pause for the screen to follow.
key() { T send-keys -t S "$@"; sleep 0.15; }

# Everything drdeck could have changed: the journal and the state and
# lock files of the console and of both hosts (the lab's hosts share this
# machine's file system).
fingerprint() {
	local d g
	{
		[ -f "$JOURNAL" ] && sha256sum "$JOURNAL"
		for d in "$STATE_DIR" $(jq -r '.hosts[].paths.state' "$CONFIG"); do
			for g in "$d"/*.json; do
				[ -f "$g" ] && sha256sum "$g"
			done
		done
	} 2>/dev/null | sort
	true
}

# The pair as the schedule leaves it: a verified dump restored on the
# backup.  A fresh lab has none; make them the way the scheduler would.
pair_ready() {
	local st
	st=$BACKUP_STATE/state.json
	if [ -f "$st" ] && [ "$(jq -r '.last_restore.result // ""' "$st")" = ok ]; then
		return 0
	fi
	echo "(a backup and a restore first, as the schedule would)"
	"$DRDECK" --config "$CONFIG" backup >"$TMPD/backup.log" 2>&1 ||
	    { cat "$TMPD/backup.log"; fail "drdeck backup failed"; }
	"$DRDECK" --config "$CONFIG" restore >"$TMPD/restore.log" 2>&1 ||
	    { cat "$TMPD/restore.log"; fail "drdeck restore failed"; }
}
