//! Benchmark of pages fetched ahead (not a timed test): one in-process fake Atlas with N users
//! and a latency added to every request; both clients walk every user at 500 a page, one page
//! at a time and 4 in flight, in one run. Prints seconds, the speed-up, items and requests, and
//! fails (exit 1) if a walk read other items than the fake holds or sent other than one request
//! per page plus one Digest challenge; the speed-up is reported, never checked (timing).
//!
//! ```text
//! cargo run --release -p atlas-admin-hyper --example pages-ahead-bench -- [users] [latency-ms]
//! ```
//! Defaults: 20,000 users, 50 ms (the issue's figure). `.ci/run` runs a quick one (1,200, 2 ms).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use atlas_admin_core::OrgMembershipStatus;
use atlas_admin_core::ops::ListOrgUsers;
use atlas_admin_testing::fake::{FakeAtlas, FakeConfig};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const PER_PAGE: u32 = 500;
const AHEAD: u32 = 4;

/// One walk's figures.
struct Walk {
    seconds: f64,
    users: Vec<String>,
    requests: u64,
}

fn walk_ureq(fake: &FakeAtlas, op: &ListOrgUsers, in_flight: u32) -> Result<Walk, String> {
    let c = fake.config();
    let client = atlas_admin_ureq::Client::builder()
        .base_url(&fake.base_url())
        .api_key(c.public_key.clone(), c.private_key.clone())
        .build()
        .map_err(|e| e.to_string())?;
    fake.reset_counters();
    let start = Instant::now();
    let users = client
        .all(op.clone())
        .pages_in_flight(in_flight)
        .map(|u| u.map(|u| u.username.unwrap_or_default()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    Ok(Walk { seconds: start.elapsed().as_secs_f64(), users, requests: fake.counters().requests })
}

fn walk_hyper(
    fake: &FakeAtlas,
    op: &ListOrgUsers,
    in_flight: u32,
    runtime: &tokio::runtime::Runtime,
) -> Result<Walk, String> {
    let c = fake.config();
    let client = atlas_admin_hyper::Client::builder()
        .base_url(&fake.base_url())
        .api_key(c.public_key.clone(), c.private_key.clone())
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    fake.reset_counters();
    let start = Instant::now();
    let users = runtime.block_on(async {
        let mut items = client.all(op.clone()).pages_in_flight(in_flight);
        let mut users = Vec::new();
        while let Some(user) = items.next().await {
            users.push(user.map_err(|e| e.to_string())?.username.unwrap_or_default());
        }
        Ok::<_, String>(users)
    })?;
    Ok(Walk { seconds: start.elapsed().as_secs_f64(), users, requests: fake.counters().requests })
}

fn run() -> Result<bool, String> {
    let mut args = std::env::args().skip(1);
    let number = |v: Option<String>, default: u64| {
        v.map_or(Ok(default), |v| v.parse().map_err(|_| format!("{v:?} is not a number")))
    };
    let users = usize::try_from(number(args.next(), 20_000)?).map_err(|e| e.to_string())?;
    let latency = Duration::from_millis(number(args.next(), 50)?);
    let fake = FakeAtlas::start_with(FakeConfig { latency, ..FakeConfig::default() }).map_err(|e| e.to_string())?;
    fake.seed_users(users, OrgMembershipStatus::Active, false).map_err(|e| format!("seeding: {e}"))?;
    let expected: Vec<String> =
        fake.org_users().iter().map(|u| u["username"].as_str().unwrap_or_default().to_owned()).collect();
    let pages = u64::try_from(users.div_ceil(PER_PAGE as usize).max(1)).map_err(|e| e.to_string())?;
    let op = ListOrgUsers::new(fake.config().org_id.as_str())
        .and_then(|op| op.items_per_page(PER_PAGE))
        .map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    println!("{users} users, {PER_PAGE} a page ({pages} pages), {} ms added to every request", latency.as_millis());
    println!("{:<6} {:>9} {:>10} {:>8} {:>9}  same items", "client", "in flight", "seconds", "items", "requests");
    let mut ok = true;
    for client in ["ureq", "hyper"] {
        let mut seconds = Vec::new();
        for in_flight in [1, AHEAD] {
            let walk = match client {
                "ureq" => walk_ureq(&fake, &op, in_flight)?,
                _ => walk_hyper(&fake, &op, in_flight, &runtime)?,
            };
            let same = walk.users == expected;
            ok &= same && walk.requests == pages + 1;
            println!(
                "{client:<6} {in_flight:>9} {:>10.3} {:>8} {:>9}  {}",
                walk.seconds,
                walk.users.len(),
                walk.requests,
                if same { "yes" } else { "NO" }
            );
            seconds.push(walk.seconds);
        }
        if let [one, ahead] = seconds[..] {
            println!("{client}: {AHEAD} in flight is {:.2}x faster (goal: 3x at 50 ms)", one / ahead);
        }
    }
    println!("expected: {} items, {} requests (pages + 1 Digest challenge)", expected.len(), pages + 1);
    Ok(ok)
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("pages-ahead-bench: a walk read other items, or sent other requests, than expected");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("pages-ahead-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
