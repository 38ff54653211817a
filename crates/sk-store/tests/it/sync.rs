//! The local half of `sk sync` (schema v8) as a property: three replicas learn, edit, pin,
//! unpin and forget the same few entries in any interleaving, pushing to and pulling from
//! a simulated remote log (a list in push order, which is the order the real remote's
//! `(xid, id)` cursor hands changes out); once everyone has pushed and pulled everything,
//! all three hold the same knowledge. The PostgreSQL side is tested in
//! crates/sk/tests/it/sync.rs.

use proptest::prelude::*;
use sk_core::Category;
use sk_store::Store;
use sk_store::curation::{self, Edit};
use sk_store::knowledge::{self, Draft, Origin};
use sk_store::sync::{self as local, Change, OutboxRow};

/// Entries are named by one of a few content hashes, so replicas collide on purpose.
const KEYS: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    Learn(usize),
    Edit(usize, u8),
    Pin(usize, bool),
    Forget(usize),
    Sync,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..KEYS).prop_map(Op::Learn),
        3 => (0..KEYS, any::<u8>()).prop_map(|(k, v)| Op::Edit(k, v)),
        2 => (0..KEYS, any::<bool>()).prop_map(|(k, p)| Op::Pin(k, p)),
        2 => (0..KEYS).prop_map(Op::Forget),
        3 => Just(Op::Sync),
    ]
}

struct Replica {
    id: String,
    store: Store,
    /// Index into the remote log of the next change to pull.
    cursor: usize,
    _dir: tempfile::TempDir,
}

type Log = Vec<(String, OutboxRow)>;

/// Every entry's (hash, category, title, body, pinned), and every tombstone's hash.
type Knowledge = (Vec<(String, String, String, String, bool)>, Vec<String>);

impl Replica {
    fn new(n: usize) -> Replica {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("knowledge.db")).expect("open");
        let id = format!("00000000-0000-4000-8000-00000000000{n}");
        local::enable(store.conn(), &id, "team", &format!("r{n}"), "remote").expect("enable");
        Replica {
            id,
            store,
            cursor: 0,
            _dir: dir,
        }
    }

    fn id_of(&self, key: usize) -> Option<i64> {
        knowledge::find_by_hash(self.store.conn(), &hash(key)).expect("find")
    }

    fn apply(&mut self, op: &Op, log: &mut Log) {
        let conn = self.store.conn();
        let now = sk_core::time::now_ms();
        match *op {
            // `sk learn`: the same knowledge merges into the entry; knowledge forgotten
            // here is recorded anew (its tombstone lifted), as a person's learn does.
            Op::Learn(k) => {
                if self.id_of(k).is_none() {
                    curation::lift(conn, &hash(k)).expect("lift");
                    knowledge::insert(conn, &draft(k), &[]).expect("insert");
                }
            }
            Op::Edit(k, v) => {
                if let Some(id) = self.id_of(k) {
                    let edit = Edit {
                        category: Category::Tool,
                        title: format!("title {k} by {} #{v}", self.id),
                        body: format!("body {v}"),
                    };
                    curation::edit(conn, id, &edit, now).expect("edit");
                }
            }
            Op::Pin(k, p) => {
                if let Some(id) = self.id_of(k) {
                    curation::set_pinned(conn, id, p).expect("pin");
                }
            }
            Op::Forget(k) => {
                if let Some(id) = self.id_of(k) {
                    curation::forget(conn, id, None, now).expect("forget");
                }
            }
            Op::Sync => self.sync(log),
        }
    }

    fn sync(&mut self, log: &mut Log) {
        let conn = self.store.conn();
        let rows = local::pending(conn, 10_000).expect("pending");
        if let Some(last) = rows.last().map(|r| r.seq) {
            log.extend(rows.into_iter().map(|r| (self.id.clone(), r)));
            local::mark_pushed(conn, last, Some(last), 1).expect("mark pushed");
        }
        let changes: Vec<Change> = log
            .iter()
            .skip(self.cursor)
            .filter(|(replica, _)| *replica != self.id)
            .map(|(replica, r)| Change {
                replica_id: replica.clone(),
                hlc: r.hlc,
                entity: r.entity.clone(),
                entity_key: r.entity_key.clone(),
                op: r.op.clone(),
                payload: r.payload.clone(),
                author: "someone".into(),
                label: "elsewhere".into(),
            })
            .collect();
        self.cursor = log.len();
        conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
        local::apply(conn, &changes, ("0", self.cursor as i64), sk_core::time::now_ms()).expect("apply");
        conn.execute_batch("COMMIT").expect("commit");
    }

    /// What must agree: every entry's hash, text and pin, and every tombstone.
    fn knowledge(&self) -> Knowledge {
        let conn = self.store.conn();
        let mut entries: Vec<_> = conn
            .prepare("SELECT content_hash, category, title, body, pinned FROM entries")
            .expect("prepare")
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        entries.sort();
        let mut forgotten: Vec<String> = conn
            .prepare("SELECT content_hash FROM forgotten")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        forgotten.sort();
        (entries, forgotten)
    }
}

fn hash(k: usize) -> String {
    format!("hash-{k}")
}

fn draft(k: usize) -> Draft {
    Draft {
        category: Category::Tool,
        title: format!("lesson {k}"),
        body: format!("the original body of lesson {k}"),
        tags: Vec::new(),
        files: Vec::new(),
        repo: None,
        task: None,
        origin: Origin::Manual,
        confidence: 0.9,
        content_hash: hash(k),
        why: Vec::new(),
        source: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn three_replicas_hold_the_same_knowledge_after_syncing_whatever_the_interleaving(
        ops in prop::collection::vec((0..3usize, op()), 1..40)
    ) {
        let mut replicas: Vec<Replica> = (1..=3).map(Replica::new).collect();
        let mut log = Log::new();
        for (who, op) in &ops {
            replicas[*who].apply(op, &mut log);
        }
        // Everyone pushes, then everyone pulls everything.
        for _ in 0..2 {
            for r in &mut replicas {
                r.sync(&mut log);
            }
        }
        let first = replicas[0].knowledge();
        for r in &replicas[1..] {
            prop_assert_eq!(&first, &r.knowledge(), "replica {} differs after {:?}", r.id, ops);
        }
    }
}

#[test]
fn local_changes_take_increasing_clock_values_near_the_wall_clock_and_only_while_enabled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("knowledge.db")).expect("open");
    let conn = store.conn();
    // Not set up: the triggers write nothing.
    knowledge::insert(conn, &draft(0), &[]).expect("insert");
    assert!(local::pending(conn, 10).expect("pending").is_empty());
    let queued = local::enable(conn, "00000000-0000-4000-8000-000000000001", "t", "l", "i").expect("enable");
    assert_eq!(queued, 1, "what was known before is queued at setup");
    let before = sk_core::time::now_ms();
    for k in 1..=3 {
        knowledge::insert(conn, &draft(k), &[]).expect("insert");
    }
    let id = knowledge::find_by_hash(conn, &hash(1))
        .expect("find")
        .expect("entry");
    curation::set_pinned(conn, id, true).expect("pin");
    let rows = local::pending(conn, 10).expect("pending");
    let ops: Vec<&str> = rows.iter().map(|r| r.op.as_str()).collect();
    assert_eq!(ops, ["put", "put", "put", "put", "pin"]);
    assert!(rows.windows(2).all(|w| w[0].hlc < w[1].hlc), "{rows:?}");
    let wall = rows.last().map(|r| r.hlc >> 16).unwrap_or_default();
    assert!((wall - before).abs() < 5_000, "clock {wall} vs now {before}");
    // Applying pulled changes is silent (no echo), and moves the clock past them.
    let far = (before + 1000) << 16;
    let pulled = Change {
        replica_id: "00000000-0000-4000-8000-000000000009".into(),
        hlc: far,
        entity: "entry".into(),
        entity_key: hash(2),
        op: "pin".into(),
        payload: "{}".into(),
        author: "bob".into(),
        label: "box".into(),
    };
    local::apply(conn, &[pulled], ("5", 1), before).expect("apply");
    assert_eq!(local::pending(conn, 10).expect("pending").len(), 5, "no echo");
    assert!(local::state(conn).expect("state").last_hlc >= far);
}

#[test]
fn sightings_of_sessions_travel_and_those_of_a_forgotten_entry_are_dropped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("knowledge.db")).expect("open");
    let conn = store.conn();
    local::enable(conn, "00000000-0000-4000-8000-000000000001", "t", "l", "i").expect("enable");
    let seen = |key: &str| knowledge::Seen {
        session_key: key.into(),
        event_id: "e1".into(),
        seen_at: 1_000,
    };
    knowledge::insert(conn, &draft(1), &[seen("claude:s-1"), seen("manual")]).expect("insert");
    let gone = knowledge::insert(conn, &draft(2), &[seen("codex:s-2")]).expect("insert");
    curation::forget(conn, gone, None, 2_000).expect("forget");
    let rows: Vec<OutboxRow> = local::pending(conn, 20).expect("pending");
    // The sighting in a session goes, as the remote names it; `sk learn`'s manual mark
    // does not; the forgotten entry's sighting is dropped (its repository is gone, so the
    // sharing rules could not decide), its forget goes.
    let sightings: Vec<&OutboxRow> = rows.iter().filter(|r| r.op == "occurrence").collect();
    assert_eq!(sightings.len(), 2, "{rows:?}");
    let live: Vec<&&OutboxRow> = sightings.iter().filter(|r| !r.vanished()).collect();
    assert_eq!(live.len(), 1, "{rows:?}");
    assert_eq!(live[0].entity, "entry");
    assert_eq!(live[0].entity_key, hash(1));
    assert!(live[0].payload.contains("claude:s-1"), "{rows:?}");
    assert!(rows.iter().any(|r| r.op == "forget" && r.entity_key == hash(2)));
}
