#!/bin/bash
# Lab: psql reaches each cluster over TCP with the console's pgpass, the
# database has pgcrypto and citext and its sample data; without the
# password it is refused (no trust over TCP); over ssh, the host's own
# pgpass (PGPASSFILE set by its sshd) reaches its cluster.
set -u
. "$(dirname "$0")/../lab/testlib.sh"
lab_require_up

for host in primary backup; do
	ext=$(lab_psql "$host" 5 -Atc "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension WHERE extname IN ('pgcrypto','citext')" 2>&1)
	check "$host: pgcrypto and citext ($ext)" test "$ext" = "citext,pgcrypto"
	ver=$(lab_psql "$host" 5 -Atc "SHOW server_version_num" 2>&1)
	check "$host: server major 15 ($ver)" test "${ver:0:2}" = 15
	rows=$(lab_psql "$host" 5 -Atc "SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM orders) + (SELECT count(*) FROM order_items) + (SELECT count(*) FROM audit_log)" 2>&1)
	check "$host: sample rows ($rows)" test "${rows:-0}" -ge 1000
	owner=$(lab_psql "$host" 5 -Atc "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'" 2>&1)
	check "$host: tables owned by rabsapp ($owner)" test "$owner" = rabsapp
	dec=$(lab_psql "$host" 5 -Atc "SELECT pgp_sym_decrypt(payload, 'lab-passphrase') FROM secrets WHERE id = 1" 2>&1)
	check "$host: pgcrypto decrypts ($dec)" test "$dec" = "secret 1"
	ci=$(lab_psql "$host" 5 -Atc "SELECT count(*) FROM customers WHERE email = 'USER1@EXAMPLE.COM'" 2>&1)
	check "$host: citext compares without case ($ci)" test "$ci" = 1
	if PGPASSFILE=/dev/null PGCONNECT_TIMEOUT=5 "$PGBIN/psql" -X -w -h "$(addr "$host")" \
		-U postgres -d rabspocdb -Atc 'SELECT 1' >/dev/null 2>&1; then
		bad "$host: connected without a password"
	else
		ok "$host: no password, no connection"
	fi
	out=$(lab_ssh "$host" 5 "'$PGBIN/psql' -X -w -h '$(addr "$host")' -U postgres -d rabspocdb -Atc 'SELECT current_database()'" 2>&1)
	check "$host: psql over ssh with the host's pgpass ($out)" test "$out" = rabspocdb
	mode=$(stat -c %a "$LABDIR/$host/pgpass")
	check "$host: pgpass mode 600 ($mode)" test "$mode" = 600
done
mode=$(stat -c %a "$LABDIR/client/pgpass")
check "client pgpass mode 600 ($mode)" test "$mode" = 600
p=$(lab_psql primary 5 -Atc "SELECT count(*) FROM order_items")
b=$(lab_psql backup 5 -Atc "SELECT count(*) FROM order_items")
check "backup holds a copy of the primary's data ($p/$b)" test "$p" = "$b"
roles=$(lab_psql backup 5 -Atc "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'rabs%'")
check "backup has the app roles ($roles)" test "$roles" = "rabs_readonly,rabsapp"
check "the config names nothing secret" bash -c "! grep -qi password '$("$LAB" config)'"
finish
