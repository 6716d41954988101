#!/bin/bash
# Resizes at any time: 200x60 -> 80x24 -> 60x20 (the too-small screen)
# -> back; NO_COLOR=1 still shows levels by symbol; a non-UTF-8 locale
# gets ASCII.
. "$(dirname "$0")/lib.bash"
need_lab

start 200 60 --
wait_for 20 'primary +round .*backup +round'
screen | grep -q 'Database: SELECT 1' || fail "no labels at 200x60"
T resize-window -t S -x 80 -y 24
wait_for 3 ' [0-9]+s old'
[ "$(screen | wc -L)" -le 80 ] || fail "wider than 80"
screen | sed -n 24p | grep -q 'f/c/d flows' || fail "no footer at 80x24"
ok "80x24"
T resize-window -t S -x 60 -y 20
wait_for 3 'terminal too small \(need 80×24\)'
ok "60x20 too small"
T resize-window -t S -x 120 -y 40
wait_for 3 'data [0-9]+s old'
screen | sed -n 40p | grep -q 'f failover' || fail "no footer at 120x40"
key '?'
wait_for 2 'a typed confirmation'
key Escape
ok "back to 120x40, keys answer"
key q
wait_exit 10
T kill-session -t S

# NO_COLOR: no color escapes, levels by symbol.
start 120 40 NO_COLOR=1 --
wait_for 20 'primary +round .*backup +round'
screen_attrs | grep -Eq $'\e\\[[0-9;]*(3[0-7]|4[0-7]|38;|48;)' &&
    fail "color escapes with NO_COLOR"
screen | grep -Eq '^.reach +│[✓!✗?] ' || fail "no level symbol"
ok "NO_COLOR: symbols, no color"
key q
wait_exit 10
T kill-session -t S

# A terminal without colors (vt100): the same, by terminfo.
start 120 40 TERM=vt100 --
wait_for 20 'primary +round .*backup +round'
screen_attrs | grep -Eq $'\e\\[[0-9;]*(3[0-7]|4[0-7]|38;|48;)' &&
    fail "color escapes on a vt100"
screen | grep -Eq '^.reach +│[✓!✗?] ' || fail "no level symbol on a vt100"
ok "TERM=vt100: symbols, no color"
key q
wait_exit 10
T kill-session -t S

# A locale that is not UTF-8: ASCII symbols and lines.
start 120 40 LANG=C LC_ALL=C --
wait_for 20 '\|[+!x?] primary +round'
screen | grep -q '[^ -~]' && fail "non-ASCII cells in a C locale"
ok "C locale: ASCII"
key q
wait_exit 10
