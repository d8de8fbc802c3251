//! What the core's integration tests share with the testing crate, compiled in from there (one
//! copy of each): the recorded-fixture loader and the virtual clock.
#![allow(dead_code, unreachable_pub, clippy::panic, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../../../tests/src/clock.rs"]
pub mod clock;
#[path = "../../../tests/src/fixtures.rs"]
pub mod fixtures;

/// A request as text: `METHOD URI`, the headers sorted, a blank line, the body.
pub fn render(request: &http::Request<Vec<u8>>) -> String {
    let mut headers: Vec<String> =
        request.headers().iter().map(|(k, v)| format!("{}: {}", k.as_str(), v.to_str().unwrap())).collect();
    headers.sort();
    format!(
        "{} {}\n{}\n\n{}",
        request.method(),
        request.uri(),
        headers.join("\n"),
        String::from_utf8_lossy(request.body())
    )
}
