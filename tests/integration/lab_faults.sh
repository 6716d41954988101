#!/bin/bash
# Lab: the faults do what they say.  After "fault primary hang" and after
# "fault primary netcut" a connect with a 2 s timeout (ssh, libpq, HTTP)
# fails in about 2 s; after "crash" it is refused at once; "diskfull"
# makes writes in the dump folder fail with ENOSPC; after heal everything
# answers again; the backup is untouched by the primary's faults.
set -u
. "$(dirname "$0")/../lab/testlib.sh"
lab_require_up
trap '"$LAB" heal primary >/dev/null 2>&1' EXIT

LO=1800 HI=4500	# a 2 s timeout, measured in ms

probe_all() { # KIND LO HI: every client must fail within [LO, HI] ms
	local what=$1 lo=$2 hi=$3
	measure lab_ssh primary 2 true
	check "$what: ssh fails in ${ELAPSED} ms (want $lo..$hi)" \
		test "$RC" != 0 -a "$ELAPSED" -ge "$lo" -a "$ELAPSED" -le "$hi"
	measure lab_psql primary 2 -Atc 'SELECT 1'
	check "$what: psql fails in ${ELAPSED} ms (want $lo..$hi)" \
		test "$RC" != 0 -a "$ELAPSED" -ge "$lo" -a "$ELAPSED" -le "$hi"
	measure curl -sf --connect-timeout 2 -m 2 "http://$PRIMARY:8080/health"
	check "$what: http fails in ${ELAPSED} ms (want $lo..$hi)" \
		test "$RC" != 0 -a "$ELAPSED" -ge "$lo" -a "$ELAPSED" -le "$hi"
	measure lab_ssh backup 5 true
	check "$what: the backup still answers ssh (${ELAPSED} ms)" test "$RC" = 0 -a "$ELAPSED" -lt 5000
}

answers_all() {
	local what=$1
	measure lab_ssh primary 5 true
	check "$what: ssh answers (${ELAPSED} ms)" test "$RC" = 0 -a "$ELAPSED" -lt 5000
	out=$(lab_psql primary 5 -Atc 'SELECT 1' 2>&1)
	check "$what: psql answers ($out)" test "$out" = 1
	code=$(http_code "http://$PRIMARY:8080/health")
	check "$what: /health 200 ($code)" test "$code" = 200
}

answers_all "before"

"$LAB" fault primary hang >/dev/null
st=$(awk '{print $3}' "/proc/$(cat "$LABDIR/primary/sshd/sshd.pid")/stat")
check "hang: sshd is stopped (state $st)" test "$st" = T
# a hung host still accepts TCP (kernel backlog) but says nothing
measure timeout 2 bash -c "exec 3<>/dev/tcp/$PRIMARY/2222; read -t 1 -r line <&3"
check "hang: TCP connects but no banner comes" test "$RC" != 0
probe_all hang $LO $HI
"$LAB" heal primary >/dev/null
answers_all "heal after hang"

"$LAB" fault primary netcut >/dev/null
check "netcut: nftables table present" nft list table ip "drdeck_lab_${NET//./_}_primary"
probe_all netcut $LO $HI
"$LAB" heal primary >/dev/null
check "netcut: table gone after heal" bash -c "! nft list table ip 'drdeck_lab_${NET//./_}_primary' 2>/dev/null"
answers_all "heal after netcut"

"$LAB" fault primary crash >/dev/null
probe_all crash 0 1000
"$LAB" heal primary >/dev/null
answers_all "heal after crash"

"$LAB" fault primary diskfull >/dev/null
err=$(lab_ssh primary 5 "head -c 1048576 /dev/zero > '$LABDIR/primary/dumps/probe.part'" 2>&1)
rc=$?
check "diskfull: a write in dumps fails ($err)" test "$rc" != 0
check "diskfull: with ENOSPC" grep -q "No space left on device" <<<"$err"
check "diskfull: the backup's dumps take writes" \
	lab_ssh backup 5 "head -c 1048576 /dev/zero > '$LABDIR/backup/dumps/probe.part' && rm '$LABDIR/backup/dumps/probe.part'"
"$LAB" heal primary >/dev/null
check "heal after diskfull: a write in dumps works" \
	lab_ssh primary 5 "rm -f '$LABDIR/primary/dumps/probe.part'; head -c 1048576 /dev/zero > '$LABDIR/primary/dumps/probe.part' && rm '$LABDIR/primary/dumps/probe.part'"
answers_all "heal after diskfull"

# every fault at once, healed in one go
for f in health diskfull netcut hang; do "$LAB" fault primary "$f" >/dev/null; done
"$LAB" heal primary >/dev/null
answers_all "heal after all faults"
check "status all up after heal" "$LAB" status
finish
