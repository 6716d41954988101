#!/usr/bin/env bash
# alerts_smtp.sh: `drdeck status --alert` mails through a real SMTP server
# (OpenSMTPD on NET.4:2525, delivering each message to a file), beside
# the lab's alert command:
#   healthy -> nothing sent; the primary's health down -> one mail per
#   recipient, with its headers and the fact named; healed -> RECOVERED;
#   a password and a server without STARTTLS -> not sent, never in the
#   clear, the command channel still alerts and drdeck says SMTP failed;
#   the server down -> a one-line error naming the URL, the command
#   channel still alerts.
set -euo pipefail
SRC=${DRDECK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${DRDECK_BIN:-$SRC/build}
LAB=$SRC/tests/lab/lab
DRDECK=$BIN/drdeck
NAME=alerts_smtp
NET=${DRDECK_LAB_NET:-127.0.10}

"$LAB" status >/dev/null 2>&1 || { echo "$NAME: the lab is not up: skipped"; exit 77; }
command -v smtpd >/dev/null || { echo "FAIL $NAME: no smtpd (opensmtpd; tests/lab/deps.sh installs it)"; exit 1; }
. "$(dirname "$0")/it_common.bash"
FAIL_SHOW=$T/status.err
FAIL_SHOW_WHAT="drdeck status --alert's stderr"

ADDR=$NET.4
PORT=2525
# The delivery agent runs as nobody, who cannot enter $T (0700).
MAIL=$(mktemp -d /tmp/drdeck-mail.XXXXXX)
chmod 1777 "$MAIL"
on_exit "rm -rf '$MAIL'"
cat >"$T/smtpd.conf" <<CONF
table vusers { "@" = "nobody" }
listen on $ADDR port $PORT
action "keep" mda "/bin/sh -c 'cat > $MAIL/msg.\$\$\$\$'" virtual <vusers>
match from any for any action "keep"
CONF
chmod 600 "$T/smtpd.conf"

# In a mount namespace of its own, with its own /run (control socket)
# and queue: a system smtpd or another test run does not collide.
QUEUE=$T/queue
mkdir -m 711 "$QUEUE"
SMTPD_PID=
smtp_start() {
	unshare --mount --propagation private sh -c 'set -e
	    mount -t tmpfs -o mode=755 drdeck-smtpd /run
	    mount --bind "$1" /var/spool/smtpd
	    exec smtpd -d -f "$2"' sh "$QUEUE" "$T/smtpd.conf" \
	    >>"$T/smtpd.log" 2>&1 &
	SMTPD_PID=$!
	for _ in $(seq 50); do
		(exec 3<>"/dev/tcp/$ADDR/$PORT") 2>/dev/null && return 0
		sleep 0.1
	done
	cat "$T/smtpd.log" >&2
	fail "smtpd did not listen on $ADDR:$PORT"
}
smtp_stop() {
	[ -n "$SMTPD_PID" ] || return 0
	kill "$SMTPD_PID" 2>/dev/null || true
	wait "$SMTPD_PID" 2>/dev/null || true
	SMTPD_PID=
}
on_exit smtp_stop
on_exit "'$LAB' heal primary >/dev/null 2>&1"

# The lab's config with a console state of its own, the lab's alert
# command writing to $T/alerts.log, and mail.
jq --arg t "$T" --arg url "smtp://$ADDR:$PORT" '
    .state_dir = ($t + "/console") |
    .journal = {path: ($t + "/console/journal.jsonl")} |
    .alerts.command = [.alerts.command[0], ($t + "/alerts.log")] |
    .alerts.smtp = {url: $url, from: "drdeck@lab.test",
        to: ["ops@lab.test", "oncall@lab.test"]}' "$CFG0" >"$CFG"
chmod 600 "$CFG"
ALOG=$T/alerts.log

# status --alert; its stderr in $T/status.err; MS how long it took.
alert_run() {
	local t0
	t0=$(date +%s%N)
	"$DRDECK" --config "$CFG" status --alert >/dev/null 2>"$T/status.err" || true
	MS=$((($(date +%s%N) - t0) / 1000000))
}
# wait_mail N: until N messages are delivered (5 s).
wait_mail() {
	for _ in $(seq 50); do
		[ "$(find "$MAIL" -type f | wc -l)" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "$(find "$MAIL" -type f | wc -l) mails delivered, expected $1"
}
n_alerts() { grep -c '^===' "$ALOG" 2>/dev/null || true; }

smtp_start
"$LAB" heal primary >/dev/null 2>&1 || true
# The pair as the schedule leaves it (a fresh lab has no dump yet): a
# verified dump restored on the backup, so that the level is ok.
if ! "$DRDECK" --config "$CFG" status >"$T/status.txt" 2>&1; then
	"$DRDECK" --config "$CFG" backup >"$T/job.out" 2>&1 ||
		{ cat "$T/job.out"; fail "drdeck backup failed"; }
	"$DRDECK" --config "$CFG" restore >"$T/job.out" 2>&1 ||
		{ cat "$T/job.out"; fail "drdeck restore failed"; }
	"$DRDECK" --config "$CFG" status >"$T/status.txt" 2>&1 ||
		{ cat "$T/status.txt"; fail "the pair is not ok before the test"; }
fi
alert_run
[ -f "$T/console/status-alert.json" ] || fail "the healthy run recorded no state"
sleep 0.5
[ "$(find "$MAIL" -type f | wc -l)" = 0 ] || fail "mail sent while the pair is ok"
ok "healthy: recorded, nothing sent"

"$LAB" fault primary health >/dev/null
alert_run
grep -q 'alert sent' "$T/status.err" || fail "no 'alert sent'"
grep -q 'not by every channel' "$T/status.err" && fail "a channel failed"
wait_mail 2
for rcpt in ops@lab.test oncall@lab.test; do
	m=$(grep -l "^Delivered-To: $rcpt" "$MAIL"/* || true)
	[ -n "$m" ] || fail "nothing delivered to $rcpt"
	grep -q '^From: drdeck@lab.test' "$m" || fail "$rcpt: no From header"
	grep -q '^To: ops@lab.test, oncall@lab.test' "$m" || fail "$rcpt: To header"
	grep -Eq '^Subject: \[drdeck [^]]+\] WORSE: crit' "$m" || fail "$rcpt: subject $(grep '^Subject' "$m")"
	grep -Eq '^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} 20[0-9]{2} ' "$m" || fail "$rcpt: Date header"
	grep -q 'health' "$m" || fail "$rcpt: the body does not name the health fact"
	grep -q $'\r' "$m" && fail "$rcpt: stray carriage returns in what was delivered"
done
[ "$(n_alerts)" = 1 ] || fail "the command channel got $(n_alerts) alerts, expected 1"
ok "health down: one mail to each of 2 recipients (From, To, Date, Subject '$(grep -h '^Subject' "$MAIL"/* | head -n1 | cut -c10-)'), the command channel too"

"$LAB" heal primary >/dev/null
alert_run
wait_mail 4
grep -l '^Subject: .*RECOVERED' "$MAIL"/* >/dev/null || fail "no RECOVERED mail"
ok "healed: RECOVERED mailed"

# A password and a server that offers no STARTTLS: never sent in clear.
SECRET="lab-smtp-secret-$$"
jq '.alerts.smtp.user = "ops"' "$CFG" >"$T/c" && cat "$T/c" >"$CFG"
"$LAB" fault primary health >/dev/null
before=$(find "$MAIL" -type f | wc -l)
a0=$(n_alerts)
DRDECK_SMTP_PASSWORD=$SECRET alert_run
grep -q 'offers no STARTTLS' "$T/status.err" || fail "no word that STARTTLS is missing"
grep -q 'alert sent' "$T/status.err" || fail "the command channel did not take the alert"
grep -q 'not by every channel' "$T/status.err" || fail "the SMTP failure is not reported"
sleep 0.5
[ "$(find "$MAIL" -type f | wc -l)" = "$before" ] || fail "mail went out without TLS"
grep -qi 'AUTH' "$T/smtpd.log" && fail "an AUTH command reached the server in the clear"
grep -rq -- "$SECRET" "$T/smtpd.log" "$MAIL" "$ALOG" "$T/console" && fail "the password is on disk"
[ "$(n_alerts)" = $((a0 + 1)) ] || fail "the command channel did not alert"
ok "password without STARTTLS: not sent, no AUTH in the clear; '$(grep -o 'offers no STARTTLS[^;]*' "$T/status.err")'; the command channel alerted"
jq 'del(.alerts.smtp.user)' "$CFG" >"$T/c" && cat "$T/c" >"$CFG"

# The mail server down: the error names the URL; the command still alerts.
smtp_stop
"$LAB" heal primary >/dev/null
a0=$(n_alerts)
alert_run
grep -q "alert: SMTP smtp://$ADDR:$PORT: " "$T/status.err" || fail "the error does not name the SMTP URL"
[ "$(grep -c . "$T/status.err")" -le 3 ] || fail "more than a few lines of error"
[ "$(n_alerts)" = $((a0 + 1)) ] || fail "the command channel did not alert"
[ "$MS" -lt 35000 ] || fail "took $MS ms with the server down"
ok "SMTP down: '$(grep -o 'alert: SMTP.*' "$T/status.err" | head -n1)' in $MS ms; the command channel alerted"
