//! The shared conformance suite (tests/src/conformance.rs) against the fake Atlas, over ureq.
#![allow(clippy::expect_used)]

use atlas_admin_core::{ApiResponse, Error, Operation};
use atlas_admin_tests::conformance::{ClientSpec, Driver};
use atlas_admin_ureq::Client;

struct Ureq(Client);

impl Driver for Ureq {
    fn connect(spec: ClientSpec) -> Self {
        let client = Client::builder()
            .base_url(&spec.base_url)
            .credentials(spec.credentials)
            .retry(spec.retry)
            .timeout(spec.timeout)
            .max_response_bytes(spec.max_response_bytes)
            .build()
            .expect("client for the fake Atlas");
        Ureq(client)
    }

    fn execute<O: Operation + Send + Sync>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O::Output: Send,
    {
        self.0.execute(op)
    }
}

atlas_admin_tests::conformance_suite!(Ureq);
