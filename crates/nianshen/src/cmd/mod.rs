//! One module and one `run` per subcommand.

pub mod cache;
pub mod check;
pub mod demo;
pub mod init;
pub mod inspect;
pub mod recon;
pub mod rules;
