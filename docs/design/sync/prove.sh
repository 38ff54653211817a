#!/usr/bin/env bash
# Proves the sk sync remote design against a real PostgreSQL server.
# Creates a fresh database sk_sync_proof_<random> and per-run roles, drops all at the end.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
HOST=${PGHOST_PROOF:-127.0.0.1}
SU=${PGSU:-postgres}
R=$(tr -dc a-z0-9 </dev/urandom | head -c 8)
DB=sk_sync_proof_$R
OWNER=skp_${R}_owner
USERS=skp_${R}_user
ALICE=skp_${R}_alice
BOB=skp_${R}_bob
CAROL=skp_${R}_carol
T=$(mktemp -d)
PASS=0; FAIL=0

export PGOPTIONS='-c client_min_messages=warning'
su_psql() { psql -h "$HOST" -U "$SU" -X -q -v ON_ERROR_STOP=1 "$@"; }
as() { local u=$1; shift; psql -h "$HOST" -U "$u" -d "$DB" -X -At -v ON_ERROR_STOP=1 "$@" 2>&1; }
ok()   { PASS=$((PASS+1)); echo "PASS: $1"; }
bad()  { FAIL=$((FAIL+1)); echo "FAIL: $1"; echo "      got: $2"; }
# expect_out USER EXPECTED SQL DESC  -- output must equal EXPECTED
expect_out() { local got; got=$(as "$1" -c "$3"); [ "$got" = "$2" ] && ok "$4 [$(echo $got)]" || bad "$4" "$got"; }
# expect_err USER REGEX SQL DESC     -- must fail with an error matching REGEX
expect_err() { local got rc; got=$(as "$1" -c "$3"); rc=$?
  if [ $rc -ne 0 ] && echo "$got" | grep -Eq "$2"; then ok "$4 [$(echo "$got" | grep -m1 ERROR)]"; else bad "$4" "rc=$rc $got"; fi; }

cleanup() {
  for s in s1 s2 s3; do [ -n "${PID[$s]:-}" ] && kill "${PID[$s]}" 2>/dev/null; done
  su_psql -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
  for r in $ALICE $BOB $CAROL $USERS $OWNER; do su_psql -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null; done
  rm -rf "$T"
  echo "cleanup: dropped database $DB and roles skp_${R}_*"
}
declare -A PID FD
trap cleanup EXIT

echo "== setup: database $DB, $(psql -h "$HOST" -U "$SU" -d postgres -XAtc 'select version()' | cut -d' ' -f1-2)"
su_psql -d postgres -c "CREATE DATABASE $DB" || exit 1
su_psql -d "$DB" -v owner_role="$OWNER" -v user_role="$USERS" -f "$HERE/admin.sql" >/dev/null || { echo "admin.sql failed"; exit 1; }
su_psql -d "$DB" -v owner_role="$OWNER" -v user_role="$USERS" -1 -f "$HERE/remote.sql" >/dev/null || { echo "remote.sql failed"; exit 1; }
su_psql -d "$DB" -v owner_role="$OWNER" -v user_role="$USERS" -1 -f "$HERE/remote.sql" >/dev/null \
  && ok "remote.sql re-run at the same version is a no-op (idempotent migration)" || bad "remote.sql re-run" "error"
su_psql -d "$DB" <<SQL >/dev/null || { echo "user setup failed"; exit 1; }
CREATE ROLE $ALICE LOGIN; CREATE ROLE $BOB LOGIN; CREATE ROLE $CAROL LOGIN;
GRANT $USERS TO $ALICE, $BOB, $CAROL;
ALTER ROLE $ALICE SET idle_in_transaction_session_timeout = '60s';
SET ROLE $OWNER;
INSERT INTO sk_sync.teams (team) VALUES ('A'), ('B');
INSERT INTO sk_sync.memberships (team, member) VALUES ('A', '$ALICE'), ('A', '$CAROL'), ('B', '$BOB');
SQL
echo "   users: alice=$ALICE (team A), carol=$CAROL (team A), bob=$BOB (team B)"

RA=aaaaaaaa-0000-0000-0000-000000000001   # alice laptop
RA2=aaaaaaaa-0000-0000-0000-000000000002  # alice desktop
RB=bbbbbbbb-0000-0000-0000-000000000001   # bob laptop
push() { # push USER TEAM REPLICA SEQ...  -> prints the INSERT command tag
  local u=$1 team=$2 rep=$3; shift 3; local vals="" s
  for s in "$@"; do vals+="${vals:+,}('$team','$rep',$s,($(date +%s%3N)::bigint<<16)+$s,'entry','k$s','put','{\"text\":\"lesson $s\"}')"; done
  psql -h "$HOST" -U "$u" -d "$DB" -X -v ON_ERROR_STOP=1 -c \
   "INSERT INTO sk_sync.changes (team, replica_id, seq, hlc, entity, entity_key, op, payload) VALUES $vals ON CONFLICT (team, replica_id, seq) DO NOTHING" 2>&1; }
expect_push() { local got; got=$(push "${@:2}"); [ "$got" = "$1" ] && ok "$PUSHDESC [$got]" || bad "$PUSHDESC" "$got"; }

echo; echo "== 1. replicas: registered only as oneself, only in one's own team"
expect_out $ALICE "INSERT 0 1" "INSERT INTO sk_sync.replicas (replica_id, team, label) VALUES ('$RA','A','alice-laptop')" "alice registers her laptop replica in team A"
expect_out $ALICE "INSERT 0 1" "INSERT INTO sk_sync.replicas (replica_id, team, label) VALUES ('$RA2','A','alice-desktop')" "alice registers her desktop replica in team A"
expect_out $BOB   "INSERT 0 1" "INSERT INTO sk_sync.replicas (replica_id, team, label) VALUES ('$RB','B','bob-laptop')" "bob registers his replica in team B"
expect_err $BOB "row-level security" "INSERT INTO sk_sync.replicas (replica_id, team) VALUES (gen_random_uuid(),'A')" "bob cannot register a replica in team A"
expect_err $BOB "permission denied" "INSERT INTO sk_sync.replicas (replica_id, team, owner) VALUES (gen_random_uuid(),'B','$ALICE')" "bob cannot register a replica owned by alice (owner column not grantable)"
expect_err $BOB "duplicate key" "INSERT INTO sk_sync.replicas (replica_id, team) VALUES ('$RA','B')" "bob cannot claim alice's replica id in team B"
expect_out $BOB "INSERT 0 0" "INSERT INTO sk_sync.replicas (replica_id, team) VALUES ('$RA','B') ON CONFLICT DO NOTHING" "  ... even with ON CONFLICT DO NOTHING it stays alice's (0 rows)"
expect_out $BOB "$RB|B|$BOB" "SELECT replica_id, team, owner FROM sk_sync.replicas" "bob sees only team B's replicas"

echo; echo "== 2. push, idempotent re-push"
PUSHDESC="alice pushes seq 1..3 from her laptop";      expect_push "INSERT 0 3" $ALICE A $RA 1 2 3
PUSHDESC="re-push of the same batch is a no-op";        expect_push "INSERT 0 0" $ALICE A $RA 1 2 3
PUSHDESC="overlapping batch seq 3..4 adds only seq 4";  expect_push "INSERT 0 1" $ALICE A $RA 3 4
expect_out $ALICE "4|4" "SELECT count(*), max(seq) FROM sk_sync.changes WHERE replica_id='$RA'" "alice's replica has exactly seq 1..4 (client resumes from max(seq))"
expect_out $ALICE "$ALICE" "SELECT DISTINCT author FROM sk_sync.changes" "author is set by the server to the pushing role"

echo; echo "== 3. team isolation: bob (team B) vs team A's rows, hand-written SQL"
expect_out $BOB "0" "SELECT count(*) FROM sk_sync.changes" "bob cannot SELECT team A's changes (sees 0 rows)"
expect_out $BOB "B" "SELECT string_agg(team, ',') FROM sk_sync.teams" "bob sees only team B in teams"
expect_out $BOB "B|$BOB" "SELECT team, member FROM sk_sync.memberships" "bob sees only his own membership"
expect_out $CAROL "4" "SELECT count(*) FROM sk_sync.changes" "carol (team A) sees alice's 4 rows"
expect_err $BOB "row-level security" "INSERT INTO sk_sync.changes (team, replica_id, seq, hlc, entity, entity_key, op) VALUES ('A','$RB',1,1,'entry','x','put')" "bob cannot INSERT into team A (even with his own replica)"
expect_err $BOB "row-level security" "INSERT INTO sk_sync.changes (team, replica_id, seq, hlc, entity, entity_key, op) VALUES ('B','$RA',99,1,'entry','x','put')" "bob cannot INSERT into team B with alice's replica id (forged replica)"
expect_err $BOB "row-level security" "INSERT INTO sk_sync.changes (team, replica_id, seq, hlc, entity, entity_key, op) VALUES ('A','$RA',1,1,'entry','x','put') ON CONFLICT DO NOTHING" "bob's forged push of an existing (A, alice, 1) errors, not a silent no-op"
expect_err $BOB "permission denied" "INSERT INTO sk_sync.changes (team, replica_id, seq, hlc, entity, entity_key, op, author) VALUES ('B','$RB',1,1,'entry','x','put','$ALICE')" "bob cannot set author"
expect_err $BOB "permission denied" "INSERT INTO sk_sync.changes (team, replica_id, seq, hlc, entity, entity_key, op, xid) VALUES ('B','$RB',1,1,'entry','x','put','1')" "bob cannot set the cursor xid"
expect_err $BOB "permission denied" "UPDATE sk_sync.changes SET payload = '{}'" "bob cannot UPDATE changes"
expect_err $BOB "permission denied" "DELETE FROM sk_sync.changes" "bob cannot DELETE changes"
expect_err $BOB "permission denied" "TRUNCATE sk_sync.changes" "bob cannot TRUNCATE changes"
expect_err $ALICE "permission denied" "DELETE FROM sk_sync.changes WHERE replica_id='$RA'" "alice cannot DELETE even her own rows (append-only)"
expect_err $ALICE "permission denied" "UPDATE sk_sync.changes SET op='forget' WHERE replica_id='$RA'" "alice cannot UPDATE even her own rows"
expect_err $BOB "permission denied" "INSERT INTO sk_sync.memberships VALUES ('A','$BOB')" "bob cannot add himself to team A"
expect_err $BOB "permission denied" "UPDATE sk_sync.replicas SET owner='$BOB'" "bob cannot take over a replica"
expect_err $BOB "must be owner" "ALTER TABLE sk_sync.changes DISABLE ROW LEVEL SECURITY" "bob cannot disable RLS"
expect_err $BOB "permission denied" "SET ROLE $OWNER" "bob cannot become the schema owner"
expect_err $BOB "permission denied" "CREATE TABLE sk_sync.t (x int)" "bob cannot create objects in sk_sync"
expect_err $BOB "permission denied" "SELECT * FROM sk_sync.changes FOR UPDATE" "bob cannot lock rows (SELECT FOR UPDATE needs UPDATE)"
PUSHDESC="bob pushes to team B with his own replica";  expect_push "INSERT 0 1" $BOB B $RB 1
expect_out $ALICE "4" "SELECT count(*) FROM sk_sync.changes" "alice still sees only team A's 4 rows"
su_psql -d "$DB" -c "SET ROLE $OWNER; DELETE FROM sk_sync.memberships WHERE team='A' AND member='$ALICE'" >/dev/null
expect_err $ALICE "row-level security" "INSERT INTO sk_sync.changes (team, replica_id, seq, hlc, entity, entity_key, op) VALUES ('A','$RA',5,1,'entry','x','put')" "alice removed from team A: her registered replica can no longer push"
expect_out $ALICE "0" "SELECT count(*) FROM sk_sync.changes" "  ... and she can no longer read team A"
su_psql -d "$DB" -c "SET ROLE $OWNER; INSERT INTO sk_sync.memberships VALUES ('A','$ALICE')" >/dev/null
expect_out $SU "true|true|true|true" "SELECT string_agg(relforcerowsecurity::text, '|' ORDER BY relname) FROM pg_class WHERE relnamespace='sk_sync'::regnamespace AND relkind='r' AND relname<>'meta'" "RLS is FORCED on changes, memberships, replicas, teams"

echo; echo "== 4. schema version check an older client runs before anything else"
# A client built for schema version :client runs this; it fails with a clear message when
# the remote needs a newer client, and reports 'migrate' when the remote is older.
VCHECK="SELECT CASE WHEN m.min_client_schema > v.c THEN 'refuse: remote schema ' || m.schema_version || ' needs sk with schema >= ' || m.min_client_schema || ', this sk has ' || v.c || ': upgrade sk'
                   WHEN m.schema_version < v.c THEN 'migrate: remote schema ' || m.schema_version || ' < ' || v.c
                   ELSE 'ok' END FROM sk_sync.meta m, (SELECT CLIENT::int AS c) v"
expect_out $BOB "ok" "${VCHECK//CLIENT/1}" "client v1 vs remote v1: ok"
expect_out $BOB "migrate: remote schema 1 < 2" "${VCHECK//CLIENT/2}" "client v2 vs remote v1: migrate (if it may become the owner) or ask the admin"
su_psql -d "$DB" -c "SET ROLE $OWNER; UPDATE sk_sync.meta SET schema_version=2, min_client_schema=1" >/dev/null
expect_out $BOB "ok" "${VCHECK//CLIENT/1}" "remote v2 that is backward compatible (min_client_schema 1): v1 client continues"
su_psql -d "$DB" -c "SET ROLE $OWNER; UPDATE sk_sync.meta SET schema_version=3, min_client_schema=3" >/dev/null
expect_out $BOB "refuse: remote schema 3 needs sk with schema >= 3, this sk has 1: upgrade sk" "${VCHECK//CLIENT/1}" "remote v3 (min 3): v1 client refuses and says upgrade"
expect_err $BOB "permission denied" "UPDATE sk_sync.meta SET min_client_schema=1" "a user cannot lower the version bar"
su_psql -d "$DB" -c "SET ROLE $OWNER; UPDATE sk_sync.meta SET schema_version=1, min_client_schema=1" >/dev/null

echo; echo "== 5. concurrency: pull cursor (three psql sessions)"
start() { # start NAME USER : a long-lived psql session fed through a fifo
  mkfifo "$T/$1.in"; psql -h "$HOST" -U "$2" -d "$DB" -X -At -v ON_ERROR_STOP=0 <"$T/$1.in" >"$T/$1.out" 2>&1 &
  PID[$1]=$!; exec {fd}>"$T/$1.in"; FD[$1]=$fd; }
N=0
run() { # run NAME SQL -> prints that statement's output, waiting for it unless NAME is "nowait:..."
  local s=$1 sql=$2; N=$((N+1)); local mark="__m$N"
  local before; before=$(wc -l <"$T/$s.out")
  printf '%s\n\\echo %s\n' "$sql" "$mark" >&"${FD[$s]}"
  [ "${3:-}" = nowait ] && return
  for _ in $(seq 1 300); do grep -q "^$mark\$" "$T/$s.out" && break; sleep 0.05; done
  tail -n +"$((before+1))" "$T/$s.out" | grep -v "^$mark\$"; }
ins() { echo "INSERT INTO sk_sync.changes (team, replica_id, seq, hlc, entity, entity_key, op) VALUES ('A','$1',$2,$2,'entry','c$2','put') ON CONFLICT (team, replica_id, seq) DO NOTHING RETURNING id, xid;"; }
# The scheme: rows handed out only when their transaction is older than every running one.
pull_xid() { # pull_xid LASTXID LASTID -> "id:xid ..." ; retried briefly because any other write
             # transaction in the cluster may also hold back the horizon for a moment
  as $CAROL -c "SELECT string_agg(id || ':' || xid, ' ' ORDER BY xid, id) FROM (SELECT id, xid FROM sk_sync.changes
     WHERE team='A' AND xid < pg_snapshot_xmin(pg_current_snapshot()) AND (xid, id) > ('$1'::xid8, $2::bigint)
     ORDER BY xid, id LIMIT 1000) s"; }
pull_naive() { as $CAROL -c "SELECT string_agg(id::text, ' ' ORDER BY id) FROM sk_sync.changes WHERE team='A' AND id > $1"; }
pull_idfilter() { as $CAROL -c "SELECT string_agg(id::text, ' ' ORDER BY id) FROM sk_sync.changes WHERE team='A' AND id > $1 AND xid < pg_snapshot_xmin(pg_current_snapshot())"; }
await_pull() { local want=$1 got; shift; for _ in $(seq 1 60); do got=$(pull_xid "$@"); [ "$got" = "$want" ] && break; sleep 0.1; done; echo "$got"; }
lastpair() { local l=${1##* }; echo "${l#*:} ${l%%:*}"; }  # "id:xid" -> "xid id"

start s1 $ALICE; start s2 $ALICE; start s3 $CAROL
base=$(as $SU -c "SELECT coalesce(max(id),0) FROM sk_sync.changes")
basexid=$(as $SU -c "SELECT max(xid)::text FROM sk_sync.changes")
everything=$(await_pull "$(as $SU -c "SELECT string_agg(id||':'||xid,' ' ORDER BY xid,id) FROM sk_sync.changes WHERE team='A'")" 0 0)
echo "   carol's first pull hands out all settled team A rows: $everything"
echo "-- 5a. T1 inserts first (smaller id) and stays open; T2 inserts later (bigger id) and commits"
run s1 "BEGIN;" >/dev/null
r1=$(run s1 "$(ins $RA 10)" | head -1); id1=${r1%%|*}; x1=${r1##*|}
r2=$(run s2 "$(ins $RA2 1)" | head -1); id2=${r2%%|*}; x2=${r2##*|}
echo "   T1 (open):      id=$id1 xid=$x1"
echo "   T2 (committed): id=$id2 xid=$x2"
naive=$(pull_naive "$base")
[ "$naive" = "$id2" ] && ok "naive 'id > last' pull during T1 hands out id $id2 only (its cursor jumps past $id1)" || bad "naive pull during T1" "$naive"
read lx li < <(lastpair "$everything")
during=$(pull_xid "$lx" "$li")
[ -z "$during" ] && ok "xid-horizon pull during T1 hands out nothing (T2's xid $x2 >= horizon $x1)" || bad "xid pull during T1" "$during"
run s1 "COMMIT;" >/dev/null
after_naive=$(pull_naive "$id2")
[ -z "$after_naive" ] && ok "naive pull after T1 commits returns nothing: row $id1 is SKIPPED FOREVER (the bug the design avoids)" || bad "naive pull after commit" "$after_naive"
after=$(await_pull "$id1:$x1 $id2:$x2" "$lx" "$li")
[ "$after" = "$id1:$x1 $id2:$x2" ] && ok "xid-horizon pull after T1 commits hands out both, in commit-safe order: $after" || bad "xid pull after commit" "$after"
read lx li < <(lastpair "$after")

echo "-- 5b. why the cursor must be (xid, id) and not id alone, even with the xid filter"
run s1 "BEGIN;" >/dev/null
p1=$(run s1 "$(ins $RA 20)" | head -1)                 # T1: xid a, small id
hb=$(run s3 "BEGIN; SELECT pg_current_xact_id();" | tail -1)  # T3: xid b > a, holds the horizon
q=$(run s2 "$(ins $RA2 2)" | head -1)                  # T2: xid c > b, id between, commits
p2=$(run s1 "$(ins $RA 21)" | head -1)                 # T1: bigger id
run s1 "COMMIT;" >/dev/null
echo "   T1 committed rows: ${p1/|/ xid=} and ${p2/|/ xid=}; T3 open with xid $hb; T2 committed row ${q/|/ xid=}"
idf=$(pull_idfilter "$id2")
[ "$idf" = "${p1%%|*} ${p2%%|*}" ] && ok "id-cursor + xid filter hands out ${p1%%|*} ${p2%%|*} and would remember id ${p2%%|*}" || bad "id+filter pull" "$idf"
mid=$(await_pull "${p1%%|*}:${p1##*|} ${p2%%|*}:${p2##*|}" "$lx" "$li")
[ "$mid" = "${p1%%|*}:${p1##*|} ${p2%%|*}:${p2##*|}" ] && ok "(xid,id) cursor hands out the same two rows, remembers (${p2##*|}, ${p2%%|*})" || bad "(xid,id) pull while T3 open" "$mid"
run s3 "COMMIT;" >/dev/null
idf2=$(pull_idfilter "${p2%%|*}")
[ -z "$idf2" ] && ok "after T3 ends, id-cursor pull skips T2's row ${q%%|*} forever (id ${q%%|*} < ${p2%%|*})" || bad "id+filter after" "$idf2"
read lx li < <(lastpair "$mid")
fin=$(await_pull "${q%%|*}:${q##*|}" "$lx" "$li")
[ "$fin" = "${q%%|*}:${q##*|}" ] && ok "(xid,id) cursor hands out T2's row ${q%%|*} next: nothing skipped" || bad "(xid,id) after T3" "$fin"

echo "-- 5c. concurrent duplicate push of the same (replica, seq), and a push killed mid-batch"
run s1 "BEGIN;" >/dev/null; run s1 "$(ins $RA 30)" >/dev/null
run s2 "$(ins $RA 30)" nowait; m2=$N              # blocks on T1's unique-index entry
sleep 0.5
grep -q "^__m$m2\$" "$T/s2.out" && bad "second push should block on the first" "it did not" || ok "the second session's push of (RA,30) blocks while the first is open"
run s1 "COMMIT;" >/dev/null
for _ in $(seq 1 60); do grep -q "^__m$m2\$" "$T/s2.out" && break; sleep 0.05; done
expect_out $ALICE "1" "SELECT count(*) FROM sk_sync.changes WHERE replica_id='$RA' AND seq=30" "two sessions pushing (RA,30) at once: 1 row"
tail -3 "$T/s2.out" | grep -q "^INSERT 0 0\$" && ok "  ... the second session's INSERT finished as 'INSERT 0 0' after the first committed" || bad "second push result" "$(tail -3 "$T/s2.out")"
run s1 "BEGIN;" >/dev/null; run s1 "$(ins $RA 40) $(ins $RA 41) $(ins $RA 42)" >/dev/null
pid=$(as $ALICE -c "SELECT pid FROM pg_stat_activity WHERE usename='$ALICE' AND state='idle in transaction'")
as $SU -d "$DB" -c "SELECT pg_terminate_backend($pid)" >/dev/null
expect_out $ALICE "0" "SELECT count(*) FROM sk_sync.changes WHERE replica_id='$RA' AND seq BETWEEN 40 AND 42" "push killed by pg_terminate_backend mid-batch leaves nothing behind"
PUSHDESC="the retried batch 40..42 lands whole";       expect_push "INSERT 0 3" $ALICE A $RA 40 41 42
PUSHDESC="and a second retry is a no-op";              expect_push "INSERT 0 0" $ALICE A $RA 40 41 42

echo; echo "== 6. plans: the RLS-filtered pull uses the (team, xid, id) index"
as $CAROL -c "EXPLAIN (COSTS OFF) SELECT id FROM sk_sync.changes WHERE team='A' AND xid < pg_snapshot_xmin(pg_current_snapshot()) AND (xid,id) > ('0'::xid8, 0) ORDER BY xid, id LIMIT 1000" | sed 's/^/   /'

echo; echo "== result: $PASS passed, $FAIL failed"
[ $FAIL -eq 0 ]
