//! `threads-guard-held-too-long`, compiled as this crate's edition, 2021:
//! the same file, so the only difference is the edition.
include!("../../threads-guard-held-too-long/src/main.rs");
