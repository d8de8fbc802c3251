//! Walking every page of a paginated list: [`Client::pages`] (one
//! [`Page`](atlas_admin_core::Page) per step, with its metadata) and [`Client::all`] (one item per step). Built on [`Client::execute`] and
//! the core's sans-IO [`Ahead`] (over its [`Paginator`](atlas_admin_core::paginate::Paginator)): one
//! page in memory at a time, or, with [`Pages::pages_in_flight`], up to that many pages fetched
//! at once, each on a thread of its own sharing the client (a sliding window: a page starts as
//! soon as the oldest one is read, not when a whole batch is).

use crate::Client;
use atlas_admin_core::ahead::Ahead;
use atlas_admin_core::paginate::Paginated;
use atlas_admin_core::{ApiResponse, Error};
use std::collections::VecDeque;
use std::fmt;
use std::thread::JoinHandle;

/// One page's outcome.
type PageResult<O> = Result<ApiResponse<<O as atlas_admin_core::Operation>::Output>, Error>;

impl Client {
    /// Every page of a paginated list, in order, starting at the operation's `pageNum`
    /// (follows `next` links; stops at the last page or an empty one; `totalCount` is only
    /// a hint). At most [`DEFAULT_MAX_PAGES`](atlas_admin_core::paginate::DEFAULT_MAX_PAGES)
    /// pages unless [`Pages::max_pages`] says otherwise: going past the cap yields
    /// [`Error::Pagination`], never a silent truncation. After an error the iterator ends.
    ///
    /// ```no_run
    /// use atlas_admin_ureq::{Client, ops::ListOrgUsers};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = Client::from_env()?;
    /// let op = ListOrgUsers::new("4888442a3354817a7320eb61")?.items_per_page(500)?;
    /// for page in client.pages(op) {
    ///     let page = page?;
    ///     println!("{} users, {:?} remaining in the rate limit", page.value.results.len(), page.meta.rate_limit_remaining);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages<O: Paginated>(&self, op: O) -> Pages<'_, O> {
        Pages {
            client: self,
            walk: Ahead::new(op, 1),
            flights: VecDeque::new(),
            dropped: Vec::new(),
            start: later,
            failed: false,
        }
    }

    /// Every item of a paginated list, one `Result` each; see [`Client::pages`]. A failed
    /// page yields one `Err` and ends the iteration.
    ///
    /// ```no_run
    /// use atlas_admin_ureq::{Client, ops::ListGroupUsers};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = Client::from_env()?;
    /// let users: Vec<_> = client.all(ListGroupUsers::new("32b6e34b3d91647abb20e7b8")?).collect::<Result<_, _>>()?;
    /// # Ok(()) }
    /// ```
    ///
    /// Every list of the API is walked so, the generated ones too (each tag's behind its
    /// feature): here the clusters of a project on the fake Atlas, one a page.
    ///
    /// ```
    /// use atlas_admin_testing::fake::FakeAtlas;
    /// use atlas_admin_ureq::{Client, ops::{CreateGroupCluster, ListGroupClusters}};
    /// use atlas_admin_ureq::core::schemas::ClusterDescription20240805;
    /// use serde_json::json;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = FakeAtlas::start();
    /// let c = fake.config().clone();
    /// let client = Client::builder().base_url(&fake.base_url()).api_key(c.public_key, c.private_key).build()?;
    /// for name in ["Cluster0", "Cluster1"] {
    ///     let body: ClusterDescription20240805 = serde_json::from_value(json!({"name": name, "clusterType": "REPLICASET"}))?;
    ///     client.execute(&CreateGroupCluster::new(&c.group_id)?.body(&body)?)?;
    /// }
    /// let list = ListGroupClusters::new(&c.group_id)?.items_per_page(1)?;
    /// let names: Vec<Option<String>> = client.all(list).map(|c| c.map(|c| c.name)).collect::<Result<_, _>>()?;
    /// assert_eq!(names, [Some("Cluster0".to_owned()), Some("Cluster1".to_owned())]);
    /// # Ok(()) }
    /// ```
    pub fn all<O: Paginated>(&self, op: O) -> Items<'_, O> {
        Items { pages: self.pages(op), current: Vec::new().into_iter() }
    }
}

/// The pages of a list; see [`Client::pages`].
pub struct Pages<'c, O: Paginated> {
    client: &'c Client,
    walk: Ahead<O>,
    /// The pages handed out by the walk and not yet read, oldest first (at most the window).
    flights: VecDeque<Flight<O>>,
    /// How a page handed out starts: when it is read (one at a time), or on a thread at once.
    start: fn(&Client, O) -> Flight<O>,
    /// Pages fetched past where the walk went, still running: waited for (unread) when the
    /// walk ends, so none outlives it.
    dropped: Vec<JoinHandle<PageResult<O>>>,
    failed: bool,
}

/// A page handed out by the walk.
enum Flight<O: Paginated> {
    /// Fetched when it is the oldest (one page at a time, or no thread could be started).
    Later(O),
    /// Being fetched on a thread of its own.
    Running(JoinHandle<PageResult<O>>),
}

impl<O: Paginated> Flight<O> {
    /// The page's outcome, fetching it or waiting for its thread.
    fn outcome(self, client: &Client) -> PageResult<O> {
        match self {
            Flight::Later(op) => client.execute(&op),
            Flight::Running(thread) => thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        }
    }
}

impl<O: Paginated> fmt::Debug for Pages<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages").field("walk", &self.walk).field("in_flight", &self.flights.len()).finish()
    }
}

impl<O: Paginated> Pages<'_, O> {
    /// Caps the number of pages (at least 1); past it the iterator yields
    /// [`Error::Pagination`].
    pub fn max_pages(mut self, max: u32) -> Self {
        self.walk = self.walk.max_pages(max);
        self
    }

    /// Pages read so far.
    pub fn pages_read(&self) -> u32 {
        self.walk.pages_read()
    }
}

impl<O: Paginated + Send + 'static> Pages<'_, O>
where
    O::Output: Send + 'static,
{
    /// Fetches up to `n` pages at once (default 1: one after the other) once the first page
    /// has been read, each on a thread of its own sharing the client. `n` is clamped to
    /// [`MAX_PAGES_IN_FLIGHT`](atlas_admin_core::ahead::MAX_PAGES_IN_FLIGHT) (16): no walk
    /// starts more threads than that. Pages still come in
    /// order, each once; at most `n` are held at a time, and no page is fetched past the end
    /// by more than `n - 1` (none past the last page `totalCount` gives). A 429 or 503 on one
    /// page holds every page until its `Retry-After` (the session's shared backoff). Pages
    /// fetched past the end are waited for, unread, before the iterator ends; dropped early,
    /// the iterator leaves the pages in flight to finish on their threads, unread.
    ///
    /// ```no_run
    /// use atlas_admin_ureq::{Client, ops::ListOrgUsers};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = Client::from_env()?;
    /// let op = ListOrgUsers::new("4888442a3354817a7320eb61")?.items_per_page(500)?;
    /// let users = client.all(op).pages_in_flight(4).collect::<Result<Vec<_>, _>>()?;
    /// # Ok(()) }
    /// ```
    pub fn pages_in_flight(mut self, n: u32) -> Self {
        self.walk.set_window(n);
        self.start = if n > 1 { start_on_a_thread } else { later };
        self
    }
}

/// Leaves `op` to be fetched when it is the oldest page in flight.
fn later<O: Paginated>(_: &Client, op: O) -> Flight<O> {
    Flight::Later(op)
}

/// Starts fetching `op` on a thread of its own (if the system refuses a thread, the page is
/// fetched when it is the oldest).
fn start_on_a_thread<O: Paginated + Send + 'static>(client: &Client, op: O) -> Flight<O>
where
    O::Output: Send + 'static,
{
    let (client, kept) = (client.clone(), op.clone());
    let spawned = std::thread::Builder::new().name("atlas-admin-page".to_owned()).spawn(move || client.execute(&op));
    spawned.map_or(Flight::Later(kept), Flight::Running)
}

impl<O: Paginated> Iterator for Pages<'_, O> {
    /// The operation's output is its [`Page`](atlas_admin_core::Page), with the metadata.
    type Item = PageResult<O>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        while let Some(next) = self.walk.next_op() {
            match next {
                Ok(op) => self.flights.push_back((self.start)(self.client, op)),
                // Only with nothing in flight: every page before it was yielded.
                Err(e) => {
                    self.failed = true;
                    self.settle();
                    return Some(Err(e.into()));
                }
            }
        }
        let Some(oldest) = self.flights.pop_front() else {
            self.settle();
            return None;
        };
        let result = oldest.outcome(self.client);
        let unwanted = match &result {
            Ok(page) => self.walk.handle(&page.value),
            Err(_) => {
                self.failed = true;
                self.flights.len()
            }
        };
        let keep = self.flights.len().saturating_sub(unwanted);
        let running = self.flights.drain(keep..).filter_map(|flight| match flight {
            Flight::Running(thread) => Some(thread),
            Flight::Later(_) => None,
        });
        self.dropped.extend(running);
        if self.failed {
            self.settle();
        }
        Some(result)
    }
}

impl<O: Paginated> Pages<'_, O> {
    /// Waits for the pages fetched past where the walk went (their outcome is not wanted).
    fn settle(&mut self) {
        for thread in self.dropped.drain(..) {
            let _ = thread.join();
        }
    }
}

/// The items of a list; see [`Client::all`].
pub struct Items<'c, O: Paginated> {
    pages: Pages<'c, O>,
    current: std::vec::IntoIter<O::Item>,
}

impl<O: Paginated> fmt::Debug for Items<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items").field("pages", &self.pages).field("buffered", &self.current.len()).finish()
    }
}

impl<O: Paginated> Items<'_, O> {
    /// Caps the number of pages (at least 1); past it the iterator yields
    /// [`Error::Pagination`].
    pub fn max_pages(mut self, max: u32) -> Self {
        self.pages = self.pages.max_pages(max);
        self
    }

    /// Pages read so far.
    pub fn pages_read(&self) -> u32 {
        self.pages.pages_read()
    }
}

impl<O: Paginated + Send + 'static> Items<'_, O>
where
    O::Output: Send + 'static,
{
    /// Fetches up to `n` pages at once; see [`Pages::pages_in_flight`].
    pub fn pages_in_flight(mut self, n: u32) -> Self {
        self.pages = self.pages.pages_in_flight(n);
        self
    }
}

impl<O: Paginated> Iterator for Items<'_, O> {
    type Item = Result<O::Item, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.current.next() {
                return Some(Ok(item));
            }
            match self.pages.next()? {
                Ok(page) => self.current = O::into_page(page.value).results.into_iter(),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}
