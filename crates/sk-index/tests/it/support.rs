//! A temporary home with agent folders, a store inside it, and a dump of everything the
//! store derived from the logs (without row ids or ingest times), for equality checks.

use std::path::PathBuf;

use sk_core::Paths;
use sk_core::env::MapEnv;
use sk_index::{IndexOptions, IndexSummary, SilentProgress};
use sk_store::Store;

pub struct Home {
    pub dir: tempfile::TempDir,
    pub paths: Paths,
}

impl Home {
    pub fn new() -> Home {
        let dir = tempfile::tempdir().expect("tempdir");
        let env = MapEnv(vec![("HOME", dir.path().as_os_str().to_owned())]);
        let paths = Paths::resolve(&env, None).expect("paths");
        Home { dir, paths }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Copies a corpus file to `rel` under the home.
    pub fn seed(&self, corpus_rel: &str, rel: &str) -> PathBuf {
        let dest = self.path(rel);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::copy(sk_test::corpus(corpus_rel), &dest).expect("copy corpus file");
        dest
    }

    pub fn store(&self) -> Store {
        Store::open(&self.paths.db).expect("open store")
    }

    pub fn index(&self) -> IndexSummary {
        self.index_with(&IndexOptions::default())
    }

    pub fn index_with(&self, opts: &IndexOptions) -> IndexSummary {
        let store = self.store();
        sk_index::run(&store, &self.paths, opts, &mut SilentProgress).expect("index run")
    }
}

pub fn count(store: &Store, sql: &str) -> i64 {
    store
        .conn()
        .query_row(sql, [], |r| r.get(0))
        .expect("count query")
}

pub use sk_test::db::{dump, fts_integrity};
