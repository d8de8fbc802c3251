//! Walking every page of a paginated list: [`Client::pages`] (one
//! [`Page`](atlas_admin_core::Page) per step, with its metadata) and [`Client::all`] (one item per step). Built on [`Client::execute`] and
//! the core's sans-IO [`Paginator`]: one page in memory at a time.

use crate::Client;
use atlas_admin_core::paginate::{Paginated, Paginator};
use atlas_admin_core::{ApiResponse, Error};

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
        Pages { client: self, paginator: Paginator::new(op), failed: false }
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
#[derive(Debug)]
pub struct Pages<'c, O: Paginated> {
    client: &'c Client,
    paginator: Paginator<O>,
    failed: bool,
}

impl<O: Paginated> Pages<'_, O> {
    /// Caps the number of pages (at least 1); past it the iterator yields
    /// [`Error::Pagination`].
    pub fn max_pages(mut self, max: u32) -> Self {
        self.paginator = self.paginator.max_pages(max);
        self
    }

    /// Pages read so far.
    pub fn pages_read(&self) -> u32 {
        self.paginator.pages_read()
    }
}

impl<O: Paginated> Iterator for Pages<'_, O> {
    /// The operation's output is its [`Page`](atlas_admin_core::Page), with the metadata.
    type Item = Result<ApiResponse<O::Output>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let result = match self.paginator.next_op()? {
            Ok(op) => self.client.execute(&op),
            Err(e) => Err(e.into()),
        };
        match &result {
            Ok(response) => self.paginator.handle(&response.value),
            Err(_) => self.failed = true,
        }
        Some(result)
    }
}

/// The items of a list; see [`Client::all`].
#[derive(Debug)]
pub struct Items<'c, O: Paginated> {
    pages: Pages<'c, O>,
    current: std::vec::IntoIter<O::Item>,
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
