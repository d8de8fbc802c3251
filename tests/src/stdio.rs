//! Printing for the programs the workspace ships (`fake-atlas`, the `atlas-api` CLI, the
//! quickstarts, `e2e-bench`): output to a closed stdout or stderr (`fake-atlas --help | true`)
//! is dropped quietly, where `println!` and `eprintln!` panic (exit status 101).

use std::io::Write as _;

/// Writes `text` to stdout and flushes it; `false` if it cannot (a closed pipe), never a panic.
/// A program with more to print may stop once this says `false`.
pub fn out(text: &str) -> bool {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).is_ok()
}

/// Writes one line to stderr; a closed stderr is ignored.
pub fn err(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
