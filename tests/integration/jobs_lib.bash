# jobs_lib.bash: what the tests/integration/jobs_*.sh scripts share.
# Sourced, never run: it is not a test of its own (ctest runs *.sh).
#
# Gives: $DRDECK (the binary), $LABDIR, $CFG (a copy of the lab's config
# with the console state in a scratch folder, mode 0600), lab(), psql_at
# HOST SQL, health HOST, fail, ok, json_edit PY, run_drdeck (stdout +
# stderr into $T/out, exit code into $RC).  Exits 77 when the lab is
# not up.
set -euo pipefail

SRC=${DRDECK_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${DRDECK_BIN:-$SRC/build}
LAB=$SRC/tests/lab/lab
DRDECK=$BIN/drdeck
NAME=$(basename "$0" .sh)

lab() { "$LAB" "$@"; }

if ! "$LAB" status >/dev/null 2>&1; then
	echo "$NAME: the lab is not up (tests/lab/lab up): skipped"
	exit 77
fi
[ -x "$DRDECK" ] || { echo "$NAME: no $DRDECK (build first)"; exit 1; }

. "$(dirname "${BASH_SOURCE[0]}")/it_common.bash"
FAIL_SHOW=$T/out
FAIL_SHOW_WHAT="last drdeck output"
FAIL_SHOW_LINES=40

# json_edit 'PYTHON' : edit $CFG in place; the object is `c`.
json_edit() {
	/usr/bin/python3 - "$CFG" "$1" <<-'EOF'
		import json, sys
		p, code = sys.argv[1], sys.argv[2]
		c = json.load(open(p))
		exec(code)
		json.dump(c, open(p, "w"), indent=2)
	EOF
}

cp "$CFG0" "$CFG"
chmod 600 "$CFG"
json_edit "c['state_dir'] = '$T/console'; c['journal'] = {'path': '$T/console/journal.jsonl', 'max_size': '16MiB', 'keep': 2}"

psql_at() { # psql_at HOST SQL -> unaligned tuples
	"$LAB" psql "$1" -d rabspocdb -X -q -At -v ON_ERROR_STOP=1 -c "$2"
}
health() { # health HOST -> the HTTP code of its /health
	local n
	case $1 in primary) n=1 ;; backup) n=2 ;; esac
	curl -s -o /dev/null -m 5 -w '%{http_code}' \
		"http://${DRDECK_LAB_NET:-127.0.10}.$n:8080/health" || true
}

# run_drdeck ARGS...: output in $T/out (also shown), exit code in $RC.
run_drdeck() {
	set +e
	"$DRDECK" --config "$CFG" "$@" >"$T/out" 2>&1
	RC=$?
	set -e
	sed 's/^/    | /' "$T/out"
}

# A marker row in customers on HOST; prints its id.
insert_marker() {
	local id
	id=$(( $(date +%s%N) / 1000 % 1000000000000 + 900000000000 ))
	psql_at "$1" "INSERT INTO customers(id, email, name, created_at)
		VALUES ($id, 'marker-$id@example.com', 'marker $NAME', now())" >/dev/null
	echo "$id"
}
has_marker() { # has_marker HOST ID -> 0 when the row is there
	[ "$(psql_at "$1" "SELECT count(*) FROM customers WHERE id = $2")" = 1 ]
}
stamp_of() { # the data stamp of HOST's live copy, as epoch ms ("none"
	# before its first restore: a copy swapped in would carry one)
	if [ "$(psql_at "$1" "SELECT to_regclass('drdeck.stamp') IS NOT NULL")" = t ]; then
		psql_at "$1" "SELECT (extract(epoch FROM stamped_at) * 1000)::bigint FROM drdeck.stamp WHERE id = 1"
	else
		echo none
	fi
}
dbs_of() { # the rabspocdb* databases of HOST
	"$LAB" psql "$1" -d postgres -X -At -c \
		"SELECT datname FROM pg_database WHERE datname LIKE 'rabspocdb%' ORDER BY 1" | tr '\n' ' '
}
