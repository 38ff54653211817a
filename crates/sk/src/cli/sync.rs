//! `sk sync …`: sharing knowledge with other machines and a team through PostgreSQL.
//! `crate::cli` re-exports everything here.

use clap::{Args, Subcommand};

/// `sk sync` with no subcommand pushes, then pulls.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SyncArgs {
    #[command(subcommand)]
    pub command: Option<SyncCommand>,
    /// Print the outcome as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Connect this knowledge base to a PostgreSQL remote as a replica of a team
    ///
    /// Checks that the remote answers and has sk's schema, that the role is a member of the
    /// team (the only team it is in when --team is not given), registers this database as a
    /// replica, and queues everything it already knows for the first push. The URL is kept
    /// in a file only you can read ($COPILOT_HOME/markers/sync.json); SK_SYNC_URL overrides
    /// it. A password is never printed. TLS: add `?sslmode=require` (or verify-full): the
    /// server's certificate is always verified against the Mozilla roots; without sslmode,
    /// no TLS is used.
    Setup(SetupArgs),
    /// Send this machine's knowledge changes (learned, edited, pinned, forgotten)
    Push(RunArgs),
    /// Receive the team's changes; conflicts resolve the same way on every machine
    ///
    /// The later change wins (hybrid logical clock, then replica id), for an entry's text
    /// and for its pin separately; a forget beats every earlier change and stays.
    Pull(RunArgs),
    /// The remote (password hidden), team, replica, changes waiting, last push, pull and error
    ///
    /// Reads only this machine: it does not connect to the remote.
    Status(RunArgs),
    /// Stop syncing: removes the stored URL and this database's sync state
    ///
    /// Every knowledge entry stays, including those pulled from others; changes not pushed
    /// yet are dropped. The remote keeps what was pushed.
    ForgetRemote(RunArgs),
    /// Print the SQL an administrator reviews and runs once to prepare a database
    ///
    /// Roles (a NOLOGIN schema owner and a NOLOGIN group for sk users), grants, the sk_sync
    /// schema with row-level security, then adding USER to TEAM. Run it as a superuser:
    /// `sk sync print-admin-sql --team T --user U | psql -d DB -v ON_ERROR_STOP=1 -1 -f -`.
    PrintAdminSql(AdminSqlArgs),
}

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// postgres://ROLE[:PASSWORD]@HOST[:PORT]/DB[?sslmode=require] [default: $SK_SYNC_URL]
    pub url: Option<String>,
    /// The team to share with (needed when the role is in several)
    #[arg(long)]
    pub team: Option<String>,
    /// This machine's name on the remote, shown with the entries it sends [default: host name]
    #[arg(long)]
    pub label: Option<String>,
    /// Never send knowledge of this repository (`owner/name`, or a name alone); repeatable
    #[arg(long = "exclude-repo", value_name = "REPO")]
    pub exclude_repos: Vec<String>,
    /// Send knowledge of these repositories only (repeatable); knowledge recorded for no
    /// repository (`sk learn --global`) is always sent
    #[arg(long = "only-repo", value_name = "REPO")]
    pub only_repos: Vec<String>,
    /// Also send a digest of each session whose logs are on this machine (title, repo,
    /// prompts and summaries, tool calls and failures; never the logs, the answers or
    /// paths outside the repository), so that `sk query` on the team's other machines
    /// finds it. The repository rules above apply to sessions too
    #[arg(long)]
    pub sessions: bool,
    /// Print the outcome as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Print the outcome as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AdminSqlArgs {
    /// The team to create (if missing) and add the user to
    #[arg(long)]
    pub team: String,
    /// The PostgreSQL role of the person to add (created without a password if missing)
    #[arg(long)]
    pub user: String,
    /// The NOLOGIN role that owns the sk_sync schema
    #[arg(long, default_value = "sk_sync_owner")]
    pub owner_role: String,
    /// The NOLOGIN group role sk users are granted
    #[arg(long, default_value = "sk_sync_user")]
    pub group_role: String,
}
