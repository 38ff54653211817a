//! Compaction summaries: what a session did so far, in the tagged sections Copilot writes
//! to `summaryContent` and checkpoint files (`<overview>`, `<history>`, `<work_done>`,
//! `<technical_details>`, `<important_files>`, `<next_steps>`); Claude and Codex render the
//! same facts in their own styles. These are the richest source of distilled knowledge, so
//! they repeat the session's decisions, conventions, touched files and open failures.

use rand::rngs::SmallRng;

use super::script::{Scenario, slug};
use super::vocab::{self, pick};

/// The tagged sections of a compaction summary (Copilot's `summaryContent` and checkpoint
/// files; the other agents render the same facts in their own style).
pub struct Summary {
    pub title: String,
    pub overview: String,
    pub history: String,
    pub work_done: String,
    pub technical_details: String,
    pub important_files: String,
    pub next_steps: String,
}

impl Scenario {
    /// A compaction summary of what happened so far.
    pub fn summary(&self, rng: &mut SmallRng) -> Summary {
        let f = &self.main;
        let tc = self.repo.lang.toolchain();
        let mut history = String::new();
        for (i, p) in self.history.iter().enumerate() {
            history.push_str(&format!(
                "{}. User: \"{p}\"\n   - Action: investigated, edited the code and ran `{}`.\n   - Outcome: {}.\n\n",
                i + 1,
                tc.test,
                if i + 1 == self.history.len() && self.pending.is_some() {
                    "a test still fails"
                } else {
                    "done, tests pass"
                }
            ));
        }
        let mut files = String::new();
        for t in &self.touched {
            files.push_str(&format!(
                "- {t}\n  - Why it matters: contains `{}` and the {} logic.\n  - Changes made: edited during this session.\n",
                pick(rng, self.repo.funcs),
                pick(rng, self.repo.topics)
            ));
        }
        let mut details = format!(
            "- Repository {}/{} ({:?}), branch {}.\n- Build with `{}`, test with `{}`, lint with `{}`.\n- Convention: {}.\n",
            self.repo.owner,
            self.repo.name,
            self.repo.lang,
            self.branch,
            tc.build,
            tc.test,
            tc.lint,
            pick(rng, self.repo.lang.conventions())
        );
        for d in &self.decisions {
            details.push_str("- ");
            details.push_str(d);
            details.push('\n');
        }
        Summary {
            title: format!("{} work on {}", f.topic, f.func),
            overview: format!(
                "The user is working on {} in the {} repository, centred on `{}` in {}. Approach: reproduce each failure with `{}`, fix the code, and keep the test suite green.",
                f.topic, self.repo.name, f.func, f.file, tc.test
            ),
            history,
            work_done: format!(
                "Files updated:\n{}\nWork completed:\n- [x] {}\n- [{}] All tests passing\n",
                self.touched
                    .iter()
                    .map(|t| format!("- {t}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                vocab::change_summary(rng, f),
                if self.pending.is_some() { " " } else { "x" }
            ),
            technical_details: details,
            important_files: files,
            next_steps: match &self.pending {
                Some(p) => format!(
                    "Remaining work:\n- Fix the failing `{}` ({}).\n- Re-run `{}`.",
                    p.command, p.test, p.command
                ),
                None => format!(
                    "Remaining work:\n- Add a regression test for {}.\n- Open a pull request from {}.",
                    f.topic, self.branch
                ),
            },
        }
    }
}

impl Summary {
    /// The Copilot rendering with tagged sections.
    pub fn tagged(&self) -> String {
        format!(
            "<overview>\n{}\n</overview>\n\n<history>\n{}</history>\n\n<work_done>\n{}</work_done>\n\n<technical_details>\n{}</technical_details>\n\n<important_files>\n{}</important_files>\n\n<next_steps>\n{}\n</next_steps>\n\n<checkpoint_title>{}</checkpoint_title>",
            self.overview,
            self.history,
            self.work_done,
            self.technical_details,
            self.important_files,
            self.next_steps,
            self.title
        )
    }

    /// A file-name slug of the title.
    pub fn slug(&self) -> String {
        slug(&self.title)
    }
}
