//! Keeps the cue tables consistent: unique names that say their category and language,
//! every example firing its own cue, each rule's cues only in its category's table, every
//! language covered where a rule reads human text, and each strong summary cue's example
//! classified into its own category.

use std::collections::BTreeSet;

use sk_core::Category;
use sk_extract::cues::{self, Cue, Use, classify_summary_item, hits};

const LANGS: [&str; 6] = ["en", "de", "fr", "es", "pt", "it"];

fn all() -> Vec<(Category, &'static Cue)> {
    Category::ALL
        .into_iter()
        .flat_map(|c| cues::table(c).iter().map(move |cue| (c, cue)))
        .collect()
}

#[test]
fn names_are_unique_and_say_category_and_language() {
    let mut seen = BTreeSet::new();
    for (category, cue) in all() {
        assert!(seen.insert(cue.name), "duplicate cue name {}", cue.name);
        let mut parts = cue.name.split('.');
        assert_eq!(
            parts.next(),
            Some(category.as_str()),
            "{} is in the {category} table",
            cue.name
        );
        let lang = parts.next().unwrap_or("");
        assert_eq!(Some(&lang), cue.langs.first(), "{}: first language", cue.name);
        assert!(
            cue.langs
                .iter()
                .all(|l| LANGS.contains(l) || cues::WIDE_LANGS.contains(l)),
            "{}: {:?}",
            cue.name,
            cue.langs
        );
        assert!((1..=3).contains(&cue.weight), "{}", cue.name);
        assert!(!cue.uses.is_empty() && !cue.example.is_empty(), "{}", cue.name);
    }
}

#[test]
fn every_example_fires_its_own_cue() {
    for (category, cue) in all() {
        for &use_ in cue.uses {
            let fired = hits(use_, cue.example);
            assert!(
                fired
                    .iter()
                    .any(|h| h.cue.name == cue.name && h.category == category),
                "{} ({use_:?}) does not fire on its example {:?}",
                cue.name,
                cue.example
            );
        }
    }
}

#[test]
fn rule_specific_uses_live_in_their_category() {
    for (category, cue) in all() {
        for use_ in cue.uses {
            let allowed = match use_ {
                Use::Summary => true,
                Use::Reject => category == Category::Mistake,
                Use::Rule => category == Category::Pattern,
                Use::Decide => category == Category::Decision,
            };
            assert!(allowed, "{} may not be used for {use_:?}", cue.name);
        }
    }
}

#[test]
fn rules_reading_human_text_cover_every_language() {
    for (use_, category) in [
        (Use::Reject, Category::Mistake),
        (Use::Rule, Category::Pattern),
        (Use::Decide, Category::Decision),
    ] {
        for lang in LANGS {
            let n = cues::table(category)
                .iter()
                .filter(|c| c.uses.contains(&use_) && c.langs.contains(&lang))
                .count();
            assert!(n >= 2, "{use_:?} has {n} cue(s) for {lang}");
        }
    }
    // Rejections are also read in the languages matched unfolded.
    for lang in cues::WIDE_LANGS {
        let n = cues::table(Category::Mistake)
            .iter()
            .filter(|c| c.uses.contains(&Use::Reject) && c.langs.contains(&lang))
            .count();
        assert!(n >= 3, "Reject has {n} cue(s) for {lang}");
    }
}

#[test]
fn rejections_in_unspaced_and_cyrillic_scripts_fire_and_questions_do_not() {
    let fires = |t: &str| !hits(Use::Reject, t).is_empty();
    assert!(fires("하지만 여전히 버그가 있어."));
    assert!(fires("这个逻辑不对"));
    assert!(fires("Кнопка не работает"));
    assert!(!fires("有问题吗？"));
    assert!(!fires("문제가 있나요?"));
    // A Latin-script cue is not fooled by letters it cannot read.
    assert!(!fires("请添加一个按钮"));
    assert!(!fires("Добавь кнопку на страницу"));
}

#[test]
fn strong_summary_examples_classify_into_their_own_category() {
    let mut wrong = Vec::new();
    for (category, cue) in all() {
        if !cue.uses.contains(&Use::Summary) || cue.weight < 2 {
            continue;
        }
        let got = classify_summary_item(cue.example, None).map(|(c, _, _)| c);
        if got != Some(category) {
            wrong.push(format!("{}: {:?} -> {got:?}", cue.name, cue.example));
        }
    }
    assert!(
        wrong.is_empty(),
        "examples classified elsewhere:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn unless_patterns_cancel_idioms() {
    assert!(hits(Use::Rule, "Ich habe immer noch den Fehler").is_empty());
    assert!(hits(Use::Rule, "Never mind, found it").is_empty());
    assert!(hits(Use::Reject, "No problem, thanks").is_empty());
    assert!(hits(Use::Reject, "No, that's fine").is_empty());
    assert!(hits(Use::Reject, "SQLite statt Postgres").is_empty());
}

#[test]
fn patterns_are_written_in_folded_form() {
    // Matching runs on `fold`ed text (ASCII lower case), so a pattern with an accent or
    // an upper-case letter (other than an escape such as `\S`) could never fire.
    // The cues of the languages matched unfolded are written in lower case instead.
    for (_, cue) in all() {
        if cue.langs.iter().any(|l| cues::WIDE_LANGS.contains(l)) {
            for pattern in [cue.pattern, cue.unless] {
                assert_eq!(pattern, pattern.to_lowercase(), "{}", cue.name);
            }
            continue;
        }
        for pattern in [cue.pattern, cue.unless] {
            assert!(pattern.is_ascii(), "{}: {pattern}", cue.name);
            let mut escaped = false;
            for c in pattern.chars() {
                assert!(
                    escaped || !c.is_ascii_uppercase(),
                    "{}: upper case in {pattern}",
                    cue.name
                );
                escaped = !escaped && c == '\\';
            }
        }
    }
    assert_eq!(
        cues::fold("Décidé — Straße, l’API «ok» 東京"),
        "decide - strasse, l'api \"ok\" xx"
    );
}
