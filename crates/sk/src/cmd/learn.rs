//! `sk learn`: record a piece of knowledge by hand, or replay the ones queued while the
//! database was busy (`--flush-inbox`). The rules (checks, merging, the inbox) live in
//! `sk_index::learn`; this module reads the command line and the session environment,
//! and prints the outcome.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use sk_core::env;
use sk_core::{Category, Paths};
use sk_index::learn::{self, FlushSummary, Lesson, Outcome, Reply};
use sk_store::Store;
use sk_store::knowledge::EntrySource;
use sk_store::lock::WriterLock;

use crate::cli::{LearnArgs, LearnSource};
use crate::exit;
use crate::output::Out;

/// How long `sk learn` waits for another writer before queueing instead.
const LOCK_WAIT: Duration = Duration::from_millis(500);

/// The repository a lesson is for: `--repo`, none with `--global`, else the git repository
/// of the current directory (its origin's `owner/name`, or its root folder when it has no
/// origin), so that automatic briefings show it there and nowhere else.
fn repo(args: &LearnArgs) -> Option<String> {
    if args.repo.is_some() || args.global {
        return args.repo.clone();
    }
    let here = sk_query::here::find(&std::env::current_dir().ok()?)?;
    Some(
        here.repo
            .unwrap_or_else(|| here.root.to_string_lossy().into_owned()),
    )
}

pub fn run(paths: &Paths, args: &LearnArgs) -> anyhow::Result<ExitCode> {
    if args.flush_inbox {
        return flush(paths, args.json);
    }
    let (Some(category), Some(title), Some(body)) = (category(args), &args.title, &args.body) else {
        eprintln!(
            "error: give a category flag, a TITLE and a BODY\n\n\
             Usage: sk learn <--mistake|--pattern|--decision|--tool|--feature|--refactor|--discovery> <TITLE> <BODY>"
        );
        return Ok(ExitCode::from(exit::USAGE));
    };
    let lesson = Lesson::new(category, title, body)
        .with_tags(&args.tags)
        .with_files(&args.files)
        .with_repo(repo(args).as_deref())
        .with_task(args.task.as_deref())
        .with_source(match args.source {
            LearnSource::User => EntrySource::User,
            LearnSource::Agent => EntrySource::Agent,
        });
    if let Err(refusal) = lesson.check() {
        eprintln!("error: {refusal}");
        return Ok(ExitCode::from(if refusal.is_usage() {
            exit::USAGE
        } else {
            exit::FAILURE
        }));
    }
    let sources = learn::provenance(sk_core::time::now_ms(), learn::current_session(&env::ProcessEnv));
    let outcome = learn::learn_or_queue(paths, &lesson, &sources, LOCK_WAIT).map_err(|e| match e {
        // Unwrapped so the exit code still tells a damaged database from other failures.
        learn::LearnError::Store(e) => anyhow::Error::new(e).context("recording the entry"),
        other => anyhow::Error::new(other),
    })?;
    let mut out = Out::new();
    if args.json
        && let Some(reply) = Reply::of(&outcome, &lesson)
    {
        out.json(&reply)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    match &outcome {
        Outcome::Stored(l) if l.merged => writeln!(
            out,
            "Merged into #{} [{}] {} (its text is kept; tags, files and provenance added)",
            l.id, l.category, l.title
        )?,
        Outcome::Stored(l) => writeln!(out, "Learned #{} [{}] {}", l.id, l.category, l.title)?,
        Outcome::Forgotten { forgotten_at } => {
            eprintln!(
                "error: not recorded: a person forgot this knowledge on {} (`sk knowledge forget`); \
                 only a person's `sk learn` brings it back",
                sk_core::time::format_ms(*forgotten_at)
            );
            return Ok(ExitCode::from(exit::FAILURE));
        }
        Outcome::Queued { file, holder } => {
            writeln!(out, "Database busy ({holder}); queued in {}", file.display())?;
            writeln!(
                out,
                "It is stored by the next `sk index` or `sk learn --flush-inbox`."
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn category(args: &LearnArgs) -> Option<Category> {
    [
        (args.mistake, Category::Mistake),
        (args.pattern, Category::Pattern),
        (args.decision, Category::Decision),
        (args.tool, Category::Tool),
        (args.feature, Category::Feature),
        (args.refactor, Category::Refactor),
        (args.discovery, Category::Discovery),
    ]
    .into_iter()
    .find_map(|(set, c)| set.then_some(c))
}

fn flush(paths: &Paths, json: bool) -> anyhow::Result<ExitCode> {
    let store = Store::open(&paths.db).context("opening the knowledge base")?;
    let lock = WriterLock::acquire(&paths.db, "sk learn --flush-inbox", Duration::from_secs(2))?;
    let summary = learn::flush_inbox(&store, paths, &lock).map_err(flush_error)?;
    drop(lock);
    let mut out = Out::new();
    if json {
        out.json(&summary)?;
        return Ok(ExitCode::SUCCESS);
    }
    if summary.flushed.is_empty() && summary.rejected.is_empty() {
        writeln!(out, "The inbox is empty ({}).", paths.inbox_dir().display())?;
    }
    print_flush(&mut out, &summary)?;
    for f in &summary.flushed {
        let verb = if f.learned.merged {
            "merged into"
        } else {
            "stored as"
        };
        writeln!(
            out,
            "  {verb} #{} [{}] {}",
            f.learned.id, f.learned.category, f.learned.title
        )?;
    }
    for r in &summary.rejected {
        writeln!(out, "  {}: {}", r.file.display(), r.reason)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The lines `sk index` and `sk learn --flush-inbox` print about a flush; nothing when
/// the inbox was empty.
pub fn print_flush(out: &mut Out, s: &FlushSummary) -> std::io::Result<()> {
    let n = s.flushed.len();
    if n > 0 {
        writeln!(
            out,
            "Flushed {n} queued entr{} from the inbox",
            if n == 1 { "y" } else { "ies" }
        )?;
    }
    if !s.rejected.is_empty() {
        writeln!(
            out,
            "Set aside {} inbox file(s) that could not be stored (renamed *.rejected, reason in *.reason)",
            s.rejected.len()
        )?;
    }
    Ok(())
}

/// Flushes the inbox after an index run, under the writer lock, when anything is queued.
/// The index run itself succeeded, so a lock taken meanwhile by another process only
/// postpones the flush: the files stay queued for the next run.
pub fn flush_after_index(
    store: &Store,
    paths: &Paths,
    lock_wait: Duration,
) -> anyhow::Result<Option<FlushSummary>> {
    if learn::inbox::pending(paths)
        .context("reading the inbox")?
        .is_empty()
    {
        return Ok(None);
    }
    let lock = match WriterLock::acquire(&paths.db, "sk index (flushing the inbox)", lock_wait) {
        Ok(lock) => lock,
        Err(e) if e.is_busy() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let summary = learn::flush_inbox(store, paths, &lock).map_err(flush_error)?;
    Ok(Some(summary))
}

/// Keeps a busy database recognisable (exit 3) behind the flush's own error type.
fn flush_error(e: learn::FlushError) -> anyhow::Error {
    match e {
        learn::FlushError::Store(e) => anyhow::Error::new(e).context("flushing the inbox"),
        other => anyhow::Error::new(other).context("flushing the inbox"),
    }
}
