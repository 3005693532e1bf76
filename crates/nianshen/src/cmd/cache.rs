//! `nianshen cache clear`: empties the cache of normalised call records
//! kept in the user's cache directory.

use nianshen_cdr::RecordCache;
use nianshen_rules::Lang;

use crate::cli::{CacheArgs, CacheCommand};
use crate::failure::{Failure, EXIT_OK};

pub fn run(args: CacheArgs, lang: Lang) -> Result<u8, Failure> {
    match args.command {
        CacheCommand::Clear => clear(lang),
    }
}

fn clear(lang: Lang) -> Result<u8, Failure> {
    let Some(cache) = RecordCache::open_default() else {
        let message = match lang {
            Lang::Zh => "没有找到用户缓存目录，无需清理。\n",
            Lang::En => "no user cache directory found; nothing to clear.\n",
        };
        print!("{message}");
        return Ok(EXIT_OK);
    };
    let removed = cache.clear().map_err(|e| {
        Failure::localized(
            lang,
            format!(
                "无法清理缓存“{}”：{e}。\n请确认该文件夹可写，或手动删除它。",
                cache.dir().display()
            ),
            format!(
                "cannot clear the cache {}: {e}.\nMake sure the folder is writable, or remove it by hand.",
                cache.dir().display()
            ),
        )
    })?;
    let message = match lang {
        Lang::Zh => format!(
            "已清理缓存：删除 {removed} 个条目（{}）。\n",
            cache.dir().display()
        ),
        Lang::En => format!(
            "cache cleared: {removed} entries removed ({}).\n",
            cache.dir().display()
        ),
    };
    print!("{message}");
    Ok(EXIT_OK)
}
