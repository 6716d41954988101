#!/bin/bash
# remote_hostkey: the host key check against known_hosts files made for
# the test from the lab's own.  Accepted: the [host]:port entry and the
# same entry hashed (ssh-keygen -H).  Refused, with
# the key's SHA256 fingerprint as OpenSSH prints it and the file (and
# line) to look at: a file without the host, another key for the host
# (both fingerprints shown), only a key of another type, the plain host
# without its port (the lab's sshd is not on 22), a @revoked key, a
# missing file.
. "$(dirname "$0")/remote_lib.bash"

KH0=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print([h for h in c["hosts"] if h["name"]=="backup"][0]["ssh"]["known_hosts"])' "$CFG")
ADDR=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print([h for h in c["hosts"] if h["name"]=="backup"][0]["address"])' "$CFG")
PORT=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print([h for h in c["hosts"] if h["name"]=="backup"][0]["ssh"]["port"])' "$CFG")
line=$(grep -F "[$ADDR]:$PORT " "$KH0") || fail "no [$ADDR]:$PORT in $KH0"
# The fingerprint OpenSSH prints for the host's key.
echo "$line" >"$T/kh_one"
FP=$(ssh-keygen -l -f "$T/kh_one" | awk '{print $2}')
case $FP in SHA256:*) ;; *) fail "ssh-keygen gave no fingerprint" ;; esac

# use FILE: point the backup's known_hosts at FILE.
use() {
	cfg_edit "[h for h in c['hosts'] if h['name'] == 'backup'][0]['ssh']['known_hosts'] = '$1'"
}
opens() { drv "$CFG" backup open; [ "$RC" = 0 ] && [ "$(cat "$T/out")" = ok ]; }
refused() {
	drv "$CFG" backup open
	[ "$RC" != 0 ] || fail "$1: accepted"
	grep -q 'refusing' "$T/err" || fail "$1: no refusal in: $(cat "$T/err")"
	grep -qF "$FP" "$T/err" || fail "$1: the fingerprint $FP is not shown"
}

# Accepted.
printf '# comment\n\n%s\n' "$line" >"$T/kh_port"
use "$T/kh_port"
opens || fail "[host]:port entry refused: $(cat "$T/err")"
ok "[host]:port entry accepted"

cp "$T/kh_port" "$T/kh_hashed"
ssh-keygen -q -H -f "$T/kh_hashed" >/dev/null 2>&1
grep -q '^|1|' "$T/kh_hashed" || fail "ssh-keygen -H hashed nothing"
grep -qF "$ADDR" "$T/kh_hashed" && fail "the hashed file still names the host"
use "$T/kh_hashed"
opens || fail "hashed entry refused: $(cat "$T/err")"
ok "hashed |1| entry accepted"

# Refused: the host is not in the file.
grep -vF "[$ADDR]:$PORT " "$KH0" >"$T/kh_without" || true
use "$T/kh_without"
refused "host not on file"
grep -q "is not in $T/kh_without" "$T/err" || fail "the file is not named: $(cat "$T/err")"
grep -q 'ssh-keyscan' "$T/err" || fail "no hint how to add the key"
ok "host not on file: refused with $FP and the file named"

# Refused: another key for the host (line 2), both fingerprints shown.
ssh-keygen -q -t ed25519 -N '' -f "$T/otherkey"
printf '# other\n[%s]:%s %s\n' "$ADDR" "$PORT" "$(cut -d' ' -f1,2 "$T/otherkey.pub")" >"$T/kh_other"
OFP=$(ssh-keygen -l -f "$T/otherkey.pub" | awk '{print $2}')
use "$T/kh_other"
refused "another key"
grep -q 'HOST KEY CHANGED' "$T/err" || fail "not said to be changed: $(cat "$T/err")"
grep -qF "$OFP" "$T/err" || fail "the key on file ($OFP) is not shown"
grep -q "$T/kh_other line 2" "$T/err" || fail "file and line not named"
ok "another key on file: refused, both $FP and $OFP shown, file line 2"
sed 's/^/     /' "$T/err"

# Refused: only a key of another type on file for the host.
ssh-keygen -q -t ecdsa -N '' -f "$T/ecdsakey"
printf '[%s]:%s %s\n' "$ADDR" "$PORT" "$(cut -d' ' -f1,2 "$T/ecdsakey.pub")" >"$T/kh_type"
use "$T/kh_type"
refused "another key type"
grep -q 'another type' "$T/err" || fail "other type not said: $(cat "$T/err")"
ok "only an ecdsa key on file: refused"

# Refused: the plain host without its port (sshd is on $PORT, not 22).
echo "$line" | sed "s/^\[$ADDR\]:$PORT /$ADDR /" >"$T/kh_plain"
use "$T/kh_plain"
refused "plain host for port $PORT"
ok "plain host entry for a non-22 port: refused (as OpenSSH does)"

# Refused: the key is @revoked (even with a valid line beside it).
printf '@revoked %s\n%s\n' "$line" "$line" >"$T/kh_revoked"
use "$T/kh_revoked"
refused "revoked"
grep -q '@revoked' "$T/err" || fail "revocation not said"
ok "@revoked key: refused"

# Refused: a missing or unreadable file (fail closed).
use "$T/nonexistent"
refused "missing file"
grep -q "cannot read known_hosts $T/nonexistent" "$T/err" || fail "missing file not named"
ok "missing known_hosts: refused"
