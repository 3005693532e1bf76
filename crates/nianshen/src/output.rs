//! Writing to standard output. A reader that goes away early (`| head`)
//! closes the pipe; that ends the output quietly instead of panicking as
//! `print!` does.

use std::io::Write;

/// Writes `text` to standard output. A closed pipe is not an error: the
/// reader has all it wanted.
pub fn print(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            tracing::warn!(error = %e, "writing to standard output failed");
        }
    }
}

/// Writes `text` and a line break to standard output.
pub fn println(text: &str) {
    print(&format!("{text}\n"));
}
