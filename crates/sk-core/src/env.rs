//! The one registry of environment variables sk reads. Every lookup goes through
//! [`Var`], so `sk --help`, the docs and the code list the same set, and a test can
//! check that nothing reads an unregistered variable.

/// An environment variable sk honours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Var {
    pub name: &'static str,
    pub doc: &'static str,
}

pub const HOME: Var = Var {
    name: "HOME",
    doc: "The user's home; every default location derives from it (USERPROFILE on Windows).",
};
pub const USERPROFILE: Var = Var {
    name: "USERPROFILE",
    doc: "Home directory on Windows when HOME is unset.",
};
pub const COPILOT_HOME: Var = Var {
    name: "COPILOT_HOME",
    doc: "GitHub Copilot CLI home (default ~/.copilot): session-state/, hooks/, sk's bin/ and markers/.",
};
pub const CLAUDE_CONFIG_DIR: Var = Var {
    name: "CLAUDE_CONFIG_DIR",
    doc: "Claude Code configuration directory (default ~/.claude): projects/ and settings.json.",
};
pub const CODEX_HOME: Var = Var {
    name: "CODEX_HOME",
    doc: "Codex CLI home (default ~/.codex): sessions/ and archived_sessions/.",
};
pub const SK_DB: Var = Var {
    name: "SK_DB",
    doc: "Path of the knowledge database (default $COPILOT_HOME/session-state/knowledge.db); --db wins over it.",
};

pub const COPILOT_SESSION_ID: Var = Var {
    name: "COPILOT_SESSION_ID",
    doc: "The GitHub Copilot CLI session running sk; `sk learn` records it as the entry's provenance.",
};
pub const CLAUDE_SESSION_ID: Var = Var {
    name: "CLAUDE_SESSION_ID",
    doc: "The Claude Code session running sk; `sk learn` records it as the entry's provenance.",
};
pub const CODEX_SESSION_ID: Var = Var {
    name: "CODEX_SESSION_ID",
    doc: "The Codex CLI session running sk; `sk learn` records it as the entry's provenance.",
};

pub const SHELL: Var = Var {
    name: "SHELL",
    doc: "The user's login shell; `sk install --add-to-path` edits its rc file (~/.bashrc, ~/.zshrc, fish config, else ~/.profile).",
};
pub const PATH: Var = Var {
    name: "PATH",
    doc: "Searched by `sk install` and `sk doctor` to tell whether the installed sk is the one a shell runs.",
};
pub const SK_HOOK_DRY_RUN: Var = Var {
    name: "SK_HOOK_DRY_RUN",
    doc: "Set to 1 to make `sk hooks run` log the denies its rules decide (audit log) without denying.",
};
pub const SK_HOOK_TEST_FAULT: Var = Var {
    name: "SK_HOOK_TEST_FAULT",
    doc: "Testing only: `RULE` makes that hook rule panic, `RULE:slow` makes it overrun its time budget, to prove hooks fail open.",
};

pub const SK_INGEST_TEST_FAULT: Var = Var {
    name: "SK_INGEST_TEST_FAULT",
    doc: "Testing only: the parser panics on every log file whose path contains this text, to prove one failing file costs only itself.",
};

pub const SK_SYNC_URL: Var = Var {
    name: "SK_SYNC_URL",
    doc: "The `sk sync` remote (postgres://ROLE[:PASSWORD]@HOST[:PORT]/DB[?sslmode=require]); overrides the URL `sk sync setup` stored.",
};

pub const SK_SYNC_TEST_FAULT: Var = Var {
    name: "SK_SYNC_TEST_FAULT",
    doc: "Testing only: `push-before-commit` or `push-after-commit` makes `sk sync` stop there for 30 s (saying so on stderr), so a test can kill it or drop its connection at that moment.",
};

/// Every variable in the registry, in documentation order.
pub const ALL: &[Var] = &[
    HOME,
    USERPROFILE,
    COPILOT_HOME,
    CLAUDE_CONFIG_DIR,
    CODEX_HOME,
    SK_DB,
    COPILOT_SESSION_ID,
    CLAUDE_SESSION_ID,
    CODEX_SESSION_ID,
    SHELL,
    PATH,
    SK_HOOK_DRY_RUN,
    SK_HOOK_TEST_FAULT,
    SK_INGEST_TEST_FAULT,
    SK_SYNC_URL,
    SK_SYNC_TEST_FAULT,
];

/// Where variable values come from. The process environment in production; a map in tests.
pub trait Source {
    fn get(&self, var: Var) -> Option<std::ffi::OsString>;
}

/// Reads the real process environment. Empty values count as unset, because an exported
/// but empty `CODEX_HOME=` would otherwise resolve to the current directory.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProcessEnv;

impl Source for ProcessEnv {
    fn get(&self, var: Var) -> Option<std::ffi::OsString> {
        std::env::var_os(var.name).filter(|v| !v.is_empty())
    }
}

/// A fixed set of values, for tests.
#[derive(Debug, Default, Clone)]
pub struct MapEnv(pub Vec<(&'static str, std::ffi::OsString)>);

impl Source for MapEnv {
    fn get(&self, var: Var) -> Option<std::ffi::OsString> {
        self.0
            .iter()
            .find(|(k, _)| *k == var.name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_names_are_unique_and_documented() {
        for (i, a) in ALL.iter().enumerate() {
            assert!(!a.doc.is_empty(), "{} has no doc", a.name);
            for b in &ALL[i + 1..] {
                assert_ne!(a.name, b.name);
            }
        }
    }
}
