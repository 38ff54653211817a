//! Panics as contained, one-line failures.
//!
//! sk parses files written by other programs; a bug that panics on one event must cost that
//! event, not the file, the run or the process — and must not spray a backtrace over the
//! user's terminal on every run. [`catch`] runs a closure and turns a panic into its message
//! with the source location; [`install_hook`] replaces the default panic hook so that a
//! caught panic prints nothing and an uncaught one prints a single line.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, PanicHookInfo, catch_unwind};

thread_local! {
    /// How many [`catch`] calls are active on this thread: the hook stays quiet inside one.
    static CATCHING: Cell<u32> = const { Cell::new(0) };
    /// What the hook saw of the last panic on this thread ("message at file:line").
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replaces the process's panic hook: a panic inside [`catch`] is recorded for it and
/// printed nowhere; any other panic prints one line (`sk: internal error …`), never a
/// backtrace, whatever `RUST_BACKTRACE` says.
pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let described = describe(info);
        if CATCHING.with(Cell::get) > 0 {
            LAST.with(|last| *last.borrow_mut() = Some(described));
        } else {
            eprintln!("sk: internal error (please report): {described}");
        }
    }));
}

/// Runs `f`; a panic inside it becomes `Err(message)` — with the file and line when
/// [`install_hook`] is in place. The closure's state may be half-updated after a panic, so
/// the caller must treat whatever `f` was building as lost.
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    CATCHING.with(|c| c.set(c.get() + 1));
    LAST.with(|last| last.borrow_mut().take());
    let result = catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(c.get().saturating_sub(1)));
    result.map_err(|payload| {
        LAST.with(|last| last.borrow_mut().take())
            .unwrap_or_else(|| payload_message(payload.as_ref()).to_string())
    })
}

/// The text a panic carries (`panic!("…")` gives a `&str` or a `String`).
pub fn payload_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}

fn describe(info: &PanicHookInfo<'_>) -> String {
    let message = payload_message(info.payload());
    // One line: a message spanning lines would break the one-line-per-failure output.
    let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
    match info.location() {
        Some(at) => format!("{message} (at {}:{})", at.file(), at.line()),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        let r: Result<(), String> = catch(|| panic!("boom {}", 7));
        assert!(r.is_err_and(|m| m.contains("boom 7")));
        assert_eq!(catch(|| 5), Ok(5));
    }

    #[test]
    fn with_the_hook_the_message_names_where() {
        install_hook();
        let r: Result<(), String> = catch(|| panic!("at a place"));
        let msg = r.err().unwrap_or_default();
        assert!(msg.contains("at a place") && msg.contains("panic.rs:"), "{msg}");
        // Nested catches keep the outer one quiet as well.
        let outer = catch(|| catch(|| panic!("inner")).is_err());
        assert_eq!(outer, Ok(true));
    }
}
