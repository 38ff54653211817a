//! The two shapes a briefing is printed in: markdown for people and terminals, and a
//! compact XML block meant to be injected into an agent's context.

use super::{Briefing, Item, ItemId, SectionName, day};

/// Markdown for a person or an agent reading the terminal.
pub fn render_markdown(b: &Briefing) -> String {
    let mut out = String::new();
    out.push_str(&format!("# Briefing: {}\n", b.task));
    if b.empty {
        out.push_str(
            "\nNothing is known yet: `sk index` ingests agent sessions, `sk learn` records lessons.\n",
        );
        return out;
    }
    let mut any = false;
    for section in b.sections.iter().filter(|s| !s.items.is_empty()) {
        any = true;
        out.push_str(&format!("\n## {}\n", section.name.heading()));
        for item in &section.items {
            out.push_str(&markdown_item(section.name, item));
        }
    }
    if !any && b.omitted == 0 {
        out.push_str("\nNothing relevant is known for this task.\n");
    }
    if b.omitted > 0 {
        out.push_str(&format!("\n({} more: sk brief --full)\n", b.omitted));
    }
    out
}

pub(super) fn markdown_item(section: SectionName, item: &Item) -> String {
    let sep = |s: &str| {
        if s.is_empty() {
            String::new()
        } else {
            format!(": {s}")
        }
    };
    match (section, &item.id) {
        (SectionName::Sessions, ItemId::Key(key)) => format!(
            "- {} {} {}{}\n",
            item.last_seen.map(day).unwrap_or_else(|| "-".into()),
            key,
            item.title,
            sep(&item.body_excerpt)
        ),
        (SectionName::HotFiles, _) => format!("- {}: {}\n", item.title, item.body_excerpt),
        (_, id) => {
            let files = if item.files.is_empty() {
                String::new()
            } else {
                format!(" [{}]", item.files.join(", "))
            };
            let id = match id {
                ItemId::Entry(n) => format!("#{n}"),
                ItemId::Key(k) => k.clone(),
            };
            let from = item
                .from
                .as_deref()
                .map(|f| format!(" (from {f}, sk sync)"))
                .unwrap_or_default();
            format!("- {id} {}{from}{files}{}\n", item.title, sep(&item.body_excerpt))
        }
    }
}

/// A compact `<sk-briefing>` block meant to be pasted into an agent's context.
pub fn render_xml(b: &Briefing) -> String {
    let mut out = format!("<sk-briefing task=\"{}\"", xml_escape(&b.task));
    if let Some(repo) = &b.repo {
        out.push_str(&format!(" repo=\"{}\"", xml_escape(repo)));
    }
    if b.omitted > 0 {
        out.push_str(&format!(" omitted=\"{}\"", b.omitted));
    }
    out.push_str(">\n");
    if b.empty {
        out.push_str("<note>nothing is known yet</note>\n");
    }
    for section in &b.sections {
        let tag = section.name.xml_tag();
        for item in &section.items {
            let id = match &item.id {
                ItemId::Entry(n) => n.to_string(),
                ItemId::Key(k) => k.clone(),
            };
            let mut attrs = format!(" id=\"{}\"", xml_escape(&id));
            if let Some(c) = item.confidence {
                attrs.push_str(&format!(" confidence=\"{c:.2}\""));
            }
            if let Some(n) = item.mistakes {
                attrs.push_str(&format!(" mistakes=\"{n}\""));
            }
            if let Some(from) = &item.from {
                attrs.push_str(&format!(" from=\"{}\"", xml_escape(from)));
            }
            if let Some(t) = item.last_seen {
                attrs.push_str(&format!(" last=\"{}\"", day(t)));
            }
            if section.name != SectionName::HotFiles && !item.files.is_empty() {
                attrs.push_str(&format!(" files=\"{}\"", xml_escape(&item.files.join(" "))));
            }
            if section.name == SectionName::HotFiles {
                // Everything a hot file says is in its attributes.
                out.push_str(&format!("<{tag}{attrs}/>\n"));
                continue;
            }
            let text = match section.name {
                _ if item.body_excerpt.is_empty() => item.title.clone(),
                _ => format!("{}: {}", item.title, item.body_excerpt),
            };
            out.push_str(&format!("<{tag}{attrs}>{}</{tag}>\n", xml_escape(&text)));
        }
    }
    out.push_str("</sk-briefing>\n");
    out
}

/// Escapes text for XML content and double- or single-quoted attributes; characters XML
/// 1.0 cannot carry at all (most control characters) become spaces.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
