//! The shared conformance suite (atlas-admin-tests) against the async client, driven from
//! blocking scenarios through a multi-thread Tokio runtime owned by the driver.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use atlas_admin_hyper::core::Operation;
use atlas_admin_hyper::{ApiResponse, Client, Error};
use atlas_admin_tests::conformance::{ClientSpec, Driver};

struct HyperDriver {
    runtime: tokio::runtime::Runtime,
    client: Client,
}

impl Driver for HyperDriver {
    fn connect(spec: ClientSpec) -> Self {
        let ClientSpec { base_url, credentials, retry, timeout, max_response_bytes } = spec;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a Tokio runtime");
        let client = Client::builder()
            .base_url(&base_url)
            .credentials(credentials)
            .retry(retry)
            .timeout(timeout)
            .max_response_bytes(max_response_bytes)
            .build()
            .expect("the spec builds a client");
        HyperDriver { runtime, client }
    }

    fn execute<O: Operation + Send + Sync>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O::Output: Send,
    {
        self.runtime.block_on(self.client.execute(op))
    }
}

atlas_admin_tests::conformance_suite!(HyperDriver);
