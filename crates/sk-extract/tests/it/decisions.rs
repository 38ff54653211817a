//! Statements of a choice: a decision when a choice is stated with its reason, whatever
//! else the sentence names.

use sk_core::Category;

use crate::support::{Session, show};

#[test]
fn lets_use_with_a_reason_is_a_decision_even_when_it_names_a_convention() {
    // A choice with its reason; "convention" names what was chosen, not a standing rule.
    let mut s = Session::new();
    s.prompt("Small follow-up on the setup: let's use the dotenv convention so we don't have the RPC key in the shell history.");
    let c: Vec<_> = s
        .extract()
        .into_iter()
        .filter(|c| c.category == Category::Decision || c.category == Category::Pattern)
        .collect();
    assert_eq!(c.len(), 1, "{}", show(&c));
    assert_eq!(c[0].category, Category::Decision, "{}", show(&c));
}
