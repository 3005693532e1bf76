//! `nianshen recon`.

use nianshen_rules::Lang;

use crate::cli::ReconArgs;
use crate::failure::Failure;

pub fn run(_args: ReconArgs, lang: Lang) -> Result<u8, Failure> {
    Err(Failure::localized(
        lang,
        "尚未实现。",
        "not implemented yet.",
    ))
}
