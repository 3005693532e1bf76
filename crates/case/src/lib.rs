//! The case folder (DESIGN §9.1): `case.toml` and the default layout of the
//! materials a company already has.
//!
//! This crate only parses and locates; judging the contents is the checks'
//! work. Every path in [`Inputs`] is relative to the case folder and may name
//! a file, a folder or a ZIP archive.

mod dates;
mod load;
mod model;

pub use load::{load, CaseError, InputKind, LoadedCase};
pub use model::*;
