#!/bin/bash
# Lab: a second instance on another NET and DIR comes up beside the main
# one without touching it, and "lab down" leaves no process, no listening
# port, no nftables table and no mount of it behind.
set -u
. "$(dirname "$0")/../lab/testlib.sh"
lab_require_up
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }

NET2=127.1.${NET##*.}
DIR2=${DRDECK_BIN:-$DRDECK_SRC/build}/lab-instance-test
lab2() { DRDECK_LAB_NET=$NET2 DRDECK_LAB_DIR=$DIR2 LAB_ROWS=3000 "$LAB" "$@"; }
trap 'lab2 destroy >/dev/null 2>&1' EXIT

lab2 destroy >/dev/null 2>&1
measure lab2 up
check "second lab up on $NET2 (${ELAPSED} ms)" test "$RC" = 0
check "second lab status all up" bash -c "DRDECK_LAB_NET=$NET2 DRDECK_LAB_DIR=$DIR2 $LAB status >/dev/null"
cfg=$(lab2 config)
check "its config is in its own folder ($cfg)" test "$cfg" = "$DIR2/drdeck.json"
check "its config names its own addresses" grep -q "\"$NET2.1\"" "$cfg"
measure lab2 up
check "lab up again when already up: ${ELAPSED} ms (< 10 s)" test "$RC" = 0 -a "$ELAPSED" -lt 10000
out=$(DRDECK_LAB_NET=$NET2 DRDECK_LAB_DIR=$DIR2 "$LAB" psql primary -Atc "SELECT count(*) > 0 FROM customers" 2>&1)
check "second lab psql works ($out)" test "$out" = t

lab2 fault primary netcut >/dev/null
check "the main lab's primary still answers during the second's netcut" lab_ssh primary 5 true
lab2 fault primary hang >/dev/null
check "the main lab's postgres still answers during the second's hang" lab_psql primary 5 -Atc 'SELECT 1'
lab2 heal primary >/dev/null

# every process of the second lab, before it goes down
pids=()
for h in primary backup; do
	for f in "$DIR2/$h/sshd/sshd.pid" "$DIR2/$h/nginx/nginx.pid" "$DIR2/$h/app/app.pid"; do
		p=$(cat "$f" 2>/dev/null) && pids+=("$p")
	done
	p=$(head -n1 "$DIR2/$h/pg/data/postmaster.pid" 2>/dev/null) && pids+=("$p")
done
p=$(cat "$DIR2/front/nginx.pid" 2>/dev/null) && pids+=("$p")
kids=()
for p in "${pids[@]}"; do
	kids+=($(ps -e -o pid=,ppid= | awk -v pp="$p" '$2 == pp { print $1 }'))
done
check "found the second lab's daemons (${#pids[@]}) and children (${#kids[@]})" \
	test "${#pids[@]}" = 9 -a "${#kids[@]}" -ge 6

measure lab2 down
check "second lab down (${ELAPSED} ms)" test "$RC" = 0
left=""
for p in "${pids[@]}" "${kids[@]}"; do
	st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) || continue
	[ "$st" = Z ] || left="$left $p($st)"
done
check "no process of the second lab left:${left:- none}" test -z "$left"
ports=$(ss -Hltn | awk '{print $4}' | grep -F "$NET2." || true)
check "no port listening on $NET2.x (${ports:-none})" test -z "$ports"
named=""
for f in /proc/[0-9]*/cmdline; do
	c=$(tr '\0' ' ' 2>/dev/null <"$f") || continue
	[[ $c == *"$DIR2/"* ]] && named="$named ${f//[^0-9]/}"
done
check "no process names its folder:${named:- none}" test -z "$named"
check "no nftables table of $NET2" bash -c "! nft list tables | grep -q 'drdeck_lab_${NET2//./_}_'"
check "no mount under its folder" bash -c "! grep -qF '$DIR2/' /proc/mounts"
check "the main lab is still up" bash -c "'$LAB' status >/dev/null"
finish
