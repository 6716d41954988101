#!/bin/bash
# Lab: /health is 200 on both hosts and on the public front; 503 after
# "fault HOST health" (the app stopped), 200 again after heal; the app and
# web service scripts report and act; cutover moves the public URL.
set -u
. "$(dirname "$0")/../lab/testlib.sh"
lab_require_up
trap '"$LAB" heal primary >/dev/null 2>&1; "$LAB" heal backup >/dev/null 2>&1; "$LAB" cutover primary >/dev/null 2>&1' EXIT

for host in primary backup; do
	a=$(addr "$host")
	code=$(http_code "http://$a:8080/health")
	check "$host: /health 200 ($code)" test "$code" = 200
	"$LAB" fault "$host" health >/dev/null
	code=$(http_code "http://$a:8080/health")
	check "$host: /health 503 with the app down ($code)" test "$code" = 503
	if "$LABDIR/$host/bin/app" status >/dev/null; then
		bad "$host: app status says running while stopped"
	else
		ok "$host: app status exit non-zero while stopped"
	fi
	"$LAB" heal "$host" >/dev/null
	code=$(http_code "http://$a:8080/health")
	check "$host: /health 200 after heal ($code)" test "$code" = 200
	# the service scripts as the console runs them, over ssh
	lab_ssh "$host" 5 "'$LABDIR/$host/bin/app' stop" >/dev/null 2>&1
	code=$(http_code "http://$a:8080/health")
	check "$host: bin/app stop over ssh -> 503 ($code)" test "$code" = 503
	measure lab_ssh "$host" 5 "'$LABDIR/$host/bin/app' start"
	check "$host: bin/app start over ssh returns (${ELAPSED} ms)" test "$RC" = 0 -a "$ELAPSED" -lt 5000
	code=$(http_code "http://$a:8080/health")
	check "$host: bin/app start over ssh -> 200 ($code)" test "$code" = 200
	lab_ssh "$host" 5 "'$LABDIR/$host/bin/web' stop" >/dev/null 2>&1
	code=$(http_code "http://$a:8080/health" 2)
	check "$host: bin/web stop -> nothing answers ($code)" test "$code" = 000
	check "$host: bin/web status non-zero when stopped" bash -c "! '$LABDIR/$host/bin/web' status >/dev/null"
	lab_ssh "$host" 5 "'$LABDIR/$host/bin/web' start" >/dev/null 2>&1
	code=$(http_code "http://$a:8080/health")
	check "$host: bin/web start -> 200 ($code)" test "$code" = 200
done

body=$(curl -s -m 3 "http://$FRONT:8080/health")
check "front serves the primary ($body)" grep -q '"primary"' <<<"$body"
"$LAB" cutover backup >/dev/null
body=$(curl -s -m 3 "http://$FRONT:8080/health")
check "after cutover backup the front serves the backup ($body)" grep -q '"backup"' <<<"$body"
"$LAB" fault primary health >/dev/null
code=$(http_code "http://$FRONT:8080/health")
check "front stays 200 while the primary's app is down ($code)" test "$code" = 200
"$LAB" cutover primary >/dev/null
code=$(http_code "http://$FRONT:8080/health")
check "cut back to the primary whose app is down: 503 ($code)" test "$code" = 503
"$LAB" heal primary >/dev/null
body=$(curl -s -m 3 "http://$FRONT:8080/health")
check "front serves the primary again ($body)" grep -q '"primary"' <<<"$body"
finish
