//! What the core's integration tests share with the testing crate, compiled in from there (one
//! copy of each): the recorded-fixture loader and the virtual clock.
#![allow(dead_code, unreachable_pub, clippy::panic, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../../../tests/src/clock.rs"]
pub mod clock;
#[path = "../../../tests/src/fixtures.rs"]
pub mod fixtures;
