//! Rule 2 in Chinese, Japanese, Korean and Russian (`cues::WIDE_LANGS`): corrections it
//! reads, and at its limits task prompts whose words look like a correction, as
//! `corrections_limits` has them in the Latin-script languages.

use sk_core::Agent;
use sk_core::knowledge::SHOWN_MIN_CONFIDENCE;
use sk_extract::Candidate;

use crate::support::{Session, corrections_as, has_cue, show};

fn shown(c: &Candidate) -> bool {
    f64::from(c.confidence) >= SHOWN_MIN_CONFIDENCE
}

/// A task prompt in `said` after an agent action: the corrections found.
fn wide_after_action(said: &str) -> Vec<Candidate> {
    let mut s = Session::new();
    s.prompt("Add a login page")
        .edit("/work/app/login.js", "render()", "render(); form()")
        .answer("Added the login page.")
        .prompt(said)
        .edit("/work/app/login.js", "form()", "form(); more()")
        .answer("Done.")
        .prompt("ok");
    corrections_as(&s, Agent::Claude)
}

#[test]
fn corrections_in_korean_chinese_and_russian_are_read() {
    for (said, cue) in [
        (
            "아직 버그가 있다. 로그인 버튼이 작동하지 않는다.",
            "mistake.ko.bug",
        ),
        ("这个逻辑不对，应该先保存再刷新。", "mistake.zh.wrong"),
        ("Это неправильно, порт должен быть 8080.", "mistake.ru.wrong"),
    ] {
        let found = wide_after_action(said);
        assert_eq!(found.len(), 1, "{said}: {}", show(&found));
        assert!(has_cue(&found[0], cue), "{said}: {:?}", found[0].cues);
        assert!(
            found[0].body.contains("Then the agent edited login.js."),
            "{}",
            found[0].body
        );
    }
}

#[test]
fn a_question_in_korean_or_chinese_is_no_correction() {
    for said in ["로그인 버튼에 문제가 있나요?", "这个按钮有问题吗？"] {
        let mut s = Session::new();
        s.prompt("Add a login page")
            .edit("/work/app/login.js", "render()", "render(); form()")
            .answer("Added the login page.")
            .prompt(said)
            .answer("No, it works.")
            .prompt("ok");
        let found = corrections_as(&s, Agent::Claude);
        assert!(found.is_empty(), "{said}: {}", show(&found));
    }
}

#[test]
fn a_condition_or_purpose_clause_in_a_wide_language_task_is_no_correction() {
    // As "show a warning when the image does not load" in English (`cues::in_condition`).
    for said in [
        "画像が表示されない場合はプレースホルダーを表示してください。",
        "如果图片不显示，就显示一个占位符。",
        "输入不正确时显示提示。",
        "작동하지 않으면 경고를 보여 주세요.",
        "입력이 잘못된 경우 경고를 보여 주세요.",
        "오류가 나지 않도록 입력을 검증해 주세요.",
        "Покажи предупреждение, если сервер не запускается за 10 секунд.",
    ] {
        let found = wide_after_action(said);
        assert!(found.is_empty(), "{said}: {}", show(&found));
    }
    // The report itself stays one.
    for said in [
        "按钮还是不能用，点击没有反应。",
        "画像が表示されない。",
        "Кнопка не работает.",
    ] {
        assert_eq!(wide_after_action(said).len(), 1, "{said}");
    }
}

#[test]
fn ordinary_words_and_negations_in_wide_languages_are_no_correction() {
    for said in [
        // "The tests have no problem, go on to the next step": 没有问题 says all is well.
        "测试没有问题，继续下一步吧。",
        "编译没有错误了，现在加上单元测试。",
        // "No error occurs any more. Let's go on to the next step."
        "이제 오류가 나지 않아요. 다음 단계로 넘어가죠.",
        // "Add this button to the other pages too": 别的 is "other", not "don't".
        "别的页面也加上这个按钮。",
        // "Remove the redundant spaces": a task.
        "删除多余的空格。",
        // "Make it a different colour": 違う is also "different".
        "違う色にしてください。",
        // "Add a message for a wrong password on the login page": the adjective of a task.
        "Добавь сообщение при неверном пароле на странице входа.",
        "Добавь проверку на неправильный формат даты.",
    ] {
        let found = wide_after_action(said);
        assert!(found.is_empty(), "{said}: {}", show(&found));
    }
}

#[test]
fn a_constraint_after_a_japanese_task_is_no_correction() {
    // "Make the login screen. Don't change the existing files.": as "Add this to the
    // README. Don't change any other files." in English, an order after the first
    // sentence is the task's constraint.
    let found = wide_after_action("ログイン画面を作って。既存のファイルは変更しないでください。");
    assert!(found.is_empty(), "{}", show(&found));
}

#[test]
fn a_full_width_question_mark_asks() {
    // "Is this right or not?" only asks: held under the threshold, as "is that wrong?".
    let found = wide_after_action("这样对不对？");
    assert!(found.iter().all(|c| !shown(c)), "{}", show(&found));
    // "Should I delete the old API?" — "Don't delete it, keep the old API.": a reply.
    let mut s = Session::new();
    s.prompt("Refactor the API module")
        .edit("/work/app/api.js", "v1()", "v2()")
        .answer("Refactored. 要不要把旧的接口删掉？")
        .prompt("不要删，保留旧接口。")
        .answer("好的，保留。")
        .prompt("ok");
    let found = corrections_as(&s, Agent::Claude);
    assert!(found.is_empty(), "{}", show(&found));
}

#[test]
fn emphatic_question_marks_do_not_push_the_correction_out_of_reach() {
    // "What??? This is wrong, the port is 8080.": the marks are one sentence, so the
    // correction is the second, within the three read for rejections.
    let found = wide_after_action("什么？？？这个不对，端口应该是8080。");
    assert_eq!(found.len(), 1, "{}", show(&found));
}
