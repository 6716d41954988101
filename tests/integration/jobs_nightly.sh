#!/bin/bash
# jobs_nightly: `drdeck backup --nightly` stops the app before the dump
# (/health is not 200 while pg_dump runs), writes the schema-only file,
# and starts the app again afterwards — also when pg_dump fails.
. "$(dirname "$0")/jobs_lib.bash"

PGBIN=/usr/lib/postgresql/15/bin
w=$T/pgbin
mkdir -p "$w"
for p in psql pg_restore pg_dumpall; do ln -s "$PGBIN/$p" "$w/$p"; done
# pg_dump as it is, but it notes the app's health when it starts, and
# fails when asked to.
cat >"$w/pg_dump" <<-EOS
	#!/bin/sh
	curl -s -o /dev/null -m 3 -w '%{http_code}\n' 'http://$DRDECK_LAB_NET.1:8080/health' >>'$T/during'
	if [ -f '$T/make-it-fail' ]; then echo "pg_dump: error: failing on purpose" >&2; exit 1; fi
	exec '$PGBIN/pg_dump' "\$@"
EOS
chmod 755 "$w/pg_dump"
json_edit "c['hosts'][0]['postgres']['bindir'] = '$w'"

run_drdeck backup --nightly --no-ship
[ "$RC" = 0 ] || fail "backup --nightly exited $RC"
[ -s "$T/during" ] || fail "pg_dump was not run through the wrapper"
grep -q '^200$' "$T/during" && fail "the app answered 200 during the dump: $(cat "$T/during")"
[ "$(health primary)" = 200 ] || fail "the app is not up after the nightly backup"
schema=$(grep -o 'rabspocdb_schema_[0-9-]*_[0-9-]*\.sql' "$T/out" | head -n1)
[ -n "$schema" ] && [ -s "$LABDIR/primary/dumps/$schema" ] || fail "no schema-only file"
grep -q "CREATE TABLE public.customers" "$LABDIR/primary/dumps/$schema" || fail "the schema file lacks the tables"
ok "nightly: app down during the dump ($(sort -u "$T/during" | tr '\n' ' ')), up after; $schema"

: >"$T/during"
touch "$T/make-it-fail"
ls "$LABDIR/primary/dumps" | sort >"$T/before"
run_drdeck backup --nightly --no-ship
[ "$RC" = 1 ] || fail "backup --nightly with pg_dump failing exited $RC, expected 1"
grep -q "FAILED at dump" "$T/out" || fail "not failed at the dump step"
grep -q "failing on purpose" "$LABDIR/alerts.log" || fail "the alert lacks pg_dump's stderr"
[ "$(health primary)" = 200 ] || fail "the app is not up after a failed nightly backup"
ls "$LABDIR/primary/dumps" | sort >"$T/after"
cmp -s "$T/before" "$T/after" || fail "files left: $(diff "$T/before" "$T/after" | tr '\n' ' ')"
ok "nightly with pg_dump failing: app up again, nothing left, alert with its stderr"
