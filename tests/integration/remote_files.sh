#!/bin/bash
# remote_files: the file operations of the ssh transport on the lab's
# backup: mkdir (with parents, twice), write_file (tmp + rename, exact
# mode), read_file (and its size limit), stat, list, rename over an
# existing file, remove (a file, an empty folder, a missing path),
# free_space against df, sha256 against sha256sum, get with its sha256
# check; names with spaces, quotes and a leading dash.
. "$(dirname "$0")/remote_lib.bash"

D=$LABDIR/backup/dumps/drdeck-files-$$
on_exit "rm -rf '$D'"
N="$D/sub dir/it's -x"

drv "$CFG" backup mkdir "$D/sub dir"
[ "$RC" = 0 ] && [ -d "$D/sub dir" ] || fail "mkdir with parents: $(cat "$T/err")"
drv "$CFG" backup mkdir "$D/sub dir"
[ "$RC" = 0 ] || fail "mkdir of an existing folder failed"
ok "mkdir: parents made, an existing folder is fine"

printf 'hello\nworld\n' | "$DRV" "$CFG" backup write "$N" >"$T/out" 2>"$T/err" || fail "write: $(cat "$T/err")"
[ "$(cat "$N")" = "$(printf 'hello\nworld')" ] || fail "write: content $(cat "$N")"
[ "$(stat -c %a "$N")" = 600 ] || fail "write: mode $(stat -c %a "$N")"
[ -e "$N.tmp" ] && fail "write left $N.tmp"
drv "$CFG" backup read "$N"
[ "$RC" = 0 ] && [ "$(cat "$T/out")" = "$(printf 'hello\nworld')" ] || fail "read: $(cat "$T/out")"
head -c 1100000 /dev/zero >"$D/big"
drv "$CFG" backup read "$D/big"
[ "$RC" != 0 ] && grep -q 'larger than' "$T/err" || fail "read of a file past the limit: $(cat "$T/err")"
ok "write_file (mode 0600, no .tmp left), read_file, its size limit"

drv "$CFG" backup stat "$N"
grep -q '^exists=1 dir=0 size=12 ' "$T/out" || fail "stat: $(cat "$T/out")"
drv "$CFG" backup stat "$D/sub dir"
grep -q '^exists=1 dir=1 ' "$T/out" || fail "stat dir: $(cat "$T/out")"
drv "$CFG" backup stat "$D/nothing"
[ "$RC" = 0 ] && grep -q '^exists=0 ' "$T/out" || fail "stat missing: $(cat "$T/out")"
want_mtime=$(stat -c %Y "$N")
drv "$CFG" backup stat "$N"
grep -q "mtime=$want_mtime\$" "$T/out" || fail "stat mtime: $(cat "$T/out"), expected $want_mtime"
drv "$CFG" backup list "$D"
[ "$(sort "$T/out" | sed 's|^\(sub dir/\) [0-9]*$|\1|' | tr '\n' '|')" = "big 1100000|sub dir/|" ] ||
	fail "list: $(cat "$T/out")"
ok "stat (file, folder, missing, mtime), list"

echo other >"$D/target"
drv "$CFG" backup rename "$N" "$D/target"
[ "$RC" = 0 ] || fail "rename over an existing file: $(cat "$T/err")"
[ "$(cat "$D/target")" = "$(printf 'hello\nworld')" ] && [ ! -e "$N" ] || fail "rename: wrong result"
drv "$CFG" backup rename "$D/target" "$N"
[ "$RC" = 0 ] && [ -f "$N" ] || fail "rename to a new name"
ok "rename over an existing file and to a new name"

drv "$CFG" backup sha256 "$N"
[ "$(cat "$T/out")" = "$(sha256sum <"$N" | cut -c1-64)" ] || fail "sha256: $(cat "$T/out")"
drv "$CFG" backup get "$N" "$T/got"
[ "$RC" = 0 ] && cmp -s "$N" "$T/got" || fail "get: $(cat "$T/err")"
[ -e "$T/got.part" ] && fail "get left a .part"
ok "sha256 on the host equals sha256sum's; get arrives whole, no .part left"

# get resumes a local .part that holds a prefix of the host's file, and
# starts over one that does not.
head -c 5000000 /dev/urandom >"$D/five"
head -c 2000000 "$D/five" >"$T/five.part"
drv "$CFG" backup get "$D/five" "$T/five"
[ "$RC" = 0 ] && cmp -s "$D/five" "$T/five" || fail "resumed get: $(cat "$T/err")"
first=$(sed -n 's/^first-progress: \([0-9]*\) .*/\1/p' "$T/err")
[ "$first" -gt 2000000 ] || fail "get not resumed: first progress $first"
resumed=$first
rm -f "$T/five"
head -c 2000000 /dev/urandom >"$T/five.part"
drv "$CFG" backup get "$D/five" "$T/five"
[ "$RC" = 0 ] && cmp -s "$D/five" "$T/five" || fail "get over a foreign .part: $(cat "$T/err")"
first=$(sed -n 's/^first-progress: \([0-9]*\) .*/\1/p' "$T/err")
[ "$first" -le 2000000 ] || fail "a foreign .part was resumed (first progress $first)"
[ -e "$T/five.part" ] && fail "get left a .part"
ok "get resumes a .part holding a prefix (first progress $resumed), starts over a foreign one ($first)"

drv "$CFG" backup free "$D"
read -r f tot < <(df -B1 --output=avail,size "$D" | tail -n1)
got_f=$(sed -n 's/^free=\([0-9]*\) .*/\1/p' "$T/out")
got_t=$(sed -n 's/.* total=\([0-9]*\)$/\1/p' "$T/out")
[ "$got_t" = "$tot" ] || fail "total $got_t, df says $tot"
diff=$((got_f - f))
[ "${diff#-}" -lt $((4 * 1024 * 1024)) ] || fail "free $got_f, df says $f"
ok "free_space matches df"

drv "$CFG" backup remove "$N"
[ "$RC" = 0 ] && [ ! -e "$N" ] || fail "remove a file"
drv "$CFG" backup remove "$N"
[ "$RC" = 0 ] || fail "remove of a missing path failed"
drv "$CFG" backup remove "$D/sub dir"
[ "$RC" = 0 ] && [ ! -e "$D/sub dir" ] || fail "remove an empty folder: $(cat "$T/err")"
ok "remove: a file, a missing path, an empty folder"
