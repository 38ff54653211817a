//! redact tests (being written)
