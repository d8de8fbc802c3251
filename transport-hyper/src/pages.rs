//! Walking every page of a paginated list as an async stream: [`Client::pages`] (one
//! [`Page`](atlas_admin_core::Page) per step, with its metadata) and [`Client::all`] (one
//! item per step). Built on [`Client::execute`] and the core's sans-IO [`Paginator`]: one
//! page in memory at a time, one request in flight.
//!
//! Both are [`futures_core::Stream`]s, so `StreamExt` combinators (from `futures` or
//! `tokio-stream`) apply; `futures-core` is the trait alone, already in the dependency tree
//! through hyper. Without a combinator crate, their inherent `next().await` does the same.

use crate::Client;
use atlas_admin_core::paginate::{Paginated, Paginator};
use atlas_admin_core::{ApiResponse, Error};
use futures_core::Stream;
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
        PageStream { client: self.clone(), paginator: Paginator::new(op), in_flight: None, failed: false }
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
    paginator: Paginator<O>,
    in_flight: Option<PageFuture<O>>,
    failed: bool,
}

impl<O: StreamOp> fmt::Debug for PageStream<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageStream")
            .field("paginator", &self.paginator)
            .field("in_flight", &self.in_flight.is_some())
            .finish()
    }
}

impl<O: StreamOp> PageStream<O> {
    /// Caps the number of pages (at least 1); past it the stream yields
    /// [`Error::Pagination`].
    pub fn max_pages(mut self, max: u32) -> Self {
        self.paginator = self.paginator.max_pages(max);
        self
    }

    /// Pages read so far.
    pub fn pages_read(&self) -> u32 {
        self.paginator.pages_read()
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
        let future = match &mut this.in_flight {
            Some(future) => future,
            None => match this.paginator.next_op() {
                None => return Poll::Ready(None),
                Some(Err(e)) => {
                    this.failed = true;
                    return Poll::Ready(Some(Err(e.into())));
                }
                Some(Ok(op)) => {
                    let client = this.client.clone();
                    this.in_flight.insert(Box::pin(async move { client.execute(&op).await }))
                }
            },
        };
        let result = match future.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        this.in_flight = None;
        match &result {
            Ok(response) => this.paginator.handle(&response.value),
            Err(_) => this.failed = true,
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
