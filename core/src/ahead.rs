//! Pages fetched ahead: which pages of a list to request while earlier ones are in flight.
//!
//! [`Ahead`] wraps the [`Paginator`] (whose rules decide, page by page, where the walk goes:
//! `next` links, an empty page, the no-links fallback, the cap) and adds speculation: once the
//! first page has been read, up to `window` pages are requested at once, the following page
//! numbers in order. Pages are read back in the order they were handed out, so items come in
//! order, each page once; what Atlas sends is what the caller gets (no deduplication, as with
//! the [`Paginator`]).
//!
//! Rules:
//! - the first page is fetched alone (it carries `totalCount` and the first `next` link, and
//!   signs the Digest challenge every later page reuses);
//! - a speculative page is `last handed out + 1`, never past the last page `totalCount` (when
//!   present) gives at the requested page size, nor past [`Ahead::max_pages`];
//! - when the page just read leads somewhere else than the page fetched after it (the walk is
//!   over, or a `next` link skips or goes back), the pages fetched after it are dropped unread
//!   ([`Ahead::handle`] says how many) and speculation stops for the rest of the walk: at most
//!   `window - 1` pages are ever fetched past the end;
//! - with `window` 1 it is exactly the [`Paginator`]: one page at a time.
//!
//! It holds page numbers, never pages: memory is bounded by the pages the transport holds
//! (at most `window`). The transports drive it: `client.pages(op).in_flight(n)`.
//!
//! ```
//! use atlas_admin_core::{OrgUser, Page, ahead::Ahead, ops::ListOrgUsers};
//! let op = ListOrgUsers::new("4888442a3354817a7320eb61").unwrap().items_per_page(2).unwrap();
//! let mut walk = Ahead::new(op, 3);
//! let first = walk.next_op().unwrap().unwrap();
//! assert!(walk.next_op().is_none()); // nothing else before page 1 is read
//! let page: Page<OrgUser> = serde_json::from_str(r#"{"links":[{"rel":"next","href":"https://x/?pageNum=2"}],"results":[{},{}],"totalCount":5}"#).unwrap();
//! assert_eq!(walk.handle(&page), 0);
//! let pages: Vec<u32> = std::iter::from_fn(|| walk.next_op()).map(|op| op.unwrap().page().unwrap()).collect();
//! assert_eq!(pages, [2, 3]); // totalCount 5 at 2 a page: 3 pages
//! # let _ = first;
//! ```

use crate::paginate::{Paginated, PaginationError, Paginator};
use std::collections::VecDeque;
use std::fmt;

/// Page size Atlas uses when `itemsPerPage` is unset.
const DEFAULT_PAGE_SIZE: u64 = 100;

/// The most pages in flight at once: a larger window is clamped to it (so `pages_in_flight(n)`
/// never starts more than this many requests, or threads of the blocking client, per walk;
/// past a few, more pages at once only meet Atlas's rate limits sooner).
pub const MAX_PAGES_IN_FLIGHT: u32 = 16;

/// `window` as the number of pages in flight: at least 1, at most [`MAX_PAGES_IN_FLIGHT`].
fn clamped(window: u32) -> usize {
    usize::try_from(window.clamp(1, MAX_PAGES_IN_FLIGHT)).unwrap_or(1)
}

/// Decides which pages of a list to fetch, up to `window` at once; see the module doc.
#[derive(Clone)]
pub struct Ahead<O: Paginated> {
    paginator: Paginator<O>,
    /// The operation as the caller built it: speculative pages are it at another `pageNum`.
    template: O,
    window: usize,
    max_pages: u32,
    /// Page numbers handed out and not yet read, in order; the front one is the page the
    /// paginator is sure of.
    outstanding: VecDeque<u32>,
    /// The last page `totalCount` gives, from the latest page read that had one.
    last: Option<u32>,
    /// Every page read so far led to the next page number: speculation may go on.
    sequential: bool,
    /// An error the paginator reported while pages were still outstanding.
    failed: Option<PaginationError>,
}

impl<O: Paginated> fmt::Debug for Ahead<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ahead")
            .field("paginator", &self.paginator)
            .field("window", &self.window)
            .field("outstanding", &self.outstanding)
            .field("last", &self.last)
            .field("sequential", &self.sequential)
            .finish()
    }
}

impl<O: Paginated> Ahead<O> {
    /// Starts at the operation's own `pageNum`, with up to `window` pages in flight (at least 1,
    /// at most [`MAX_PAGES_IN_FLIGHT`]).
    pub fn new(op: O, window: u32) -> Self {
        Ahead {
            paginator: Paginator::new(op.clone()),
            template: op,
            window: clamped(window),
            max_pages: crate::paginate::DEFAULT_MAX_PAGES,
            outstanding: VecDeque::new(),
            last: None,
            sequential: true,
            failed: None,
        }
    }

    /// Caps the number of pages read (at least 1), as [`Paginator::max_pages`]; no page past
    /// the cap is fetched.
    pub fn max_pages(mut self, max: u32) -> Self {
        self.max_pages = max.max(1);
        self.paginator = self.paginator.max_pages(max);
        self
    }

    /// Changes the number of pages in flight (at least 1, at most [`MAX_PAGES_IN_FLIGHT`]);
    /// pages already handed out stay.
    pub fn set_window(&mut self, window: u32) {
        self.window = clamped(window);
    }

    /// Pages read so far.
    pub fn pages_read(&self) -> u32 {
        self.paginator.pages_read()
    }

    /// Pages handed out and not yet read.
    pub fn in_flight(&self) -> usize {
        self.outstanding.len()
    }

    /// The next page to fetch now, if one may start: `None` when the window is full, when
    /// nothing may start before the oldest page in flight is read, or when the walk is over
    /// (then nothing is in flight either). `Some(Err)` comes once, with nothing in flight,
    /// after every page before it was read: the walk ended in that error.
    pub fn next_op(&mut self) -> Option<Result<O, PaginationError>> {
        if self.outstanding.is_empty() {
            if let Some(e) = self.failed.take() {
                return Some(Err(e));
            }
            let op = match self.paginator.next_op()? {
                Ok(op) => op,
                Err(e) => return Some(Err(e)),
            };
            self.outstanding.push_back(op.current_page());
            return Some(Ok(op));
        }
        let back = *self.outstanding.back()?;
        let handed_out = u64::from(self.pages_read()).saturating_add(self.outstanding.len() as u64);
        let may_speculate = self.sequential
            && self.pages_read() > 0
            && self.outstanding.len() < self.window
            && handed_out < u64::from(self.max_pages);
        let page = back.checked_add(1).filter(|p| may_speculate && self.last.is_none_or(|last| *p <= last))?;
        self.outstanding.push_back(page);
        Some(Ok(self.template.at_page(page)))
    }

    /// Reads the oldest page in flight (pages must be read in the order they were handed
    /// out). Returns how many pages handed out after it are no longer wanted: the transport
    /// drops that many of its newest fetches unread (0 while the walk goes as speculated).
    /// A page when none is in flight changes nothing.
    #[must_use = "the pages no longer wanted must be dropped"]
    pub fn handle(&mut self, output: &O::Output) -> usize {
        if self.outstanding.pop_front().is_none() {
            return 0;
        }
        let page = O::page(output);
        if let Some(total) = page.total_count {
            let size = self.template.requested_page_size().map_or(DEFAULT_PAGE_SIZE, u64::from).max(1);
            let last = total.div_ceil(size).max(1);
            self.last = Some(u32::try_from(last).unwrap_or(u32::MAX));
        }
        self.paginator.handle(output);
        let Some(&expected) = self.outstanding.front() else {
            return 0;
        };
        match self.paginator.next_op() {
            Some(Ok(op)) if op.current_page() == expected => 0,
            // The links lead elsewhere: the paginator hands out that page next.
            Some(Ok(_)) => self.drop_outstanding(),
            None => self.drop_outstanding(),
            Some(Err(e)) => {
                self.failed = Some(e);
                self.drop_outstanding()
            }
        }
    }

    /// Forgets every page in flight and stops speculating; how many there were.
    fn drop_outstanding(&mut self) -> usize {
        self.sequential = false;
        let n = self.outstanding.len();
        self.outstanding.clear();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{OrgUser, Page};
    use crate::ops::ListOrgUsers;

    const ORG: &str = "4888442a3354817a7320eb61";

    fn op(per_page: u32) -> ListOrgUsers {
        ListOrgUsers::new(ORG).unwrap().items_per_page(per_page).unwrap()
    }

    fn user(i: usize) -> OrgUser {
        serde_json::from_value(serde_json::json!({"id": format!("{i:024x}")})).unwrap()
    }

    /// A fake list of `total` items at `per` a page, as Atlas pages it: `next` while more
    /// remain; `totalCount` only if `count`.
    fn serve(total: usize, per: usize, count: bool, page: u32) -> Page<OrgUser> {
        let start = (page as usize - 1).saturating_mul(per).min(total);
        let end = start.saturating_add(per).min(total);
        let mut p = Page::new((start..end).map(user).collect()).with_link("self", "http://x/self");
        if end < total {
            p = p.with_link("next", &format!("http://x/?pageNum={}", page + 1));
        }
        if count {
            p = p.with_total_count(total as u64);
        }
        p
    }

    /// Drives a walk the way a transport does: fill the window, read the oldest page,
    /// drop what is no longer wanted. Returns the pages requested (in order), the item ids
    /// read, and the most pages ever in flight.
    fn drive(
        mut walk: Ahead<ListOrgUsers>,
        fetch: impl Fn(u32) -> Page<OrgUser>,
    ) -> (Vec<u32>, Vec<String>, usize, Option<PaginationError>) {
        let (mut requested, mut items, mut most) = (Vec::new(), Vec::new(), 0);
        let mut flight: VecDeque<Page<OrgUser>> = VecDeque::new();
        for _ in 0..10_000 {
            loop {
                match walk.next_op() {
                    Some(Ok(op)) => {
                        let n = op.current_page();
                        requested.push(n);
                        flight.push_back(fetch(n));
                    }
                    Some(Err(e)) => return (requested, items, most, Some(e)),
                    None => break,
                }
            }
            most = most.max(flight.len());
            assert_eq!(flight.len(), walk.in_flight());
            let Some(page) = flight.pop_front() else { return (requested, items, most, None) };
            let drop = walk.handle(&page);
            flight.truncate(flight.len() - drop);
            items.extend(page.results.iter().map(|u| u.id.clone().unwrap().to_string()));
        }
        panic!("the walk did not end");
    }

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{i:024x}")).collect()
    }

    #[test]
    fn with_a_count_it_fetches_ahead_and_never_past_the_last_page() {
        let (requested, items, most, err) = drive(Ahead::new(op(5), 4), |p| serve(40, 5, true, p));
        assert_eq!(requested, (1..=8).collect::<Vec<_>>());
        assert_eq!((items, most, err), (ids(40), 4, None));
    }

    #[test]
    fn without_a_count_it_stops_within_the_window_past_the_end() {
        let (requested, items, most, err) = drive(Ahead::new(op(5), 4), |p| serve(23, 5, false, p));
        // Pages 1-5 hold the items; 6-8 were speculated past the end (window - 1) and dropped.
        assert_eq!(requested, (1..=8).collect::<Vec<_>>());
        assert_eq!((items, most, err), (ids(23), 4, None));
    }

    #[test]
    fn a_window_past_the_cap_is_clamped_to_it() {
        let cap = MAX_PAGES_IN_FLIGHT as usize;
        let (requested, items, most, err) = drive(Ahead::new(op(5), 10_000), |p| serve(23, 5, false, p));
        assert_eq!((items, most, err), (ids(23), cap, None));
        assert_eq!(requested, (1..=u32::try_from(4 + cap).unwrap()).collect::<Vec<_>>(), "5 pages, then cap - 1 past");
        let mut walk = Ahead::new(op(5), 1);
        walk.set_window(u32::MAX);
        let (_, _, most, _) = drive(walk, |p| serve(500, 5, true, p));
        assert_eq!(most, cap);
    }

    #[test]
    fn one_in_flight_is_the_paginator() {
        for count in [true, false] {
            let (requested, items, most, _) = drive(Ahead::new(op(5), 1), |p| serve(23, 5, count, p));
            assert_eq!((requested, items, most), ((1..=5).collect(), ids(23), 1));
        }
    }

    #[test]
    fn a_link_that_skips_drops_the_speculated_pages_and_follows_it() {
        // Page 2 says the next one is 9: pages 3-5 fetched meanwhile are dropped unread.
        let fetch = |p: u32| match p {
            2 => Page::new(vec![user(2)]).with_link("next", "http://x/?pageNum=9"),
            9 => Page::new(vec![user(9)]).with_link("self", "http://x/?pageNum=9"),
            n => Page::new(vec![user(n as usize)]).with_link("next", &format!("http://x/?pageNum={}", n + 1)),
        };
        let (requested, items, _, err) = drive(Ahead::new(op(1), 4), fetch);
        assert_eq!(requested, [1, 2, 3, 4, 5, 9]);
        assert_eq!(items, [1usize, 2, 9].map(|i| format!("{i:024x}")));
        assert_eq!(err, None);
    }

    #[test]
    fn the_cap_stops_speculation_and_is_an_error_after_every_page_before_it() {
        let (requested, items, _, err) = drive(Ahead::new(op(5), 4).max_pages(3), |p| serve(40, 5, false, p));
        assert_eq!(requested, [1, 2, 3], "no page past the cap is fetched");
        assert_eq!((items, err), (ids(15), Some(PaginationError::TooManyPages { max: 3 })));
    }

    #[test]
    fn a_link_going_back_is_refused_after_the_page_that_had_it() {
        let fetch = |p: u32| match p {
            3 => Page::new(vec![user(3)]).with_link("next", "http://x/?pageNum=2"),
            n => Page::new(vec![user(n as usize)]).with_link("next", &format!("http://x/?pageNum={}", n + 1)),
        };
        let (requested, items, _, err) = drive(Ahead::new(op(1), 3), fetch);
        assert_eq!(requested, [1, 2, 3, 4, 5]);
        assert_eq!(items, [1usize, 2, 3].map(|i| format!("{i:024x}")));
        assert_eq!(err, Some(PaginationError::NotAdvancing { page: 3, next: 2 }));
    }

    #[test]
    fn an_empty_page_ends_the_walk_and_drops_what_came_after() {
        let fetch = |p: u32| match p {
            1..=2 => serve(100, 5, false, p),
            _ => Page::new(Vec::new()).with_link("next", "http://x/?pageNum=99"),
        };
        let (requested, items, _, err) = drive(Ahead::new(op(5), 3), fetch);
        assert_eq!((requested, items, err), (vec![1, 2, 3, 4, 5], ids(10), None));
    }

    #[test]
    fn starts_at_the_operations_page_and_a_stray_page_changes_nothing() {
        let mut walk = Ahead::new(op(5).page_num(3).unwrap(), 2);
        assert_eq!(walk.handle(&serve(40, 5, true, 1)), 0, "nothing in flight");
        assert_eq!(walk.next_op().unwrap().unwrap().current_page(), 3);
        assert_eq!(walk.handle(&serve(40, 5, true, 3)), 0);
        let next: Vec<u32> = std::iter::from_fn(|| walk.next_op()).map(|o| o.unwrap().current_page()).collect();
        assert_eq!(next, [4, 5]);
        assert!(format!("{walk:?}").contains("window: 2"));
    }

    proptest::proptest! {
        /// Any list, page size and window: every item once, in order; never more than
        /// `window` in flight; at most `window - 1` pages fetched past the last one needed.
        #[test]
        fn every_item_once_in_order_within_the_window(
            total in 0usize..300, per in 1u32..40, window in 1u32..8, count: bool,
        ) {
            let (requested, items, most, err) = drive(Ahead::new(op(per), window), |p| serve(total, per as usize, count, p));
            proptest::prop_assert_eq!(err, None);
            proptest::prop_assert_eq!(items, ids(total));
            proptest::prop_assert!(most <= window as usize);
            let needed = total.div_ceil(per as usize).max(1);
            proptest::prop_assert_eq!(&requested[..needed], &(1..=needed as u32).collect::<Vec<_>>()[..]);
            proptest::prop_assert!(requested.len() < needed + window as usize, "{requested:?}");
            if count {
                proptest::prop_assert_eq!(requested.len(), needed, "with a count, nothing past the end");
            }
        }
    }
}
