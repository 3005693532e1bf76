//! `nianshen demo`: a realistic synthetic case of an invented call centre,
//! and call-record files of any size for benchmarks.
//!
//! The case is a complete folder in the default layout (`case.toml`,
//! materials, call records from both sides, staff, photos, complaints,
//! recordings, contracts, payments) for the 2024 figures of 深圳市云帆数联
//! 科技有限公司, meant to be checked as of 2025-02-15. The clean case passes
//! every check; the default demo plants traps 1, 2, 3, 5, 7 and 10 and a
//! carrier-bill gap, listed in `planted.json`. Everything is drawn from the
//! seed: the same seed writes byte-identical files.
//!
//! [`write_bench`] writes `local.csv`, `carrier.csv` and `truth.json` in the
//! layout of the shared benchmark generator, streaming, so any size fits in
//! constant memory; the truth's one-to-one counts are exact by construction.

mod archive;
mod bench;
mod calls;
mod carrier;
mod case;
mod case_toml;
mod complaints;
mod docs;
mod error;
mod figures;
mod ids;
mod out;
mod pdf;
mod photo;
mod planted;
mod rng;
mod sign;
mod tables;
mod world;

use std::path::Path;

pub use bench::{BenchTruth, Expected};
pub use case::CaseSummary;
pub use error::DemoError;
pub use ids::{id_check, uscc_check};
pub use planted::Planted;

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 2024;

/// Writes the demo case into `dir`: the clean case when `clean`, else the
/// case with its planted faults. `dir` must be absent, empty or an earlier
/// demo output, which is replaced as a whole.
///
/// # Errors
/// [`DemoError::NotEmpty`] for a folder holding other files; I/O errors
/// with the path that failed.
pub fn write_case(dir: &Path, seed: u64, clean: bool) -> Result<CaseSummary, DemoError> {
    let pack = nianshen_rules::load("cn-miit", None, &toml::Table::new())?;
    let faults = if clean {
        planted::Faults::none()
    } else {
        planted::Faults::all()
    };
    tracing::info!(seed, clean, dir = %dir.display(), "writing demo case");
    let summary = out::staged(dir, |sink| case::write(sink, &pack, seed, faults))?;
    tracing::info!(
        files = summary.files,
        bytes = summary.bytes,
        calls = summary.calls,
        "demo case written"
    );
    Ok(summary)
}

/// Writes `local.csv`, `carrier.csv` and `truth.json` with `calls` local
/// call attempts into `dir` (absent, empty or an earlier demo output).
///
/// # Errors
/// As [`write_case`].
pub fn write_bench(dir: &Path, seed: u64, calls: u64) -> Result<BenchTruth, DemoError> {
    tracing::info!(seed, calls, dir = %dir.display(), "writing benchmark call records");
    let old = out::check_target(dir)?;
    out::clear(&old)?;
    std::fs::create_dir_all(dir).map_err(|e| DemoError::io(dir, e))?;
    bench::write(dir, seed, calls)
}
