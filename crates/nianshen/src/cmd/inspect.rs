//! `nianshen inspect`.

use nianshen_rules::Lang;

use crate::cli::CdrArgs;
use crate::failure::Failure;

pub fn run(_args: CdrArgs, lang: Lang) -> Result<u8, Failure> {
    Err(Failure::localized(
        lang,
        "尚未实现。",
        "not implemented yet.",
    ))
}
