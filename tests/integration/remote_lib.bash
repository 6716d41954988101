# remote_lib.bash: what the tests/integration/remote_*.sh scripts share.
# Sourced, never run: it is not a test of its own (ctest runs *.sh).
#
# Gives: $DRV (the transport driver), $LABDIR, $CFG (a copy of the lab's
# config, mode 0600), lab(), drv ARGS (stdout into $T/out, stderr into
# $T/err, exit code into $RC), cfg_edit PY, ms (monotonic milliseconds),
# fail, ok.  Exits 77 when the lab is not up.
set -euo pipefail

SRC=${DRDECK_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${DRDECK_BIN:-$SRC/build}
LAB=$SRC/tests/lab/lab
DRV=$BIN/tests/integration/drv_remote
NAME=$(basename "$0" .sh)

lab() { "$LAB" "$@"; }

if ! "$LAB" status >/dev/null 2>&1; then
	echo "$NAME: the lab is not up (tests/lab/lab up): skipped"
	exit 77
fi
[ -x "$DRV" ] || { echo "$NAME: no $DRV (build first)"; exit 1; }

. "$(dirname "${BASH_SOURCE[0]}")/it_common.bash"
install -m 0600 "$CFG0" "$CFG"
FAIL_SHOW=$T/err
FAIL_SHOW_WHAT="last driver stderr"
FAIL_SHOW_LINES=30

# drv ARGS...: run the driver on $CFG; never fails the script by itself.
drv() {
	RC=0
	"$DRV" "$@" >"$T/out" 2>"$T/err" || RC=$?
}

# cfg_edit 'PYTHON' [FILE]: edit a config in place; the object is `c`.
cfg_edit() {
	/usr/bin/python3 - "${2:-$CFG}" "$1" <<-'PY'
		import json, sys
		p, code = sys.argv[1], sys.argv[2]
		c = json.load(open(p))
		exec(code)
		json.dump(c, open(p, "w"), indent=2)
	PY
}

ms() { echo $(($(date +%s%N) / 1000000)); }
