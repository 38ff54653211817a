//! The files Copilot keeps next to `events.jsonl`: `workspace.yaml` (flat session
//! metadata, in an older short form and the newer long form), `checkpoints/index.md` with
//! one `NNN-<slug>.md` per compaction, and sometimes a `plan.md`.

use std::fs;
use std::io;
use std::path::Path;

use rand::Rng;

use super::super::ids::Instant;
use super::super::script::{Scale, Scenario};
use super::super::{Ctx, SessionPlan};

/// Writes the metadata files of one session directory.
pub(super) fn write_files(
    ctx: &mut Ctx,
    dir: &Path,
    sc: &Scenario,
    plan: &SessionPlan,
    end: Instant,
    modified: usize,
    checkpoints: &[(String, String)],
) -> io::Result<()> {
    let sid = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let rng = &mut ctx.rng;
    let title = sc.title();
    let yaml = if rng.random_bool(0.3) {
        format!(
            "id: {sid}\ncwd: /home/user/{}\nsummary: {title}\ncreated_at: {}\nupdated_at: {}\n",
            sc.repo.name,
            plan.start.iso(),
            end.iso()
        )
    } else {
        format!(
            "id: {sid}\ncwd: /home/user/{r}\ngit_root: /home/user/{r}\nrepository: {o}/{r}\nhost_type: github\nbranch: {b}\nclient_name: cli\nname: null\nuser_named: false\nsummary: \"{title}\"\nsummary_count: {n}\ncreated_at: {c}\nupdated_at: {u}\n",
            r = sc.repo.name,
            o = sc.repo.owner,
            b = sc.branch,
            n = checkpoints.len() + usize::from(modified > 0),
            c = plan.start.iso(),
            u = end.iso()
        )
    };
    ctx.write_aux(&dir.join("workspace.yaml"), &yaml)?;
    if !checkpoints.is_empty() {
        let cdir = dir.join("checkpoints");
        fs::create_dir_all(&cdir)?;
        let mut index = String::from(
            "# Checkpoint History\n\nCheckpoints are listed in chronological order. Checkpoint 1 is the oldest.\n\n| # | Title | File |\n|---|-------|------|\n",
        );
        for (i, (name, content)) in checkpoints.iter().enumerate() {
            let title = content
                .split("<checkpoint_title>")
                .nth(1)
                .and_then(|t| t.split("</checkpoint_title>").next())
                .unwrap_or("Checkpoint");
            index.push_str(&format!("| {} | {title} | {name} |\n", i + 1));
            ctx.write_aux(&cdir.join(name), content)?;
        }
        ctx.write_aux(&cdir.join("index.md"), &index)?;
    }
    if plan.scale != Scale::Small && ctx.rng.random_bool(0.15) {
        let s = sc.summary(&mut ctx.rng);
        let plan_md = format!(
            "# Plan: {title}\n\n## Problem\n{}\n\n## Approach\n- [x] Reproduce the failure\n- [x] Fix the code path\n- [ ] Add a regression test\n- [ ] Update the docs\n\n## Notes\n{}\n{}\n",
            s.overview, s.technical_details, s.next_steps
        );
        ctx.write_aux(&dir.join("plan.md"), &plan_md)?;
    }
    Ok(())
}
