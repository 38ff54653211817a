//! claude tests (being written)
