//! The README's "Another async runtime" section, run: the blocking client on a blocking pool,
//! awaited from an executor that is neither Tokio nor smol, against the fake Atlas; and the
//! README shows these snippets verbatim (checked here, so they cannot rot).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use atlas_admin_hyper::core::{ApiResponse, Error, Operation};
use atlas_admin_hyper::ops::ListGroupInvites;
use atlas_admin_testing::fake::FakeAtlas;
use atlas_admin_testing::transport_suite::block_on;

// README: begin unblock
/// Runs `op` with the blocking client on a thread of a blocking pool; the awaiting task only
/// waits. `smol::unblock` is the `blocking` crate's pool (async-std's `spawn_blocking` too);
/// on another runtime, use its own `spawn_blocking`.
async fn execute_unblocked<O>(client: &atlas_admin_ureq::Client, op: O) -> Result<ApiResponse<O::Output>, Error>
where
    O: Operation + Send + 'static,
    O::Output: Send + 'static,
{
    let client = client.clone(); // cheap: clones share one session and one connection pool
    smol::unblock(move || client.execute(&op)).await
}
// README: end

#[test]
fn the_blocking_client_on_a_blocking_pool_from_a_foreign_executor() {
    let fake = FakeAtlas::start_day_independent();
    let client = atlas_admin_ureq::Client::builder()
        .base_url(&fake.base_url())
        .api_key(fake.config().public_key.clone(), fake.config().private_key.clone())
        .no_proxy()
        .build()
        .unwrap();
    let op = ListGroupInvites::new(fake.config().group_id.as_str()).unwrap();
    for _ in 0..3 {
        // A bare `block_on` (no Tokio, no smol executor, no async-io reactor on this thread).
        let listed = block_on(execute_unblocked(&client, op.clone())).unwrap();
        assert_eq!(listed.meta.status, 200);
    }
    // Three Digest calls, four requests: one challenge, then preemptive signing on a shared session.
    let counters = fake.counters();
    assert_eq!((counters.requests, counters.challenges), (4, 1));
}

/// The lines between `// README: begin NAME` and `// README: end` in `source`.
fn snippet<'a>(source: &'a str, name: &str) -> &'a str {
    let begin = format!("// README: begin {name}\n");
    let start = source.find(&begin).expect("the snippet's begin marker") + begin.len();
    let len = source[start..].find("// README: end").expect("the snippet's end marker");
    &source[start..start + len]
}

#[test]
fn the_readme_shows_these_snippets_verbatim() {
    let readme = include_str!("../../README.md");
    let unblock = snippet(include_str!("other_runtime.rs"), "unblock");
    assert!(unblock.contains("smol::unblock"), "{unblock}");
    assert!(readme.contains(unblock), "README.md must show tests/other_runtime.rs's snippet verbatim:\n{unblock}");
    let on_smol = snippet(include_str!("smol.rs"), "on smol");
    assert!(readme.contains(on_smol), "README.md must show tests/smol.rs's snippet verbatim:\n{on_smol}");
}
