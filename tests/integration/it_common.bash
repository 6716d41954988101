# it_common.bash: the scaffold the integration libraries share
# (jobs_lib.bash, remote_lib.bash, flow_lib.bash).  Sourced, never run.
#
# Needs $NAME (the test's name) and $LAB; optional FAIL_SHOW (a file
# whose end fail() prints, e.g. the last drdeck output), FAIL_SHOW_WHAT
# (how to call it) and FAIL_SHOW_LINES (default 40).
# Gives: $CFG0 (the lab's config), $LABDIR, $T (a scratch folder removed
# at exit), $CFG ($T/drdeck.json), on_exit CMD (cleanups run last
# registered first, then $T removed), fail MSG (exit 1), ok MSG.

CFG0=$("$LAB" config)
LABDIR=$(dirname "$CFG0")
T=$(mktemp -d "/tmp/drdeck-$NAME.XXXXXX")
CFG=$T/drdeck.json
CLEANUPS=()

cleanup() {
	local i
	for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUPS[$i]}" || true
	done
	rm -rf "$T"
}
trap cleanup EXIT
# on_exit CMD: run CMD when the test ends (last registered, first run).
on_exit() { CLEANUPS+=("$1"); }

fail() {
	echo "FAIL $NAME: $*" >&2
	if [ -n "${FAIL_SHOW:-}" ] && [ -f "$FAIL_SHOW" ]; then
		echo "--- ${FAIL_SHOW_WHAT:-last output}:" >&2
		tail -n "${FAIL_SHOW_LINES:-40}" "$FAIL_SHOW" >&2
	fi
	exit 1
}
ok() { echo "ok   $NAME: $*"; }
