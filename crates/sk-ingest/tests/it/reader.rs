//! reader tests (being written)
