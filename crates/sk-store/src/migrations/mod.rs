//! The ordered, append-only list of schema migrations compiled into the binary. A shipped
//! migration never changes: its checksum is recorded when applied and pinned by a test, so
//! an edit shows up as a failing build instead of two databases with the same version and
//! different shapes.

use sha2::{Digest, Sha256};

/// One schema step.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    /// SHA-256 of the SQL text, hex.
    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

/// Every migration, in order. Append only.
pub const ALL: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("v001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "recall_lookups",
        sql: include_str!("v002_recall_lookups.sql"),
    },
    Migration {
        version: 3,
        name: "failed_sources",
        sql: include_str!("v003_failed_sources.sql"),
    },
    Migration {
        version: 4,
        name: "session_search",
        sql: include_str!("v004_session_search.sql"),
    },
    Migration {
        version: 5,
        name: "session_languages",
        sql: include_str!("v005_session_languages.sql"),
    },
    Migration {
        version: 6,
        name: "curation",
        sql: include_str!("v006_curation.sql"),
    },
    Migration {
        version: 7,
        name: "session_stats",
        sql: include_str!("v007_session_stats.sql"),
    },
    Migration {
        version: 8,
        name: "sync",
        sql: include_str!("v008_sync.sql"),
    },
    Migration {
        version: 9,
        name: "sync_sessions",
        sql: include_str!("v009_sync_sessions.sql"),
    },
    Migration {
        version: 10,
        name: "session_cjk",
        sql: include_str!("v010_session_cjk.sql"),
    },
];

/// The newest schema version.
pub const fn latest() -> u32 {
    ALL[ALL.len() - 1].version
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pinned checksums of shipped migrations. Adding a migration appends a line here;
    /// changing a shipped one fails this test — write a new migration instead.
    const SHIPPED: &[(u32, &str)] = &[
        (1, "2297c5ad66d92a6d"),
        (2, "d6e35a0ce4f9fd01"),
        (3, "191e3e3e47ff5023"),
        (4, "499e8cfb899606e4"),
        (5, "e96b6b54847efef8"),
        (6, "de797ef7c34df165"),
        (7, "f17d0ad65fb98bce"),
        (8, "6dbb0b9cf8dd48dd"),
        (9, "be150b7205129519"),
        (10, "af6c0817e0158ca6"),
    ];

    #[test]
    fn every_knowledge_category_is_allowed_by_the_schema() {
        let schema: String = ALL.iter().map(|m| m.sql).collect();
        for c in sk_core::Category::ALL {
            assert!(
                schema.contains(&format!("'{}'", c.as_str())),
                "{c} missing from the entries CHECK constraint"
            );
        }
    }

    #[test]
    fn versions_are_dense_and_ordered() {
        for (i, m) in ALL.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "migration {} out of order", m.name);
        }
    }

    #[test]
    fn shipped_migrations_never_change() {
        for (version, prefix) in SHIPPED {
            let m = ALL
                .iter()
                .find(|m| m.version == *version)
                .expect("shipped migration present");
            assert!(
                m.checksum().starts_with(prefix),
                "migration v{version} changed: checksum now {}",
                m.checksum()
            );
        }
        assert_eq!(
            SHIPPED.len(),
            ALL.len(),
            "pin the checksum of every new migration in SHIPPED"
        );
    }
}
