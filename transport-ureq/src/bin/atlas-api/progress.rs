//! Progress on stderr while long work runs: `--all-pages` (pages and items so far),
//! `migrate plan|apply` (invitees done and left) and any wait before a retry (what for, and
//! for how long so far). Drawn in place by `indicatif` and cleared when the work ends, only
//! when stderr is a terminal: piped or redirected, stderr gets nothing extra.
//!
//! The waits are read from the client's exchange observer (an exchange answered 429, 503, …
//! is followed by the core's backoff), not from new plumbing.

use atlas_admin_ureq::core::migrate;
use atlas_admin_ureq::{Exchange, ExchangeOutcome};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::Duration;

/// The one progress line of this process.
static PROGRESS: LazyLock<Progress> = LazyLock::new(|| Progress::new(std::io::stderr().is_terminal()));

/// The process's progress line (shown only if stderr is a terminal).
pub(crate) fn line() -> &'static Progress {
    &PROGRESS
}

/// A progress line on stderr, or nothing.
pub(crate) struct Progress {
    shown: bool,
    bar: Mutex<Option<ProgressBar>>,
    /// Long work (pages, migration) is running: its line stays between exchanges.
    long: AtomicBool,
}

impl Progress {
    /// `shown`: whether to draw at all (stderr is a terminal).
    pub(crate) fn new(shown: bool) -> Self {
        Progress { shown, bar: Mutex::new(None), long: AtomicBool::new(false) }
    }

    /// Shows `message` (with the time since the line appeared, or since a wait began). The
    /// first message is drawn at once, whatever the draw rate limit: work shorter than a tick
    /// still shows its line.
    pub(crate) fn say(&self, message: String) {
        if !self.shown {
            return;
        }
        let mut bar = self.bar.lock().unwrap_or_else(PoisonError::into_inner);
        let first = bar.is_none();
        let bar = bar.get_or_insert_with(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        bar.set_message(message);
        if first {
            bar.force_draw();
        }
    }

    /// Long work begins: its line stays between exchanges until the guard is dropped.
    pub(crate) fn long_work(&self) -> LongWork<'_> {
        self.long.store(true, Ordering::Relaxed);
        LongWork(self)
    }

    /// Removes the line (the work is over).
    pub(crate) fn clear(&self) {
        self.long.store(false, Ordering::Relaxed);
        if let Some(bar) = self.bar.lock().unwrap_or_else(PoisonError::into_inner).take() {
            bar.finish_and_clear();
        }
    }

    /// Whether the line is on screen.
    #[cfg(test)]
    pub(crate) fn is_drawn(&self) -> bool {
        self.bar.lock().unwrap_or_else(PoisonError::into_inner).is_some()
    }

    /// Runs `print` (stdout) with the line out of the way, so the two never mix.
    pub(crate) fn suspend<R>(&self, print: impl FnOnce() -> R) -> R {
        match &*self.bar.lock().unwrap_or_else(PoisonError::into_inner) {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    /// The exchange observer's part: a refused exchange may be followed by a wait (when the
    /// policy allows a retry), which the line says; the next answer, or the end, clears it.
    pub(crate) fn exchanged(&self, exchange: &Exchange) {
        match waiting(exchange) {
            Some(message) => {
                if let Some(bar) = &*self.bar.lock().unwrap_or_else(PoisonError::into_inner) {
                    bar.reset_elapsed();
                }
                self.say(message);
            }
            None if !self.long.load(Ordering::Relaxed) => self.clear(),
            None => {}
        }
    }
}

/// Clears the line when long work ends, however it ends.
pub(crate) struct LongWork<'a>(&'a Progress);

impl Drop for LongWork<'_> {
    fn drop(&mut self) {
        self.0.clear();
    }
}

/// `page 3: 1500 items so far, of 20000`.
pub(crate) fn pages(pages: u32, items: usize, total: Option<u64>) -> String {
    let of = total.map(|t| format!(", of {t}")).unwrap_or_default();
    format!("page {pages}: {items} items so far{of}")
}

/// `migrate: 3 of 10 invitees looked up, 7 left` / `… applied, 7 left`.
pub(crate) fn migration(progress: migrate::Progress) -> String {
    let (what, done, of) = match progress {
        migrate::Progress::Planning { done, of } => ("looked up", done, of),
        migrate::Progress::Applying { done, of } => ("applied", done, of),
        _ => return "migrate: working".to_owned(),
    };
    format!("migrate: {done} of {of} invitees {what}, {} left", of.saturating_sub(done))
}

/// What held up the call at `exchange`, if it was refused in a way the policy may retry:
/// `listOrgUsers: Atlas answered 429 Too Many Requests (retried if the policy allows)`. The
/// exchange does not say whether a wait and a retry follow (the policy may be spent, or a POST
/// not retried), so the line does not promise one; the next answer, or the end, clears it.
pub(crate) fn waiting(exchange: &Exchange) -> Option<String> {
    let operation = exchange.operation.unwrap_or("the call");
    let why = match &exchange.outcome {
        ExchangeOutcome::Response { status, .. } if matches!(status.as_u16(), 429 | 502..=504) => {
            format!("Atlas answered {status}")
        }
        ExchangeOutcome::Failed { kind, .. } => format!("the request failed ({kind:?})"),
        _ => return None,
    };
    Some(format!("{operation}: {why} (retried if the policy allows)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_say_pages_invitees_and_waits() {
        assert_eq!(pages(3, 1500, Some(20_000)), "page 3: 1500 items so far, of 20000");
        assert_eq!(pages(1, 0, None), "page 1: 0 items so far");
        let planning = migrate::Progress::Planning { done: 3, of: 10 };
        assert_eq!(migration(planning), "migrate: 3 of 10 invitees looked up, 7 left");
        let applying = migrate::Progress::Applying { done: 10, of: 10 };
        assert_eq!(migration(applying), "migrate: 10 of 10 invitees applied, 0 left");
    }

    /// A 429 or 503 tells what happened, never that a retry follows (the exchange cannot say).
    #[test]
    fn a_refused_exchange_promises_no_retry() {
        for status in [429, 503] {
            let answer = http::Response::builder().status(status).body(Vec::new()).unwrap();
            let exchange = Exchange::start(&http::Request::new(Vec::new())).finish(&Ok(answer), Duration::ZERO);
            let line = waiting(&exchange).unwrap();
            assert!(line.starts_with(&format!("the call: Atlas answered {status}")), "{line}");
            assert!(!line.contains("waiting to retry"), "{line}");
        }
    }

    #[test]
    fn nothing_is_drawn_when_stderr_is_not_a_terminal() {
        let progress = Progress::new(false);
        let work = progress.long_work();
        progress.say("page 1".to_owned());
        assert!(progress.bar.lock().unwrap().is_none());
        assert_eq!(progress.suspend(|| 7), 7);
        drop(work);
        assert!(!progress.long.load(Ordering::Relaxed));
    }
}
