//! End-to-end benchmark driver: sequential `updateGroupInvites` calls with Digest over loopback
//! keep-alive, through the blocking (ureq) or async (hyper) client. `tests/e2e-bench.sh` runs it
//! beside Python requests and curl against the same `fake-atlas` server.
//!
//! ```text
//! cargo run --release -p atlas-admin-hyper --example e2e-bench -- <ureq|hyper|memory> <calls>
//! ```
//! Reads `MONGODB_ATLAS_BASE_URL`, `MONGODB_ATLAS_PUBLIC_API_KEY`, `MONGODB_ATLAS_PRIVATE_API_KEY`
//! and `MONGODB_ATLAS_GROUP_ID` (what `fake-atlas` prints). Prints one JSON line. `memory` runs
//! the calls through one ureq client and samples the process's resident memory as it goes.

use atlas_admin_core::ops::{CreateGroupInvite, UpdateGroupInvites};
use atlas_admin_core::{GroupInvitationRequest, ProjectRole};
use atlas_admin_testing::stdio;
use std::process::ExitCode;
use std::time::Instant;

const USER: &str = "bench@example.com";

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set (start fake-atlas and export what it prints)"))
}

/// Resident set size in KiB, from /proc (Linux); 0 elsewhere.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn run() -> Result<String, String> {
    let mut args = std::env::args().skip(1);
    let which = args.next().ok_or("usage: e2e-bench <ureq|hyper|memory> <calls>")?;
    let calls: u32 = args.next().and_then(|n| n.parse().ok()).ok_or("calls must be a number")?;
    let (base, public, private, group) = (
        env("MONGODB_ATLAS_BASE_URL")?,
        env("MONGODB_ATLAS_PUBLIC_API_KEY")?,
        env("MONGODB_ATLAS_PRIVATE_API_KEY")?,
        env("MONGODB_ATLAS_GROUP_ID")?,
    );
    let body = GroupInvitationRequest::new(USER, [ProjectRole::GroupBackupManager]).map_err(|e| e.to_string())?;
    let create = CreateGroupInvite::new(group.as_str(), body.clone()).map_err(|e| e.to_string())?;
    let update = UpdateGroupInvites::new(group.as_str(), body).map_err(|e| e.to_string())?;
    let fail = |e: atlas_admin_core::Error| e.to_string();
    let (seconds, extra) = match which.as_str() {
        "ureq" | "memory" => {
            let client = atlas_admin_ureq::Client::builder()
                .base_url(&base)
                .api_key(public, private)
                .build()
                .map_err(|e| e.to_string())?;
            // The seed call updates a pending invitation: make sure there is one (409 = exists).
            if let Err(e) = client.execute(&create) {
                if e.status().is_none_or(|s| s != 409) {
                    return Err(fail(e));
                }
            }
            let mut samples = Vec::new();
            let start = Instant::now();
            for i in 0..calls {
                client.execute(&update).map_err(fail)?;
                if which == "memory" && (i + 1) % (calls / 10).max(1) == 0 {
                    samples.push(format!("[{},{}]", i + 1, rss_kib()));
                }
            }
            (start.elapsed().as_secs_f64(), format!(",\"rss_kib_by_calls\":[{}]", samples.join(",")))
        }
        "hyper" => {
            let client = atlas_admin_hyper::Client::builder()
                .base_url(&base)
                .api_key(public, private)
                .build()
                .map_err(|e| e.to_string())?;
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
            runtime.block_on(async {
                if let Err(e) = client.execute(&create).await {
                    if e.status().is_none_or(|s| s != 409) {
                        return Err(fail(e));
                    }
                }
                let start = Instant::now();
                for _ in 0..calls {
                    client.execute(&update).await.map_err(fail)?;
                }
                Ok((start.elapsed().as_secs_f64(), String::new()))
            })?
        }
        other => return Err(format!("unknown client {other:?}: ureq, hyper or memory")),
    };
    Ok(format!(
        "{{\"client\":\"{which}\",\"calls\":{calls},\"seconds\":{seconds:.4},\"calls_per_sec\":{:.1}{extra}}}",
        f64::from(calls) / seconds
    ))
}

fn main() -> ExitCode {
    match run() {
        Ok(line) => {
            stdio::out(&format!("{line}\n"));
            ExitCode::SUCCESS
        }
        Err(e) => {
            stdio::err(&format!("e2e-bench: {e}"));
            ExitCode::from(1)
        }
    }
}
