#!/bin/bash
# jobs_nightly: `drdeck backup --nightly` stops the app before the dump
# (/health is not 200 while pg_dump runs), writes the schema-only file,
# and starts the app again afterwards — also when pg_dump fails.  And a
# dump that pg_dump cut short while exiting 0 is caught by reading it
# back whole: nothing under a dump's name on either host.
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
	out=; prev=
	for a in "\$@"; do [ "\$prev" = -f ] && out=\$a; prev=\$a; done
	'$PGBIN/pg_dump' "\$@" || exit \$?
	if [ -f '$T/cut-it' ] && [ -n "\$out" ]; then
		truncate -s \$((\$(stat -c %s "\$out") / 2)) "\$out"
	fi
	exit 0
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

# pg_dump exits 0 but its archive is cut in half (the listing at its
# front still reads): the whole read back fails while it ships, and
# neither host keeps anything of it.
rm -f "$T/make-it-fail"
touch "$T/cut-it"
ls "$LABDIR/backup/dumps" | sort >"$T/before-b"
run_drdeck backup
[ "$RC" = 1 ] || fail "backup of a cut dump exited $RC, expected 1"
grep -q "FAIL.*does not read back whole" "$T/out" || fail "not refused by the read back"
ls "$LABDIR/primary/dumps" | sort >"$T/after"
cmp -s "$T/before" "$T/after" || fail "primary: files left: $(diff "$T/before" "$T/after" | tr '\n' ' ')"
ls "$LABDIR/backup/dumps" | sort >"$T/after-b"
cmp -s "$T/before-b" "$T/after-b" || fail "backup: files left: $(diff "$T/before-b" "$T/after-b" | tr '\n' ' ')"
ok "a dump cut short with pg_dump exiting 0: refused by the read back, nothing left on either host"
