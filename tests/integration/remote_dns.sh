#!/bin/bash
# remote_dns: a host whose name the DNS server never answers.
#
# In a mount namespace of its own (unshare --mount), /etc/resolv.conf
# names a local UDP port 53 that reads every query and answers none, and
# /etc/nsswitch.conf sends host names to the hosts file, then DNS.  The
# backup's address becomes a name that no hosts file holds.  Measured and
# shown: the resolver's own wait (getent ahosts, i.e. getaddrinfo), then
# opening the ssh transport (drv_remote, deadline 1.5 s) and `drdeck
# status` (probe_timeout 2 s), which must end within their deadline plus
# a small margin with one line naming the host: the name lookup runs on a
# worker the caller stops waiting for (remote/resolve.c).  Last, a direct
# database connection to the name (postgres.tunnel off): resolved the
# same way before libpq, whose own lookup has no limit.
#
# Exit 77 when the lab is down, without root (port 53, mounts), when the
# namespace cannot be set up, or when this machine's resolver does not
# wait on a silent server (nothing to show then).
. "$(dirname "$0")/remote_lib.bash"

PEER=peer.drdeck-lab.test
DEADLINE=1500		# drv_remote's --timeout, ms
MARGIN=300		# drv_remote may end this late, ms
PROBE_S=2		# drdeck status: probe_timeout, s (the open's deadline)
STATUS_MARGIN=500	# drdeck status may end this late, ms

[ "$(id -u)" = 0 ] || { echo "$NAME: needs root (port 53, mounts): skipped"; exit 77; }
command -v unshare >/dev/null || { echo "$NAME: no unshare (util-linux): skipped"; exit 77; }
command -v jq >/dev/null || fail "no jq (tests/lab/deps.sh installs it)"

BACKUP=$(jq -r '.hosts[] | select(.name == "backup") | .address' "$CFG0")
DNS=${BACKUP%.*}.53	# the lab's own /24: one silent server per lab
if grep -qiw -- "$PEER" /etc/hosts; then
	echo "$NAME: $PEER is in /etc/hosts: skipped"
	exit 77
fi

# The configs: the backup's address is the name.  For `drdeck status`,
# the database and health checks of the backup also go through its
# transport, so that the round's only lookup of the name is the ssh
# connection's (libpq would look it up itself, with no timeout).
jq --arg n "$PEER" '(.hosts[] | select(.name == "backup") | .address) = $n' \
	"$CFG0" >"$T/cfg.json"
install -m 0600 "$T/cfg.json" "$CFG"
jq --arg n "$PEER" --arg pt "${PROBE_S}s" '.probe_timeout = $pt |
	(.hosts[] | select(.name == "backup")) |=
	(.address = $n | .postgres.tunnel = true | .health.tunnel = true)' \
	"$CFG0" >"$T/cfg.json"
install -m 0600 "$T/cfg.json" "$T/status.json"
rm -f "$T/cfg.json"

printf 'nameserver %s\n' "$DNS" >"$T/resolv.conf"
printf 'hosts: files dns\n' >"$T/nsswitch.conf"

# The silent DNS server: reads queries, counts them, never answers.
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.bind((sys.argv[1], 53))
except OSError as e:
    print("cannot listen:", e, flush=True)
    sys.exit(1)
print("listening", flush=True)
n = 0
while True:
    s.recvfrom(4096)
    n += 1
    print("query", n, flush=True)
' "$DNS" >"$T/dns.log" 2>&1 &
dns_pid=$!
on_exit "kill $dns_pid 2>/dev/null; wait $dns_pid 2>/dev/null"
for _ in $(seq 50); do grep -q '^listening' "$T/dns.log" && break
	kill -0 $dns_pid 2>/dev/null || break; sleep 0.1; done
if ! grep -q '^listening' "$T/dns.log"; then
	echo "$NAME: no silent DNS server on $DNS:53 ($(head -n1 "$T/dns.log")): skipped"
	exit 77
fi
queries() { grep -c '^query' "$T/dns.log" || true; }

# in_ns CMD...: run CMD with the test's resolv.conf and nsswitch.conf (and
# no nscd, which would ask the real resolver).
in_ns() {
	unshare --mount -- /bin/sh -c '
		mount --bind "$1" /etc/resolv.conf &&
			mount --bind "$2" /etc/nsswitch.conf || exit 97
		if [ -d /run/nscd ]; then mount -t tmpfs none /run/nscd || exit 97; fi
		shift 2
		exec "$@"' sh "$T/resolv.conf" "$T/nsswitch.conf" "$@"
}

if ! in_ns grep -qx "nameserver $DNS" /etc/resolv.conf; then
	echo "$NAME: cannot give a mount namespace its own /etc/resolv.conf: skipped"
	exit 77
fi

# The resolver's own wait.
q0=$(queries)
t0=$(ms)
grc=0
in_ns getent ahosts "$PEER" >"$T/getent" 2>&1 || grc=$?
resolver_ms=$(($(ms) - t0))
nq=$(($(queries) - q0))
[ "$grc" != 0 ] || { echo "$NAME: $PEER resolved ($(head -n1 "$T/getent")): skipped"; exit 77; }
if [ "$nq" = 0 ] || [ "$resolver_ms" -lt $((DEADLINE + 1000)) ]; then
	echo "$NAME: the resolver here does not wait on a silent server" \
		"(getent: $resolver_ms ms, $nq queries): skipped"
	exit 77
fi
ok "the resolver's own wait: getent ahosts $PEER gave up after $resolver_ms ms ($nq queries unanswered)"

# Opening the transport.
q0=$(queries)
t0=$(ms)
RC=0
in_ns "$DRV" --timeout "$DEADLINE" "$CFG" backup open >"$T/out" 2>"$T/err" || RC=$?
drv_ms=$(($(ms) - t0))
nq=$(($(queries) - q0))
want="backup: ssh: $PEER: name lookup gave no answer within $(printf '%d.%d' \
	$((DEADLINE / 1000)) $((DEADLINE % 1000 / 100))) s"
[ "$RC" = 3 ] || fail "open: exit $RC, expected 3 (transport_open failed)"
[ "$drv_ms" -le $((DEADLINE + MARGIN)) ] ||
	fail "open took $drv_ms ms: the deadline is $DEADLINE ms (+$MARGIN), the resolver's own wait $resolver_ms ms"
[ "$drv_ms" -ge $((DEADLINE - 50)) ] || fail "open ended after $drv_ms ms, before its deadline"
[ "$nq" -gt 0 ] || fail "open: no query reached the DNS server"
[ "$(grep -c '^error: ' "$T/err")" = 1 ] || fail "open: not one error line"
grep -qxF "error: $want" "$T/err" || fail "open: expected 'error: $want'"
ok "drv_remote open: $drv_ms ms (deadline $DEADLINE ms; resolver $resolver_ms ms): $want"

# drdeck status: the backup's round ends at probe_timeout.
t0=$(ms)
RC=0
in_ns "$BIN/drdeck" --config "$T/status.json" status --json >"$T/st.json" 2>"$T/err" || RC=$?
st_ms=$(($(ms) - t0))
limit=$((PROBE_S * 1000 + STATUS_MARGIN))
[ "$RC" -le 3 ] || fail "status: exit $RC"
[ "$st_ms" -le "$limit" ] ||
	fail "status took $st_ms ms: probe_timeout ${PROBE_S}s (+$STATUS_MARGIN ms), the resolver's own wait $resolver_ms ms"
detail=$(jq -r '.hosts[] | select(.name == "backup") | .facts[] |
	select(.key == "reach.rtt") | .detail' "$T/st.json") ||
	fail "status: no JSON: $(head -c 300 "$T/st.json")"
want="backup: ssh: $PEER: name lookup gave no answer within $PROBE_S.0 s"
[ "$detail" = "$want" ] || fail "status: backup's Round trip says '$detail', expected '$want'"
[ "$(jq -r '.hosts[] | select(.name == "primary") | .reachable' "$T/st.json")" = true ] ||
	fail "status: the primary is not reachable"
ok "drdeck status: $st_ms ms (probe_timeout ${PROBE_S}s): backup Round trip: $detail"

# A direct database connection (postgres.tunnel off) to the name: libpq
# would look it up itself with no limit; drdeck resolves it first, within
# the deadline, and hands libpq the addresses.
jq --arg n "$PEER" --arg pt "${PROBE_S}s" '.probe_timeout = $pt |
	(.hosts[] | select(.name == "backup") | .postgres) |=
	(.host = $n | .tunnel = false)' "$CFG0" >"$T/cfg.json"
install -m 0600 "$T/cfg.json" "$T/db.json"
rm -f "$T/cfg.json"
t0=$(ms)
RC=0
in_ns "$BIN/drdeck" --config "$T/db.json" status --json >"$T/st.json" 2>"$T/err" || RC=$?
st_ms=$(($(ms) - t0))
[ "$RC" -le 3 ] || fail "status (database by name): exit $RC"
[ "$st_ms" -le "$limit" ] ||
	fail "status (database by name) took $st_ms ms: probe_timeout ${PROBE_S}s (+$STATUS_MARGIN ms), the resolver's own wait $resolver_ms ms"
detail=$(jq -r '.hosts[] | select(.name == "backup") | .facts[] |
	select(.key == "db.latency") | .detail' "$T/st.json") ||
	fail "status: no JSON: $(head -c 300 "$T/st.json")"
case $detail in
*"$PEER: name lookup gave no answer within "*) ;;
*) fail "status: backup's database says '$detail', expected the name lookup's timeout" ;;
esac
[ "$(jq -r '.hosts[] | select(.name == "backup") | .facts[] |
	select(.key == "reach.rtt") | .level' "$T/st.json")" = ok ] ||
	fail "status: the backup's ssh (by address) is not ok"
ok "drdeck status, database by name: $st_ms ms (probe_timeout ${PROBE_S}s): $detail"
