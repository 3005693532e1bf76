//! Demo cases.
