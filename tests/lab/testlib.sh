# testlib.sh: sourced by tests/integration/lab_*.sh.  Finds the lab (the
# same DRDECK_LAB_NET / DRDECK_LAB_DIR as tests/lab/lab), skips with 77
# when it is not up, and offers timing and checking helpers.

DRDECK_SRC=${DRDECK_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
LAB=$DRDECK_SRC/tests/lab/lab
NET=${DRDECK_LAB_NET:-127.0.10}
LABDIR=$(realpath -m "${DRDECK_LAB_DIR:-$DRDECK_SRC/build/lab}")
PRIMARY=$NET.1
BACKUP=$NET.2
FRONT=$NET.3
PGBIN=/usr/lib/postgresql/15/bin
FAILS=0

# Exit 77 (skipped) unless every component of the lab runs.
lab_require_up() {
	if ! "$LAB" status >/dev/null 2>&1; then
		echo "SKIP: the lab is not up (run: tests/lab/lab up; NET=$NET DIR=$LABDIR)"
		exit 77
	fi
}

addr() {
	case $1 in
	primary) echo "$PRIMARY" ;;
	backup) echo "$BACKUP" ;;
	front) echo "$FRONT" ;;
	esac
}

now_ms() { date +%s%3N; }

ok() { echo "ok   - $*"; }
bad() {
	echo "FAIL - $*"
	FAILS=$((FAILS + 1))
}
# check DESCRIPTION COMMAND...: the command must succeed.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}
finish() {
	if [ "$FAILS" -gt 0 ]; then
		echo "$FAILS check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}

# ssh to a lab host with strict host keys and the lab's known_hosts.
lab_ssh() {
	local host=$1 timeout=$2
	shift 2
	ssh -F /dev/null -i "$LABDIR/client/id_ed25519" -p 2222 \
		-o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
		-o UserKnownHostsFile="$LABDIR/client/known_hosts" \
		-o GlobalKnownHostsFile=/dev/null -o ConnectTimeout="$timeout" \
		"root@$(addr "$host")" "$@"
}

# psql to a lab cluster with the console's pgpass.
lab_psql() {
	local host=$1 timeout=$2
	shift 2
	PGPASSFILE=$LABDIR/client/pgpass PGCONNECT_TIMEOUT=$timeout \
		"$PGBIN/psql" -X -w -h "$(addr "$host")" -p 5432 -U postgres -d rabspocdb "$@"
}

# HTTP status of a URL (000 when nothing answered).
http_code() {
	curl -s -o /dev/null -w '%{http_code}' --connect-timeout "${2:-3}" -m "${2:-3}" "$1" || true
}

# measure COMMAND...: runs it (output dropped); sets ELAPSED (ms) and
# RC (its exit status).
ELAPSED=0
RC=0
measure() {
	local t0 t1
	t0=$(now_ms)
	if "$@" >/dev/null 2>&1; then RC=0; else RC=$?; fi
	t1=$(now_ms)
	ELAPSED=$((t1 - t0))
}

# between LO HI VALUE
between() { [ "$3" -ge "$1" ] && [ "$3" -le "$2" ]; }
