//! The outputs written and read back: atomic replacement of the set,
//! report.html, findings.json against its schema, and the terminal summary.
//! One test binary keeps debug builds lean.

// Helpers outside #[test] functions panic on broken fixtures, as tests do.
#![allow(clippy::unwrap_used)]

mod atomic;
mod common;
mod html;
mod schema;
mod terminal;
