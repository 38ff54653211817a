//! Development tools for sk that never ship: today, a generator of realistic synthetic
//! session logs (`corpus`) for ingest benchmarks and scale tests.

pub mod corpus;
