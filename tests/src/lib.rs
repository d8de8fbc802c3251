//! Test support for atlas-admin: recorded response fixtures and the loopback fake Atlas.
pub mod conformance;
pub mod fake;
pub mod fixtures;
