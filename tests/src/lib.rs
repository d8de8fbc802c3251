//! Test support for atlas-admin: recorded response fixtures.
pub mod fixtures;
