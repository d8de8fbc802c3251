//! The shared suites of atlas-admin-testing over the async client: the conformance suite against
//! the fake Atlas, and the transport scenarios (Digest on the wire, faults, OAuth, TLS,
//! settings) against the canned server. The scenarios are blocking; calls run on one
//! multi-thread Tokio runtime shared by the tests, and clones run on tasks of it.
#![allow(clippy::expect_used)]

use atlas_admin_hyper::core::Operation;
use atlas_admin_hyper::{Client, Error};
use atlas_admin_testing::transport_suite::{Connected, Outcome, SharedOp, Transport};
use std::sync::OnceLock;
use tokio::runtime::Runtime;

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a Tokio runtime")
    })
}

struct Hyper;

impl Transport for Hyper {
    const NAME: &'static str = "hyper";
    atlas_admin_testing::transport_by_name!(atlas_admin_hyper);

    fn execute<O: Operation>(client: &Client, op: &O) -> Outcome<O> {
        runtime().block_on(client.execute(op))
    }

    fn revoke_token(client: &Client) -> Result<bool, Error> {
        runtime().block_on(client.revoke_token())
    }

    fn execute_on_clones<O: SharedOp>(client: &Client, op: &O, n: usize) -> Vec<Outcome<O>> {
        runtime().block_on(async {
            let tasks: Vec<_> = (0..n)
                .map(|_| {
                    let (client, op) = (client.clone(), op.clone());
                    tokio::spawn(async move { client.execute(&op).await })
                })
                .collect();
            let mut results = Vec::with_capacity(n);
            for task in tasks {
                results.push(task.await.expect("the call's task"));
            }
            results
        })
    }
}

atlas_admin_testing::conformance_suite!(Connected<Hyper>);
atlas_admin_testing::transport_suite!(Hyper);
