#!/bin/bash
# Lab: ssh with strict host keys and the lab's known_hosts runs a command
# on each host; an unknown host key and a foreign client key are refused.
set -u
. "$(dirname "$0")/../lab/testlib.sh"
lab_require_up

for host in primary backup; do
	out=$(lab_ssh "$host" 5 'echo "user=$(id -u) pgpass=$PGPASSFILE"; printf "%s" "a b"' 2>&1)
	check "$host: ssh runs a command ($out)" \
		test "$out" = "user=0 pgpass=$LABDIR/$host/pgpass"$'\n'"a b"
	out=$(lab_ssh "$host" 5 'exit 7' 2>&1)
	rc=$?
	check "$host: remote exit status 7 comes back" test "$rc" = 7
	check "$host: dumps, logs, storage, .env exist" \
		lab_ssh "$host" 5 "test -d '$LABDIR/$host/dumps' && test -d '$LABDIR/$host/logs' && test -d '$LABDIR/$host/storage_user' && test -s '$LABDIR/$host/backend/.env'"
	check "$host: bin/app status says running" lab_ssh "$host" 5 "'$LABDIR/$host/bin/app' status"
done

# the .env is identical on both hosts
check ".env identical on both hosts" \
	test "$(lab_ssh primary 5 "sha256sum < '$LABDIR/primary/backend/.env'")" = \
	"$(lab_ssh backup 5 "sha256sum < '$LABDIR/backup/backend/.env'")"

# strictness: an empty known_hosts refuses the host
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/kh"
if ssh -F /dev/null -i "$LABDIR/client/id_ed25519" -p 2222 -o BatchMode=yes \
	-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$tmp/kh" \
	-o GlobalKnownHostsFile=/dev/null -o ConnectTimeout=5 "root@$PRIMARY" true 2>/dev/null; then
	bad "unknown host key accepted"
else
	ok "unknown host key refused"
fi
# the backup's key under the primary's name is refused (a changed key)
sed -n 2p "$LABDIR/client/known_hosts" | sed "s/^\[$BACKUP\]/[$PRIMARY]/" >"$tmp/kh"
if ssh -F /dev/null -i "$LABDIR/client/id_ed25519" -p 2222 -o BatchMode=yes \
	-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$tmp/kh" \
	-o GlobalKnownHostsFile=/dev/null -o ConnectTimeout=5 "root@$PRIMARY" true 2>/dev/null; then
	bad "changed host key accepted"
else
	ok "changed host key refused"
fi
# key-only: another client key is refused
ssh-keygen -q -t ed25519 -N '' -f "$tmp/other"
if ssh -F /dev/null -i "$tmp/other" -p 2222 -o IdentitiesOnly=yes -o BatchMode=yes \
	-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$LABDIR/client/known_hosts" \
	-o GlobalKnownHostsFile=/dev/null -o ConnectTimeout=5 "root@$PRIMARY" true 2>/dev/null; then
	bad "a foreign client key logged in"
else
	ok "a foreign client key is refused"
fi
# sftp subsystem works
echo "put $LABDIR/client/known_hosts $LABDIR/primary/logs/.sftp-probe" >"$tmp/batch"
check "sftp upload to primary" sftp -q -F /dev/null -i "$LABDIR/client/id_ed25519" -P 2222 \
	-o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
	-o UserKnownHostsFile="$LABDIR/client/known_hosts" -o GlobalKnownHostsFile=/dev/null \
	-b "$tmp/batch" "root@$PRIMARY"
check "sftp file arrived intact" cmp -s "$LABDIR/client/known_hosts" "$LABDIR/primary/logs/.sftp-probe"
rm -f "$LABDIR/primary/logs/.sftp-probe"
finish
