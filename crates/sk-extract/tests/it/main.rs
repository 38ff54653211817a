mod corpus;
mod cue_tables;
mod hashing;
mod props;
mod support;
mod synthetic;
