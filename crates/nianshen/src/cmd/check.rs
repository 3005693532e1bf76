//! `nianshen check`.

use nianshen_rules::Lang;

use crate::cli::CheckArgs;
use crate::failure::Failure;

pub fn run(_args: CheckArgs, lang: Lang) -> Result<u8, Failure> {
    Err(Failure::localized(
        lang,
        "尚未实现。",
        "not implemented yet.",
    ))
}
