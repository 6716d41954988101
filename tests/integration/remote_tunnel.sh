#!/bin/bash
# remote_tunnel: libpq reaches the backup's PostgreSQL, which listens
# only on the backup's own address, through a direct-tcpip tunnel of the
# ssh transport: the client dials 127.0.0.1:<forwarded port>; the server
# sees itself reached on its own address.  Several connections, one after
# the other and at once, and a 4 MB result pass through one tunnel.
. "$(dirname "$0")/remote_lib.bash"

ADDR=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print([h for h in c["hosts"] if h["name"]=="backup"][0]["address"])' "$CFG")
PGPORT=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print([h for h in c["hosts"] if h["name"]=="backup"][0]["postgres"]["port"])' "$CFG")
PASS=$(awk -F: -v a="$ADDR" '$1 == a { print $5; exit }' "$LABDIR/client/pgpass")
[ -n "$PASS" ] || fail "no password for $ADDR in the lab's pgpass"
PSQL=/usr/lib/postgresql/15/bin/psql
listen=$(lab psql backup -Atc 'show listen_addresses')
[ "$listen" = "$ADDR" ] || fail "the backup's PostgreSQL listens on '$listen', expected only $ADDR"

cat >"$T/client.sh" <<-SH
	#!/bin/bash
	set -e
	port=\$1
	export PGPASSWORD=$PASS PGCONNECT_TIMEOUT=5
	q() { $PSQL "host=127.0.0.1 port=\$port user=postgres dbname=rabspocdb" -Atc "\$1"; }
	q 'select inet_server_addr()'
	q 'select count(*) > 0 from customers'
	q "select length(repeat('x', 4000000))"
	for i in 1 2 3 4; do q "select \$i, pg_sleep(0.3)" & done
	wait
SH
chmod +x "$T/client.sh"
drv "$CFG" backup tunnel "$ADDR" "$PGPORT" "$T/client.sh" '{port}'
[ "$RC" = 0 ] || fail "psql through the tunnel: exit $RC"
grep -q '^tunnel: 127.0.0.1:[0-9]*$' "$T/err" || fail "no local forward reported"
mapfile -t lines <"$T/out"
[ "${lines[0]}" = "$ADDR" ] || fail "server address ${lines[0]}, expected $ADDR"
[ "${lines[1]}" = t ] || fail "no rows read"
[ "${lines[2]}" = 4000000 ] || fail "4 MB result: ${lines[2]}"
[ "$(printf '%s\n' "${lines[@]:3}" | sort | tr '\n' ' ')" = "1| 2| 3| 4| " ] ||
	fail "concurrent connections: ${lines[*]:3}"
ok "libpq through $(sed -n 's/^tunnel: //p' "$T/err") reached PostgreSQL on $ADDR:$PGPORT: 7 connections, 4 at once, a 4 MB result"
