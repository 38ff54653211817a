//! A provisioning plan: the file changes one command will make, computed before anything is
//! touched. Planning reads; only [`Plan::apply`] writes.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::{ProvisionError, atomic};

/// One change to one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub path: PathBuf,
    /// What the file is for, in words an operator understands.
    pub purpose: String,
    pub action: Action,
}

/// What happens to the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Write these bytes (creating or replacing), after copying the old file to `backup`
    /// when one is named. `mode` is Unix permission bits for the new file.
    Write {
        #[serde(skip)]
        bytes: Vec<u8>,
        backup: Option<PathBuf>,
        mode: Option<u32>,
    },
    /// Move the file to `to` (keeping its bytes and permissions).
    Rename {
        to: PathBuf,
    },
    Remove,
    /// Already as wanted.
    Unchanged,
    /// Not sk's: left exactly as it is.
    LeftAlone {
        reason: String,
    },
}

/// The changes in order; applying them in that order is the command.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub changes: Vec<Change>,
}

impl Plan {
    pub fn push(&mut self, path: impl Into<PathBuf>, purpose: impl Into<String>, action: Action) {
        self.changes.push(Change {
            path: path.into(),
            purpose: purpose.into(),
            action,
        });
    }

    /// True when applying would change nothing on disk.
    pub fn is_noop(&self) -> bool {
        self.changes
            .iter()
            .all(|c| matches!(c.action, Action::Unchanged | Action::LeftAlone { .. }))
    }

    /// Carries out the changes in order; stops at the first failure and says which.
    pub fn apply(&self) -> Result<(), ProvisionError> {
        for change in &self.changes {
            match &change.action {
                Action::Write { bytes, backup, mode } => {
                    if let Some(backup) = backup {
                        atomic::copy(&change.path, backup)?;
                    }
                    atomic::write(&change.path, bytes, *mode)?;
                }
                Action::Rename { to } => {
                    std::fs::rename(&change.path, to).map_err(ProvisionError::io(&change.path))?
                }
                Action::Remove => match std::fs::remove_file(&change.path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(ProvisionError::Io {
                            path: change.path.clone(),
                            error: e,
                        });
                    }
                    _ => {}
                },
                Action::Unchanged | Action::LeftAlone { .. } => {}
            }
        }
        Ok(())
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.changes {
            let verb = match &c.action {
                Action::Write { .. } => "write",
                Action::Rename { .. } => "move",
                Action::Remove => "remove",
                Action::Unchanged => "unchanged",
                Action::LeftAlone { .. } => "kept",
            };
            writeln!(f, "{verb:<10} {} ({})", c.path.display(), c.purpose)?;
            match &c.action {
                Action::Write { backup: Some(b), .. } => {
                    writeln!(f, "{:<10} previous file backed up to {}", "", b.display())?
                }
                Action::Rename { to } => writeln!(f, "{:<10} to {}", "", to.display())?,
                Action::LeftAlone { reason } => writeln!(f, "{:<10} {reason}", "")?,
                _ => {}
            }
        }
        Ok(())
    }
}
