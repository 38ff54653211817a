//! A session's timeline as text, one line per step: what `sk session` prints and what the
//! MCP `session` tool hands a model next to the structured result. A tool call shows ✓ or
//! ✗ and, when it failed, the first line of its error; long texts collapse to one line.

use std::io::{self, Write};

use sk_store::sessions::TimelineItem;

/// One timeline line (two for a prompt). Sub-agent steps are marked so they read as
/// nested.
pub fn write_step(out: &mut impl Write, item: &TimelineItem) -> io::Result<()> {
    let indent = if item.subagent { "  │ " } else { "  " };
    let cut = item.text_chars > item.text.chars().count() as i64;
    // Texts shown by their first line are marked as cut when anything follows it.
    let more = cut || item.text.trim().contains('\n');
    match item.kind.as_str() {
        "prompt" => {
            let at = item.ts.map(sk_core::time::format_ms).unwrap_or_default();
            writeln!(out)?;
            writeln!(out, "{indent}── {at} prompt")?;
            writeln!(out, "{indent}> {}", collapse(&item.text, 300, cut))
        }
        "answer" => writeln!(out, "{indent}answer: {}", collapse(&item.text, 200, cut)),
        "tool_call" => {
            let tool = item.tool.as_deref().unwrap_or("tool");
            let args = collapse(first_line(&item.text), 100, cut || item.text.contains('\n'));
            match &item.result {
                Some(r) if r.success == Some(false) => writeln!(
                    out,
                    "{indent}✗ {tool} {args} — {}",
                    collapse(first_line(&r.text), 160, r.text.contains('\n'))
                ),
                Some(r) if r.success == Some(true) => writeln!(out, "{indent}✓ {tool} {args}"),
                Some(_) => writeln!(out, "{indent}· {tool} {args}"),
                None => writeln!(out, "{indent}· {tool} {args} (no result)"),
            }
        }
        "tool_result" => {
            let mark = match item.success {
                Some(false) => "✗",
                Some(true) => "✓",
                None => "·",
            };
            writeln!(
                out,
                "{indent}{mark} result of an unknown call: {}",
                collapse(first_line(&item.text), 160, more)
            )
        }
        "summary" | "task_summary" => writeln!(
            out,
            "{indent}[{}{}] {}",
            if item.kind == "summary" {
                "compaction"
            } else {
                "task summary"
            },
            item.section
                .as_deref()
                .map(|s| format!(": {s}"))
                .unwrap_or_default(),
            collapse(first_line(&item.text), 200, more)
        ),
        "error" => writeln!(
            out,
            "{indent}! error: {}",
            collapse(first_line(&item.text), 200, cut)
        ),
        other => writeln!(
            out,
            "{indent}{other}{}: {}",
            item.section
                .as_deref()
                .map(|s| format!(" {s}"))
                .unwrap_or_default(),
            collapse(first_line(&item.text), 160, more)
        ),
    }
}

fn first_line(text: &str) -> &str {
    text.trim_start().lines().next().unwrap_or("")
}

/// Whitespace runs collapsed to one space and the text cut to `max` characters; `…` marks
/// text that was cut here or before (`already_cut`).
pub fn collapse(text: &str, max: usize, already_cut: bool) -> String {
    let mut s = String::with_capacity(text.len().min(max * 4));
    let mut chars = 0;
    let mut cut = false;
    for word in text.split_whitespace() {
        if chars > 0 {
            s.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars >= max {
                cut = true;
                break;
            }
            s.push(c);
            chars += 1;
        }
        if cut {
            break;
        }
    }
    if (cut || already_cut) && !s.is_empty() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapse_keeps_one_line_and_marks_cuts() {
        assert_eq!(collapse("a\n\n  b", 10, false), "a b");
        assert_eq!(collapse("abcdef", 3, false), "abc…");
        assert_eq!(collapse("abc", 3, true), "abc…");
        assert_eq!(collapse("ééé", 2, false), "éé…");
    }
}
