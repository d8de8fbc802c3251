//! Concurrency proofs against the fake Atlas: many tasks on one client share one OAuth token
//! and one Digest session, and cancelled calls leave the client usable.
//!
//! Run with `--nocapture` to see the measured counters.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::print_stderr)]

use atlas_admin_hyper::ops::{GetGroupInvite, ListGroupInvites};
use atlas_admin_hyper::{ApiResponse, Client, Credentials, Error, GroupInvitation, RetryPolicy};
use atlas_admin_testing::fake::{FakeAtlas, FakeConfig, Fault};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

const TASKS: usize = 200;

fn retry() -> RetryPolicy {
    RetryPolicy::default().with_base_delay(Duration::from_millis(5)).with_max_total_wait(Duration::from_secs(10))
}

fn client(base_url: &str, credentials: Credentials) -> Client {
    Client::builder()
        .base_url(base_url)
        .credentials(credentials)
        .retry(retry())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn digest(fake: &FakeAtlas) -> Credentials {
    Credentials::api_key(fake.config().public_key.clone(), fake.config().private_key.clone()).unwrap()
}

fn service_account(fake: &FakeAtlas) -> Credentials {
    Credentials::service_account(fake.config().client_id.clone(), fake.config().client_secret.clone()).unwrap()
}

fn list(fake: &FakeAtlas) -> ListGroupInvites {
    ListGroupInvites::new(fake.config().group_id.clone()).unwrap()
}

/// Runs `n` concurrent `listGroupInvites` calls, each on its own task, and returns the results.
async fn spawn_many(
    client: &Client,
    op: &ListGroupInvites,
    n: usize,
) -> Vec<Result<ApiResponse<Vec<GroupInvitation>>, Error>> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let client = client.clone();
        let op = op.clone();
        tasks.spawn(async move { client.execute(&op).await });
    }
    let results = tasks.join_all().await;
    assert_eq!(results.len(), n);
    results
}

fn assert_all_ok<T>(what: &str, results: &[Result<ApiResponse<T>, Error>]) {
    let failed: Vec<String> = results.iter().filter_map(|r| r.as_ref().err()).map(|e| e.to_string()).collect();
    assert!(failed.is_empty(), "{what}: {} of {} failed, first: {:?}", failed.len(), results.len(), failed.first());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_200_tasks_share_one_token_and_one_refresh() {
    let fake = FakeAtlas::start_day_independent();
    let client = client(&fake.base_url(), service_account(&fake));
    let op = list(&fake);

    let results = spawn_many(&client, &op, TASKS).await;
    assert_all_ok("first wave", &results);
    let first = fake.counters();
    eprintln!(
        "oauth, {TASKS} tasks, cold: token_requests={} api_requests={} auth_failures={}",
        first.token_requests, first.api_requests, first.auth_failures
    );
    assert_eq!(first.token_requests, 1, "one token for every task");
    assert_eq!(first.api_requests, TASKS as u64);
    assert!(results.iter().all(|r| r.as_ref().is_ok_and(|ok| ok.meta.exchanges <= 2)));

    // Atlas forgets the token: every task's request is refused once, the core invalidates the
    // refused token, one task refetches and the others wait on its lease.
    fake.expire_tokens();
    fake.reset_counters();
    let results = spawn_many(&client, &op, TASKS).await;
    assert_all_ok("after expiry", &results);
    let second = fake.counters();
    eprintln!(
        "oauth, {TASKS} tasks, after expire_tokens: token_requests={} api_requests={} auth_failures={}",
        second.token_requests, second.api_requests, second.auth_failures
    );
    assert_eq!(second.token_requests, 1, "exactly one refresh");
    assert_eq!(second.api_requests, TASKS as u64 + second.auth_failures, "each refusal costs one resend");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_200_tasks_all_succeed_without_replays() {
    let fake = FakeAtlas::start_day_independent();
    let client = client(&fake.base_url(), digest(&fake));
    let op = list(&fake);

    // Cold: no challenge cached. One call probes; the others wait for its nonce and sign.
    let results = spawn_many(&client, &op, TASKS).await;
    assert_all_ok("cold", &results);
    let cold = fake.counters();
    eprintln!(
        "digest, {TASKS} tasks, cold: api_requests={} challenges={} stale={} replays_rejected={} auth_failures={}",
        cold.api_requests, cold.challenges, cold.stale_challenges, cold.replays_rejected, cold.auth_failures
    );
    assert_eq!(cold.replays_rejected, 0, "no (nonce, nc) pair is used twice");
    assert_eq!(cold.auth_failures, 0);
    assert_eq!(cold.challenges, 1, "one probe for all cold calls");
    assert_eq!(cold.api_requests, TASKS as u64 + 1);

    // Warm: one challenge cached, every task signs preemptively with its own nc.
    fake.reset_counters();
    let results = spawn_many(&client, &op, TASKS).await;
    assert_all_ok("warm", &results);
    let warm = fake.counters();
    eprintln!(
        "digest, {TASKS} tasks, warm: api_requests={} challenges={} replays_rejected={}",
        warm.api_requests, warm.challenges, warm.replays_rejected
    );
    assert_eq!((warm.api_requests, warm.challenges, warm.replays_rejected), (TASKS as u64, 0, 0));
    assert!(results.iter().all(|r| r.as_ref().is_ok_and(|ok| ok.meta.exchanges == 1)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_call_leaves_the_client_usable() {
    let fake = FakeAtlas::start_day_independent();
    let client = client(&fake.base_url(), digest(&fake));
    let op = list(&fake);
    client.execute(&op).await.unwrap();

    // The next API request stalls for 2 s; the caller gives up after 50 ms.
    fake.inject(Fault::Slow(Duration::from_secs(2)), 1);
    let started = Instant::now();
    let cancelled = tokio::time::timeout(Duration::from_millis(50), client.execute(&op)).await;
    assert!(cancelled.is_err(), "the call was cancelled, not finished: {cancelled:?}");

    // The client is immediately usable, well before the stalled answer would have come.
    for _ in 0..5 {
        let ok = client.execute(&op).await.unwrap();
        assert_eq!(ok.meta.exchanges, 1, "still signing preemptively");
    }
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());

    // Aborting spawned tasks mid-flight (dropping their futures) is just as harmless.
    fake.inject(Fault::Slow(Duration::from_secs(2)), 10);
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (client, op) = (client.clone(), op.clone());
            tokio::spawn(async move { client.execute(&op).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    for task in &tasks {
        task.abort();
    }
    for task in tasks {
        assert!(task.await.unwrap_err().is_cancelled());
    }
    let results = spawn_many(&client, &op, 20).await;
    assert_all_ok("after aborts", &results);
    let n = fake.counters();
    eprintln!("cancellation, digest: api_requests={} replays_rejected={}", n.api_requests, n.replays_rejected);
    assert_eq!(n.replays_rejected, 0);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

/// A TCP relay in front of the fake that swallows the first `POST /api/oauth/token` it sees:
/// that connection is held open and never answered. Everything else is relayed.
struct HoldFirstTokenRequest {
    addr: SocketAddr,
    held: Arc<AtomicU32>,
    task: tokio::task::JoinHandle<()>,
}

impl HoldFirstTokenRequest {
    async fn start(upstream: SocketAddr) -> HoldFirstTokenRequest {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let held = Arc::new(AtomicU32::new(0));
        let holding = Arc::new(AtomicBool::new(false));
        let counter = held.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else { return };
                let (counter, holding) = (counter.clone(), holding.clone());
                tokio::spawn(async move {
                    let mut first = vec![0u8; 64 * 1024];
                    let Ok(n) = inbound.read(&mut first).await else { return };
                    first.truncate(n);
                    if first.starts_with(b"POST /api/oauth/token") && !holding.swap(true, Ordering::SeqCst) {
                        counter.fetch_add(1, Ordering::SeqCst);
                        // Hold the connection until the client gives up (bounded).
                        let mut sink = [0u8; 1024];
                        let _ = tokio::time::timeout(Duration::from_secs(10), inbound.read(&mut sink)).await;
                        return;
                    }
                    let Ok(mut outbound) = TcpStream::connect(upstream).await else { return };
                    if outbound.write_all(&first).await.is_err() {
                        return;
                    }
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                });
            }
        });
        HoldFirstTokenRequest { addr, held, task }
    }
}

impl Drop for HoldFirstTokenRequest {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_the_token_fetch_does_not_wedge_other_calls() {
    let fake = FakeAtlas::start_with(FakeConfig { serve_past_sunset: true, ..FakeConfig::default() }).unwrap();
    let relay = HoldFirstTokenRequest::start(fake.addr()).await;
    let client = client(&format!("http://{}", relay.addr), service_account(&fake));
    let op = list(&fake);

    // Call 1 leads the token fetch, which hangs; call 2 starts meanwhile and waits on call 1's
    // lease. Cancelling call 1 must hand the fetch to call 2 at once (not after the core's 30 s
    // lease timeout or the 10 s exchange timeout).
    let leader = {
        let (client, op) = (client.clone(), op.clone());
        tokio::spawn(async move { client.execute(&op).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(relay.held.load(Ordering::SeqCst), 1, "the leader's token request is being held");
    let waiter = {
        let (client, op) = (client.clone(), op.clone());
        tokio::spawn(async move { client.execute(&op).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!waiter.is_finished(), "the waiter waits on the leader's lease");
    assert_eq!(fake.counters().token_requests, 0);

    let cancelled_at = Instant::now();
    leader.abort();
    assert!(leader.await.unwrap_err().is_cancelled());
    let ok = tokio::time::timeout(Duration::from_secs(3), waiter).await.expect("the waiter is not wedged").unwrap();
    let ok = ok.expect("the waiter fetched a token and succeeded");
    let took = cancelled_at.elapsed();
    eprintln!("token fetch cancelled: the waiting call finished {took:?} later, exchanges={}", ok.meta.exchanges);
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert_eq!(ok.meta.exchanges, 2, "its own token fetch + the call");

    // And the client keeps working: the token is cached now.
    let again =
        client.execute(&GetGroupInvite::new(&fake.config().group_id, "6a79c2d4e8f01b3a5c7d9e1f").unwrap()).await;
    assert!(again.unwrap_err().is_not_found());
    let n = fake.counters();
    eprintln!("token fetch cancelled: fake token_requests={} api_requests={}", n.token_requests, n.api_requests);
    assert_eq!((n.token_requests, n.api_requests), (1, 2));

    // A cancellation by timeout during a fresh token fetch (after Atlas forgot the token)
    // does not wedge the next call either.
    fake.expire_tokens();
    let relay2 = HoldFirstTokenRequest::start(fake.addr()).await;
    let client2 = self::client(&format!("http://{}", relay2.addr), service_account(&fake));
    let cancelled = tokio::time::timeout(Duration::from_millis(100), client2.execute(&op)).await;
    assert!(cancelled.is_err());
    assert_eq!(relay2.held.load(Ordering::SeqCst), 1);
    let started = Instant::now();
    client2.execute(&op).await.expect("the next call fetches its own token");
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
}

/// A token that really expires (1 s lifetime on the fake): one refresh serves the next wave,
/// and no call is refused, because the core stops sending a token before it expires.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_lived_token_is_refreshed_once_when_it_expires() {
    let fake =
        FakeAtlas::start_with(FakeConfig { token_expires_in: 1, serve_past_sunset: true, ..FakeConfig::default() })
            .unwrap();
    let client = client(&fake.base_url(), service_account(&fake));
    let op = list(&fake);
    assert_all_ok("first wave", &spawn_many(&client, &op, TASKS).await);
    assert_eq!(fake.counters().token_requests, 1);
    // Past the token's lifetime (a bound, not a race: after 1.2 s the 1 s token is expired).
    tokio::time::sleep(Duration::from_millis(1200)).await;
    fake.reset_counters();
    assert_all_ok("second wave", &spawn_many(&client, &op, TASKS).await);
    let n = fake.counters();
    eprintln!(
        "oauth, {TASKS} tasks after real expiry: token_requests={} api_requests={} auth_failures={}",
        n.token_requests, n.api_requests, n.auth_failures
    );
    assert_eq!((n.token_requests, n.api_requests, n.auth_failures), (1, TASKS as u64, 0));
}

/// A loopback server that accepts connections, reads, and never answers; counts connections.
async fn silent_server() -> (SocketAddr, Arc<AtomicU32>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicU32::new(0));
    let count = Arc::clone(&accepted);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
            });
        }
    });
    (addr, accepted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_cold_digest_calls_against_a_silent_server_share_each_probe_and_meet_the_deadline() {
    let (addr, accepted) = silent_server().await;
    let credentials = Credentials::api_key("pub", "SECRET-PRIVATE-KEY").unwrap();
    // The whole-call deadline (1.5 s) is shorter than the exchange timeout (10 s): it bounds the
    // exchange in flight too, not only the waits and retries.
    let client = Client::builder()
        .base_url(&format!("http://{addr}"))
        .credentials(credentials)
        .retry(RetryPolicy::default().with_deadline(Duration::from_millis(1500)))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let op = ListGroupInvites::new("6a7900aa11bb22cc33dd44ee").unwrap();
    let started = Instant::now();
    let results = spawn_many(&client, &op, 10).await;
    let elapsed = started.elapsed();
    eprintln!(
        "silent server over hyper: 10 calls ended after {elapsed:?}, {} connections",
        accepted.load(Ordering::SeqCst)
    );
    assert!(elapsed < Duration::from_secs(3), "each call ends by its deadline: {elapsed:?}");
    for r in &results {
        assert!(
            matches!(r, Err(Error::Transport(t)) if t.kind == atlas_admin_hyper::TransportErrorKind::Timeout),
            "{r:?}"
        );
    }
    // One probe in flight at a time, shared by every waiter (no serial re-probing per call).
    assert!(accepted.load(Ordering::SeqCst) <= 2, "{} connections", accepted.load(Ordering::SeqCst));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_cold_digest_calls_against_a_silent_server_each_end_within_their_own_budget() {
    // The scenario: 10 cold Digest calls, 1 s exchange timeout, default retries. Before,
    // each waiter re-probed serially after the previous probe timed out: 40 requests 1 s apart,
    // calls ending after 17-40 s. Now each failed probe fails all its waiters at once.
    let (addr, accepted) = silent_server().await;
    let client = Client::builder()
        .base_url(&format!("http://{addr}"))
        .credentials(Credentials::api_key("pub", "SECRET-PRIVATE-KEY").unwrap())
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let op = ListGroupInvites::new("6a7900aa11bb22cc33dd44ee").unwrap();
    let started = Instant::now();
    let results = spawn_many(&client, &op, 10).await;
    let (elapsed, connections) = (started.elapsed(), accepted.load(Ordering::SeqCst));
    eprintln!("silent server over hyper, default retries: 10 calls ended after {elapsed:?}, {connections} connections");
    // 4 attempts of at most 1 s, plus at most 0.5 + 1 + 2 s of backoff.
    assert!(elapsed < Duration::from_millis(8500), "{elapsed:?}");
    assert!(connections <= 8, "{connections} connections: waiters share each probe");
    assert!(results.iter().all(|r| matches!(r, Err(Error::Transport(t)) if t.attempts == 4)), "{results:?}");
}
