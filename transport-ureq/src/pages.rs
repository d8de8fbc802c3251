//! Walking every page of a paginated list: [`Client::pages`] (one
//! [`Page`](atlas_admin_core::Page) per step, with its metadata) and [`Client::all`] (one item per step). Built on [`Client::execute`] and
//! the core's sans-IO [`Ahead`] (over its [`Paginator`](atlas_admin_core::paginate::Paginator)): one
//! page in memory at a time, or, with [`Pages::pages_in_flight`], up to that many pages fetched
//! at once on scoped threads sharing the client.

use crate::Client;
use atlas_admin_core::ahead::Ahead;
use atlas_admin_core::paginate::Paginated;
use atlas_admin_core::{ApiResponse, Error};
use std::collections::VecDeque;
use std::fmt;

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
        Pages { client: self, walk: Ahead::new(op, 1), ready: VecDeque::new(), fetch: fetch_in_turn, ended: false }
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
    pub fn all<O: Paginated>(&self, op: O) -> Items<'_, O> {
        Items { pages: self.pages(op), current: Vec::new().into_iter() }
    }
}

/// The pages of a list; see [`Client::pages`].
pub struct Pages<'c, O: Paginated> {
    client: &'c Client,
    walk: Ahead<O>,
    /// Pages fetched and read, not yet yielded (at most the pages in flight).
    ready: VecDeque<PageResult<O>>,
    /// How the pages the walk hands out together are fetched: in turn, or on threads.
    fetch: fn(&Client, &[O]) -> Vec<PageResult<O>>,
    /// A page failed: the walk ends once the pages before it are yielded.
    ended: bool,
}

impl<O: Paginated> fmt::Debug for Pages<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages").field("walk", &self.walk).field("ready", &self.ready.len()).finish_non_exhaustive()
    }
}

impl<O: Paginated> Pages<'_, O> {
    /// Caps the number of pages (at least 1); past it the iterator yields
    /// [`Error::Pagination`].
    pub fn max_pages(mut self, max: u32) -> Self {
        self.walk = self.walk.max_pages(max);
        self
    }

    /// Pages read so far (with pages in flight, some may not have been yielded yet).
    pub fn pages_read(&self) -> u32 {
        self.walk.pages_read()
    }
}

impl<O: Paginated + Sync> Pages<'_, O>
where
    O::Output: Send,
{
    /// Fetches up to `n` pages at once (default 1: one after the other), on scoped threads
    /// sharing the client, once the first page has been read. Pages still come in order,
    /// each once; at most `n` are held at a time, and no page is fetched past the end by more
    /// than `n - 1` (none past the last page `totalCount` gives). A 429 or 503 on one page
    /// holds every page until its `Retry-After` (the session's shared backoff).
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
        self.fetch = if n > 1 { fetch_on_threads } else { fetch_in_turn };
        self
    }
}

/// Fetches `ops` one after the other.
fn fetch_in_turn<O: Paginated>(client: &Client, ops: &[O]) -> Vec<PageResult<O>> {
    ops.iter().map(|op| client.execute(op)).collect()
}

/// Fetches `ops` at once, one scoped thread each (a thread the system refuses runs its page
/// on this one); the results in the order of `ops`.
fn fetch_on_threads<O: Paginated + Sync>(client: &Client, ops: &[O]) -> Vec<PageResult<O>>
where
    O::Output: Send,
{
    if ops.len() < 2 {
        return fetch_in_turn(client, ops);
    }
    std::thread::scope(|scope| {
        let started: Vec<_> = ops
            .iter()
            .map(|op| (op, std::thread::Builder::new().spawn_scoped(scope, move || client.execute(op)).ok()))
            .collect();
        started
            .into_iter()
            .map(|(op, thread)| match thread {
                Some(thread) => thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                None => client.execute(op),
            })
            .collect()
    })
}

impl<O: Paginated> Iterator for Pages<'_, O> {
    /// The operation's output is its [`Page`](atlas_admin_core::Page), with the metadata.
    type Item = PageResult<O>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(page) = self.ready.pop_front() {
            return Some(page);
        }
        if self.ended {
            return None;
        }
        let mut ops = Vec::new();
        while let Some(next) = self.walk.next_op() {
            match next {
                Ok(op) => ops.push(op),
                // Only with nothing in flight: every page before it was yielded.
                Err(e) => {
                    self.ended = true;
                    return Some(Err(e.into()));
                }
            }
        }
        for result in (self.fetch)(self.client, &ops) {
            match result {
                Ok(page) => {
                    let dropped = self.walk.handle(&page.value);
                    self.ready.push_back(Ok(page));
                    // The rest of this batch is what the walk no longer wants.
                    if dropped > 0 {
                        break;
                    }
                }
                Err(e) => {
                    self.ready.push_back(Err(e));
                    self.ended = true;
                    break;
                }
            }
        }
        self.ready.pop_front()
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

impl<O: Paginated + Sync> Items<'_, O>
where
    O::Output: Send,
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
