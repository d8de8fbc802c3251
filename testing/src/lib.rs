//! Test support for atlas-admin: recorded response fixtures, the loopback fake Atlas, the
//! canned-response server, and the suites every transport runs (conformance against the fake,
//! transport scenarios against the canned server).
pub mod canned;
pub mod cassette;
pub mod clock;
pub mod conformance;
pub mod doubles;
pub mod fake;
pub mod fixtures;
pub mod quickstart;
pub mod sockets;
pub mod transport_suite;
