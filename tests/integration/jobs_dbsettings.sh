#!/bin/bash
# jobs_dbsettings: the backup's live rabspocdb keeps its database-level
# settings across `drdeck backup` + `drdeck restore`, although the dump
# (made without --create) has none of them: ALTER DATABASE ... SET
# (a list-valued search_path with odd elements, a custom parameter),
# ALTER ROLE ... IN DATABASE ... SET, the database's privileges (CONNECT
# revoked from PUBLIC and granted to rabs_readonly; a grant made by a
# holder of a grant option), its connection limit and its comment.  The
# restore's settings step names what it carried.  The lab's own state
# (none of these) is put back at the end.
. "$(dirname "$0")/jobs_lib.bash"

GUEST='dbsettings guest'	# a role of this test only (quoted: a space)

sql_backup() { # sql_backup SQL... -> unaligned tuples, from the postgres db
	local a=() s
	for s in "$@"; do a+=(-c "$s"); done
	lab psql backup -d postgres -q -At -v ON_ERROR_STOP=1 "${a[@]}"
}
# Everything carried, of the backup's live rabspocdb, one item a line.
props() {
	sql_backup "SELECT 'limit ' || datconnlimit || ', comment ' ||
			quote_nullable(shobj_description(oid, 'pg_database')) ||
			', acl ' || coalesce(datacl::text, 'NULL')
		FROM pg_database WHERE datname = 'rabspocdb'" \
		"SELECT 'set ' || coalesce(nullif(s.setrole, 0)::regrole::text,
			'(database)') || ' ' || s.setconfig::text
		FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
		WHERE d.datname = 'rabspocdb' ORDER BY s.setrole"
}
oid_of_live() {
	sql_backup "SELECT oid FROM pg_database WHERE datname = 'rabspocdb'"
}

# What the lab makes (and what is put back): none of them.
lab_default="limit -1, comment NULL, acl NULL"
[ "$(props)" = "$lab_default" ] ||
	fail "the backup's rabspocdb has settings of its own before the test: $(props)"

# Back to the lab's state, on the live copy and the others of this run.
# No GRANT gives back a NULL (default) ACL: the catalog is set directly,
# once the grants to other roles (the only ones in pg_shdepend) are gone.
reset_db() {
	local db=$1
	sql_backup "ALTER DATABASE $db RESET ALL" \
		"ALTER ROLE rabsapp IN DATABASE $db RESET ALL" \
		"ALTER ROLE rabs_readonly IN DATABASE $db RESET ALL" \
		"ALTER DATABASE $db CONNECTION LIMIT -1" \
		"COMMENT ON DATABASE $db IS NULL" \
		"REVOKE ALL ON DATABASE $db FROM rabs_readonly CASCADE" \
		"UPDATE pg_database SET datacl = NULL WHERE datname = '$db'" >/dev/null
}
# The guest's grant goes with rabs_readonly's (CASCADE), then the guest.
restore_lab() {
	local db
	for db in $(sql_backup "SELECT datname FROM pg_database WHERE datname
			IN ('rabspocdb', 'rabspocdb_prev', 'rabspocdb_staging')"); do
		reset_db "$db"
	done
	sql_backup "DROP ROLE IF EXISTS \"$GUEST\"" >/dev/null
}
on_exit restore_lab

sql_backup "CREATE ROLE \"$GUEST\" NOLOGIN" \
	"ALTER DATABASE rabspocdb SET work_mem = '7MB'" \
	"ALTER DATABASE rabspocdb SET search_path = \"\$user\", public, \"Odd \"\"x\"\" y\"" \
	"ALTER DATABASE rabspocdb SET dbsettings.note = 'it''s | a test'" \
	"ALTER ROLE rabsapp IN DATABASE rabspocdb SET statement_timeout = '30s'" \
	"ALTER ROLE rabs_readonly IN DATABASE rabspocdb SET default_transaction_read_only = on" \
	"REVOKE CONNECT ON DATABASE rabspocdb FROM PUBLIC" \
	"GRANT CONNECT ON DATABASE rabspocdb TO rabs_readonly" \
	"GRANT TEMPORARY ON DATABASE rabspocdb TO rabs_readonly WITH GRANT OPTION" \
	"SET ROLE rabs_readonly" \
	"GRANT TEMPORARY ON DATABASE rabspocdb TO \"$GUEST\"" \
	"RESET ROLE" \
	"ALTER DATABASE rabspocdb CONNECTION LIMIT 20" \
	"COMMENT ON DATABASE rabspocdb IS E'The standby''s copy;\nsecond line | with a bar'" >/dev/null
before=$(props)
echo "$before" | sed 's/^/    before: /'
oid0=$(oid_of_live)

id=$(insert_marker primary)
run_drdeck backup
[ "$RC" = 0 ] || fail "backup exited $RC"
run_drdeck restore
[ "$RC" = 0 ] || fail "restore exited $RC"
has_marker backup "$id" || fail "marker row $id is not on the backup: not restored"
[ "$(oid_of_live)" != "$oid0" ] || fail "the live rabspocdb is still the old one (oid $oid0)"
grep -q "settings ok .* 5 settings, 4 grants, connection limit 20, comment carried from rabspocdb$" "$T/out" ||
	fail "the settings step does not name what it carried"
ok "restore: a new rabspocdb is live; 5 settings, 4 grants, the limit and the comment carried"

after=$(props)
[ "$after" = "$before" ] ||
	fail "the live rabspocdb's settings changed across the restore:
before:
$before
after:
$after"
# And as the server applies them.
v=$(lab psql backup -At -c "SHOW work_mem" -c "SHOW search_path" -c "SHOW dbsettings.note")
[ "$v" = "$(printf '7MB\n"$user", public, "Odd ""x"" y"\nit'"'"'s | a test')" ] ||
	fail "a session on rabspocdb sees: $v"
[ "$(sql_backup "SELECT has_database_privilege('rabs_readonly', 'rabspocdb', 'CONNECT'),
		has_database_privilege('$GUEST', 'rabspocdb', 'CONNECT'),
		has_database_privilege('$GUEST', 'rabspocdb', 'TEMPORARY')")" = "t|f|t" ] ||
	fail "privileges on rabspocdb are not as granted"
[ "$(health backup)" = 200 ] || fail "backup /health is not 200 after the restore"
ok "the live rabspocdb has its settings, grants, limit and comment exactly as before"
