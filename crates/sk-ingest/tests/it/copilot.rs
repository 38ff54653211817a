//! copilot tests (being written)
