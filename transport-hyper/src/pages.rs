//! Walking every page of a paginated list as an async stream: [`Client::pages`] (one
//! [`Page`](atlas_admin_core::Page) per step, with its metadata) and [`Client::all`] (one
//! item per step). Built on [`Client::execute`] and the core's sans-IO [`Ahead`] (over its
//! [`Paginator`](atlas_admin_core::paginate::Paginator)): one page in memory at a time, one
//! request in flight, or, with [`PageStream::pages_in_flight`], up to that many pages fetched
//! at once, polled together inside the stream (no task is spawned: any executor runs it).
//!
//! Both are [`futures_core::Stream`]s, so `StreamExt` combinators (from `futures` or
//! `tokio-stream`) apply; `futures-core` is the trait alone, already in the dependency tree
//! through hyper. Without a combinator crate, their inherent `next().await` does the same.

use crate::Client;
use atlas_admin_core::ahead::Ahead;
use atlas_admin_core::paginate::Paginated;
use atlas_admin_core::{ApiResponse, Error};
use futures_core::Stream;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// What a paginated operation must be for a stream: owned, shareable across tasks.
pub trait StreamOp: Paginated<Output: Send, Item: Send + Unpin> + Send + Sync + Unpin + 'static {}
impl<O> StreamOp for O where O: Paginated<Output: Send, Item: Send + Unpin> + Send + Sync + Unpin + 'static {}

type PageFuture<O> =
    Pin<Box<dyn Future<Output = Result<ApiResponse<<O as atlas_admin_core::Operation>::Output>, Error>> + Send>>;

impl Client {
    /// Every page of a paginated list, in order, starting at the operation's `pageNum`
    /// (follows `next` links; stops at the last page or an empty one; `totalCount` is only
    /// a hint). At most [`DEFAULT_MAX_PAGES`](atlas_admin_core::paginate::DEFAULT_MAX_PAGES)
    /// pages unless [`PageStream::max_pages`] says otherwise: going past the cap yields
    /// [`Error::Pagination`], never a silent truncation. After an error the stream ends.
    ///
    /// ```no_run
    /// use atlas_admin_hyper::{Client, ops::ListOrgUsers};
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = Client::from_env()?;
    /// let mut pages = client.pages(ListOrgUsers::new("4888442a3354817a7320eb61")?.items_per_page(500)?);
    /// while let Some(page) = pages.next().await {
    ///     println!("{} users", page?.value.results.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages<O: StreamOp>(&self, op: O) -> PageStream<O> {
        PageStream { client: self.clone(), walk: Ahead::new(op, 1), flights: VecDeque::new(), failed: false }
    }

    /// Every item of a paginated list, one `Result` each; see [`Client::pages`]. A failed
    /// page yields one `Err` and ends the stream.
    pub fn all<O: StreamOp>(&self, op: O) -> ItemStream<O> {
        ItemStream { pages: self.pages(op), current: Vec::new().into_iter() }
    }
}

/// The pages of a list; see [`Client::pages`].
pub struct PageStream<O: StreamOp> {
    client: Client,
    walk: Ahead<O>,
    /// The pages in flight, in the order the walk handed them out.
    flights: VecDeque<Flight<O>>,
    failed: bool,
}

/// One page in flight: its request running, or its outcome waiting for the pages before it.
enum Flight<O: StreamOp> {
    Running(PageFuture<O>),
    Done(Result<ApiResponse<O::Output>, Error>),
}

// Nothing in a `PageStream` is pinned in place (its futures are boxed), so it moves freely
// whatever the operation's output is.
impl<O: StreamOp> Unpin for PageStream<O> {}

impl<O: StreamOp> fmt::Debug for PageStream<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageStream").field("walk", &self.walk).field("in_flight", &self.flights.len()).finish()
    }
}

impl<O: StreamOp> PageStream<O> {
    /// Caps the number of pages (at least 1); past it the stream yields
    /// [`Error::Pagination`].
    pub fn max_pages(mut self, max: u32) -> Self {
        self.walk = self.walk.max_pages(max);
        self
    }

    /// Fetches up to `n` pages at once (default 1: one after the other) once the first page
    /// has been read, polling their requests together inside the stream. `n` is clamped to
    /// [`MAX_PAGES_IN_FLIGHT`](atlas_admin_core::ahead::MAX_PAGES_IN_FLIGHT) (16). Pages still come in
    /// order, each once; at most `n` are held at a time, and no page is fetched past the end
    /// by more than `n - 1` (none past the last page `totalCount` gives). A 429 or 503 on one
    /// page holds every page until its `Retry-After` (the session's shared backoff).
    ///
    /// ```no_run
    /// use atlas_admin_hyper::{Client, ops::ListOrgUsers};
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = Client::from_env()?;
    /// let mut users = client.all(ListOrgUsers::new("4888442a3354817a7320eb61")?.items_per_page(500)?).pages_in_flight(4);
    /// while let Some(user) = users.next().await {
    ///     println!("{:?}", user?.username);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages_in_flight(mut self, n: u32) -> Self {
        self.walk.set_window(n);
        self
    }

    /// Pages read so far (with pages in flight, some may not have been yielded yet).
    pub fn pages_read(&self) -> u32 {
        self.walk.pages_read()
    }

    /// The next page (`StreamExt::next` without a combinator crate).
    pub async fn next(&mut self) -> Option<Result<ApiResponse<O::Output>, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl<O: StreamOp> Stream for PageStream<O> {
    /// The operation's output is its [`Page`](atlas_admin_core::Page), with the metadata.
    type Item = Result<ApiResponse<O::Output>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.failed {
            return Poll::Ready(None);
        }
        while let Some(next) = this.walk.next_op() {
            match next {
                Ok(op) => {
                    let client = this.client.clone();
                    this.flights.push_back(Flight::Running(Box::pin(async move { client.execute(&op).await })));
                }
                // Only with nothing in flight: every page before it was yielded.
                Err(e) => {
                    this.failed = true;
                    return Poll::Ready(Some(Err(e.into())));
                }
            }
        }
        // Every request in flight makes progress (each registers the waker), not only the oldest.
        for flight in &mut this.flights {
            if let Flight::Running(future) = flight {
                if let Poll::Ready(result) = future.as_mut().poll(cx) {
                    *flight = Flight::Done(result);
                }
            }
        }
        let result = match this.flights.pop_front() {
            None => return Poll::Ready(None),
            Some(Flight::Done(result)) => result,
            Some(running @ Flight::Running(_)) => {
                this.flights.push_front(running);
                return Poll::Pending;
            }
        };
        match &result {
            Ok(response) => {
                let dropped = this.walk.handle(&response.value);
                this.flights.truncate(this.flights.len().saturating_sub(dropped));
            }
            Err(_) => {
                this.failed = true;
                this.flights.clear();
            }
        }
        Poll::Ready(Some(result))
    }
}

/// The items of a list; see [`Client::all`].
pub struct ItemStream<O: StreamOp> {
    pages: PageStream<O>,
    current: std::vec::IntoIter<O::Item>,
}

impl<O: StreamOp> fmt::Debug for ItemStream<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemStream").field("pages", &self.pages).field("buffered", &self.current.len()).finish()
    }
}

impl<O: StreamOp> ItemStream<O> {
    /// Caps the number of pages (at least 1); past it the stream yields
    /// [`Error::Pagination`].
    pub fn max_pages(mut self, max: u32) -> Self {
        self.pages = self.pages.max_pages(max);
        self
    }

    /// Fetches up to `n` pages at once; see [`PageStream::pages_in_flight`].
    pub fn pages_in_flight(mut self, n: u32) -> Self {
        self.pages = self.pages.pages_in_flight(n);
        self
    }

    /// Pages read so far.
    pub fn pages_read(&self) -> u32 {
        self.pages.pages_read()
    }

    /// The next item (`StreamExt::next` without a combinator crate).
    pub async fn next(&mut self) -> Option<Result<O::Item, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl<O: StreamOp> Stream for ItemStream<O> {
    type Item = Result<O::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.current.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => this.current = O::into_page(page.value).results.into_iter(),
            }
        }
    }
}
