//! Development tools for sk that never ship: a generator of realistic synthetic session
//! logs (`corpus`) and the ingest benchmark that runs the real `sk` over it (`bench`).

pub mod bench;
pub mod corpus;
