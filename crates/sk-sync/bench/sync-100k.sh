#!/usr/bin/env bash
# sk sync benchmark (issue 20): N knowledge entries (default 100,000) pushed by one replica
# and pulled by another through the PostgreSQL server at $PGHOST (default 127.0.0.1, as
# the superuser postgres with trust auth), then the time of a sync with nothing to do.
# Makes its own database sk_sync_bench_<rand> and roles skb_<rand>_*, drops them at the end.
#   SK=target/release/sk N=100000 crates/sk-sync/bench/sync-100k.sh
set -euo pipefail
SK=$(realpath "${SK:-target/release/sk}")
N=${N:-100000}
HOST=${PGHOST:-127.0.0.1}
R=$(tr -dc a-z0-9 </dev/urandom | head -c 8 || true)
DB=sk_sync_bench_$R
ALICE=skb_${R}_alice
T=$(mktemp -d)
su() { psql -h "$HOST" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
  su -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  for r in $ALICE skb_${R}_users skb_${R}_owner; do su -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true; done
  rm -rf "$T"
}
trap cleanup EXIT
ms() { date +%s%3N; }
su -d postgres -c "CREATE DATABASE $DB"
mkdir -p "$T/a" "$T/b"
HOME=$T/a "$SK" sync print-admin-sql --team bench --user "$ALICE" \
  --owner-role "skb_${R}_owner" --group-role "skb_${R}_users" | su -d "$DB" -1 -f - >/dev/null 2>&1
python3 - "$N" "$T/entries.json" <<'PY'
import hashlib, json, random, sys
n, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(2026)
words = [hashlib.sha1(str(i).encode()).hexdigest()[:8] for i in range(5000)]
def entry(i):
    return {"id": i + 1, "category": "tool", "title": f"L{i} " + " ".join(rnd.choice(words) for _ in range(6)),
            "body": " ".join(rnd.choice(words) for _ in range(30)), "tags": [], "files": [], "repo": None,
            "task": None, "origin": "manual", "confidence": 0.9, "occurrences": 1, "first_seen": 1796581713892,
            "last_seen": 1796581713892, "content_hash": hashlib.sha256(f"e{i}".encode()).hexdigest(), "why": [],
            "sources": [], "pinned": False, "edited_at": None, "source": "user"}
json.dump({"schema_version": 2, "exported_at": "bench", "entries": [entry(i) for i in range(n)], "forgotten": []}, open(out, "w"))
PY
URL="postgres://$ALICE@$HOST:5432/$DB"
HOME=$T/a "$SK" knowledge import "$T/entries.json" >/dev/null
t0=$(ms); HOME=$T/a "$SK" sync setup "$URL" --team bench --label a >/dev/null; t1=$(ms)
echo "setup_a_ms: $((t1 - t0)) (queues $N entries)"
t0=$(ms); HOME=$T/a "$SK" sync push >/dev/null; t1=$(ms)
echo "push_ms: $((t1 - t0)) ($((N * 1000 / (t1 - t0 + 1))) rows/s)"
HOME=$T/b "$SK" sync setup "$URL" --team bench --label b >/dev/null
t0=$(ms); HOME=$T/b "$SK" sync pull >/dev/null; t1=$(ms)
echo "pull_ms: $((t1 - t0)) ($((N * 1000 / (t1 - t0 + 1))) rows/s)"
got=$(HOME=$T/b "$SK" status --json | python3 -c 'import json,sys; print([t["rows"] for t in json.load(sys.stdin)["tables"] if t["table"] == "entries"][0])')
echo "entries_on_b: $got"
for i in 1 2 3 4 5; do
  t0=$(ms); HOME=$T/b "$SK" sync >/dev/null; t1=$(ms); echo "nochange_sync_ms_$i: $((t1 - t0))"
done
