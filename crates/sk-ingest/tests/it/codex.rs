//! codex tests (being written)
