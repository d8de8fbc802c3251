//! A sans-IO paginator over any paginated list (`{links, results, totalCount}`).
//!
//! The [`Paginator`] hands out the operation for the next page and reads each [`Page`] the
//! caller fetched with it; it never holds more than the next operation (the caller holds
//! one page at a time). Items are never deduplicated or counted here: what Atlas sends is
//! what the caller gets. The transports wrap it: `client.pages(op)` / `client.all(op)`, through
//! `ahead::Ahead`, which adds pages fetched ahead (`.pages_in_flight(n)`).
//!
//! Rules, from how Atlas paginates (see `cloud-users.md` §2):
//! - the next page is the `next` link's `pageNum` (the other query parameters are kept from
//!   the operation: the link's host may differ, e.g. behind a recorder or proxy); a `next`
//!   link without a readable `pageNum` means the current page + 1;
//! - it stops when a page has no `next` link, or comes back empty;
//! - `totalCount` is only a hint: absent (`includeCount=false`) it never stops the walk;
//! - a `next` link that does not advance is refused ([`PaginationError::NotAdvancing`]), and
//!   more than [`Paginator::max_pages`] pages is an error ([`PaginationError::TooManyPages`]),
//!   never a silent truncation.
//!
//! Unverified assumption: a page with no links at all (neither `self` nor `next`, which live
//! Atlas sends on every observed list) continues to the next page only while pages come back
//! full (`itemsPerPage`, default 100) and `totalCount`, when present, says more remain.
//!
//! ```
//! use atlas_admin_core::{OrgUser, Page, ops::ListOrgUsers, paginate::Paginator};
//! let op = ListOrgUsers::new("4888442a3354817a7320eb61").unwrap().include_count(false);
//! let mut pages = Paginator::new(op);
//! let first = pages.next_op().unwrap().unwrap();
//! assert_eq!(first.page(), None); // page 1: as the caller built it
//! let page: Page<OrgUser> = serde_json::from_str(r#"{"links":[{"rel":"next","href":"https://x/api/atlas/v2/orgs/4888442a3354817a7320eb61/users?includeCount=false&pageNum=2"}],"results":[{"orgMembershipStatus":"ACTIVE"}]}"#).unwrap();
//! pages.handle(&page);
//! let second = pages.next_op().unwrap().unwrap();
//! assert_eq!((second.page(), second.includes_count()), (Some(2), Some(false)));
//! pages.handle(&Page::new(Vec::new())); // an empty page ends the walk
//! assert!(pages.next_op().is_none());
//! ```

use crate::models::Page;
use crate::operation::Operation;
use std::fmt;

/// A list operation that returns one [`Page`] and takes `pageNum`.
pub trait Paginated: Operation + Clone {
    /// One result.
    type Item;

    /// The page this operation asks for (1 when `pageNum` is unset).
    fn current_page(&self) -> u32;

    /// The same operation (filters, page size, options) for page `page_num` (at least 1).
    fn at_page(&self, page_num: u32) -> Self;

    /// The operation's output as a page.
    fn page(output: &Self::Output) -> &Page<Self::Item>;

    /// The operation's output as an owned page.
    fn into_page(output: Self::Output) -> Page<Self::Item>;

    /// `itemsPerPage` if set (the no-links fallback compares page sizes with it).
    fn requested_page_size(&self) -> Option<u32> {
        None
    }
}

pub use crate::error::PaginationError;

/// Pages a paginator reads unless told otherwise: 10,000 (5,000,000 items at 500 a page).
pub const DEFAULT_MAX_PAGES: u32 = 10_000;

/// Hands out the operation for each page and reads the pages back; see the module doc.
#[derive(Clone)]
pub struct Paginator<O: Paginated> {
    /// The operation for the next page; `None` once done.
    next: Option<O>,
    /// Whether `next` was handed out and its page not yet handled.
    in_flight: bool,
    pages: u32,
    max_pages: u32,
    failed: Option<PaginationError>,
}

impl<O: Paginated> fmt::Debug for Paginator<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("operation", &O::ENDPOINT.operation_id)
            .field("next_page", &self.next.as_ref().map(Paginated::current_page))
            .field("pages", &self.pages)
            .field("max_pages", &self.max_pages)
            .finish()
    }
}

impl<O: Paginated> Paginator<O> {
    /// Starts at the operation's own `pageNum` (1 if unset).
    pub fn new(op: O) -> Self {
        Paginator { next: Some(op), in_flight: false, pages: 0, max_pages: DEFAULT_MAX_PAGES, failed: None }
    }

    /// Caps the number of pages read (at least 1); going past it is
    /// [`PaginationError::TooManyPages`].
    pub fn max_pages(mut self, max: u32) -> Self {
        self.max_pages = max.max(1);
        self
    }

    /// Pages handled so far.
    pub fn pages_read(&self) -> u32 {
        self.pages
    }

    /// The operation to execute next: `None` when the walk is over, `Some(Err)` once if it
    /// ended in error. Calling it again before [`handle`](Self::handle) returns the same
    /// operation.
    pub fn next_op(&mut self) -> Option<Result<O, PaginationError>> {
        if let Some(e) = self.failed.take() {
            self.next = None;
            return Some(Err(e));
        }
        let op = self.next.as_ref()?;
        if self.pages >= self.max_pages {
            self.next = None;
            return Some(Err(PaginationError::TooManyPages { max: self.max_pages }));
        }
        self.in_flight = true;
        Some(Ok(op.clone()))
    }

    /// Reads the page fetched with the last operation from [`next_op`](Self::next_op) and
    /// decides the next one. The caller keeps the page (and its items); an error found here
    /// (a `next` link that does not advance) comes out of the following `next_op`.
    pub fn handle(&mut self, output: &O::Output) {
        let page = O::page(output);
        // A page nobody asked for (handled twice, or before `next_op`) changes nothing: the
        // walk must never end early in silence.
        if !self.in_flight {
            return;
        }
        let Some(current) = self.next.take() else {
            return;
        };
        self.in_flight = false;
        self.pages = self.pages.saturating_add(1);
        let here = current.current_page();
        if page.results.is_empty() {
            return;
        }
        if let Some(href) = page.next() {
            let next = page_num_of(href).unwrap_or_else(|| here.saturating_add(1));
            if next <= here {
                self.failed = Some(PaginationError::NotAdvancing { page: here, next });
            } else {
                self.next = Some(current.at_page(next));
            }
        } else if page.links.is_empty() && more_without_links(&current, page, u64::from(here.saturating_sub(1))) {
            self.next = Some(current.at_page(here.saturating_add(1)));
        }
    }
}

/// The no-links fallback: continue while the page is full and `totalCount` (a hint) does not
/// say the end was reached (pages before this one are taken as full).
fn more_without_links<O: Paginated>(op: &O, page: &Page<O::Item>, pages_before: u64) -> bool {
    let size = u64::from(op.requested_page_size().unwrap_or(100));
    let got = page.results.len() as u64;
    if got < size {
        return false;
    }
    match page.total_count {
        Some(total) => pages_before.saturating_mul(size).saturating_add(got) < total,
        None => true,
    }
}

/// The `pageNum` of a link's query, if it has one that reads as a number.
fn page_num_of(href: &str) -> Option<u32> {
    let query = href.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or_default();
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "pageNum").and_then(|(_, v)| v.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{GroupUser, OrgUser};
    use crate::ops::{ListGroupUsers, ListOrgUsers};

    const ORG: &str = "4888442a3354817a7320eb61";

    fn user(i: usize) -> OrgUser {
        serde_json::from_value(serde_json::json!({"id": format!("{i:024x}"), "orgMembershipStatus": "ACTIVE"})).unwrap()
    }

    fn page(items: std::ops::Range<usize>, next: Option<&str>, total: Option<u64>) -> Page<OrgUser> {
        let mut p = Page::new(items.map(user).collect()).with_link("self", "http://x/self");
        if let Some(href) = next {
            p = p.with_link("next", href);
        }
        if let Some(t) = total {
            p = p.with_total_count(t);
        }
        p
    }

    /// Runs the paginator over scripted pages; returns the page numbers asked for, the items
    /// and the final error if any.
    fn walk(op: ListOrgUsers, max: u32, script: Vec<Page<OrgUser>>) -> (Vec<u32>, usize, Option<PaginationError>) {
        let mut p = Paginator::new(op).max_pages(max);
        let mut script = script.into_iter();
        let (mut asked, mut items) = (Vec::new(), 0);
        while let Some(next) = p.next_op() {
            let op = match next {
                Ok(op) => op,
                Err(e) => return (asked, items, Some(e)),
            };
            asked.push(op.current_page());
            let Some(page) = script.next() else { panic!("asked for page {} past the script", op.current_page()) };
            p.handle(&page);
            items += page.results.len();
        }
        (asked, items, None)
    }

    fn op() -> ListOrgUsers {
        ListOrgUsers::new(ORG).unwrap().items_per_page(2).unwrap()
    }

    /// Review finding: a page handled twice (or before `next_op`) ended the walk in silence.
    #[test]
    fn a_page_handled_twice_does_not_end_the_walk() {
        let mut p = Paginator::new(op());
        let first = page(0..2, Some("http://h/x?itemsPerPage=2&pageNum=2"), None);
        p.handle(&first); // before any next_op: ignored
        let one = p.next_op().unwrap().unwrap();
        assert_eq!(one.current_page(), 1);
        p.handle(&first);
        p.handle(&first); // again: ignored
        let two = p.next_op().expect("the walk goes on").unwrap();
        assert_eq!(two.current_page(), 2);
    }

    #[test]
    fn follows_next_links_and_stops_without_one() {
        let script = vec![
            page(0..2, Some("http://other-host/x?itemsPerPage=2&pageNum=2"), Some(5)),
            page(2..4, Some("http://other-host/x?pageNum=3&itemsPerPage=2"), Some(5)),
            page(4..5, None, Some(5)),
        ];
        assert_eq!(walk(op(), 100, script), (vec![1, 2, 3], 5, None));
    }

    #[test]
    fn include_count_false_does_not_stop_after_page_one() {
        let op = op().include_count(false);
        let script = vec![
            page(0..2, Some("http://x/?pageNum=2"), None),
            page(2..4, Some("http://x/?pageNum=3"), None),
            page(4..5, None, None),
        ];
        assert_eq!(walk(op, 100, script), (vec![1, 2, 3], 5, None));
    }

    #[test]
    fn total_count_is_only_a_hint() {
        // totalCount says 2 but the next link says there is more: the link wins.
        let script = vec![page(0..2, Some("http://x/?pageNum=2"), Some(2)), page(2..3, None, Some(2))];
        assert_eq!(walk(op(), 100, script), (vec![1, 2], 3, None));
    }

    /// Issue 14: a malformed `totalCount` (a hint) neither fails the decode nor ends the walk:
    /// pages with no links go on while full, as with no count at all.
    #[test]
    fn a_malformed_total_count_does_not_stop_the_walk() {
        for bad in ["-5", r#""3""#, "2.5", "1e30"] {
            let decoded = |items: std::ops::Range<usize>| -> Page<OrgUser> {
                let results: Vec<String> = items.map(|i| format!(r#"{{"id":"{i:024x}"}}"#)).collect();
                let text = format!(r#"{{"results":[{}],"totalCount":{bad}}}"#, results.join(","));
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("totalCount {bad}: {e}"))
            };
            let script = vec![decoded(0..2), decoded(2..4), decoded(4..5)];
            assert_eq!(walk(op(), 100, script), (vec![1, 2, 3], 5, None), "totalCount {bad}");
        }
    }

    #[test]
    fn an_empty_page_stops_even_with_a_next_link() {
        let script = vec![page(0..2, Some("http://x/?pageNum=2"), None), page(0..0, Some("http://x/?pageNum=3"), None)];
        assert_eq!(walk(op(), 100, script), (vec![1, 2], 2, None));
    }

    #[test]
    fn a_next_link_without_page_num_means_the_next_page() {
        let script = vec![page(0..2, Some("http://x/opaque-cursor"), None), page(2..3, None, None)];
        assert_eq!(walk(op(), 100, script), (vec![1, 2], 3, None));
    }

    #[test]
    fn the_cap_is_a_typed_error_not_a_silent_stop() {
        let endless: Vec<Page<OrgUser>> =
            (1..=5).map(|n| page(0..2, Some(&format!("http://x/?pageNum={}", n + 1)), None)).collect();
        assert_eq!(walk(op(), 3, endless), (vec![1, 2, 3], 6, Some(PaginationError::TooManyPages { max: 3 })));
    }

    #[test]
    fn a_next_link_that_goes_back_is_refused() {
        let script = vec![page(0..2, Some("http://x/?pageNum=2"), None), page(2..4, Some("http://x/?pageNum=1"), None)];
        // The page's items are kept; the error comes next, once.
        assert_eq!(walk(op(), 100, script), (vec![1, 2], 4, Some(PaginationError::NotAdvancing { page: 2, next: 1 })));
    }

    #[test]
    fn starts_at_the_operations_page_and_keeps_its_filters() {
        let op = op().page_num(4).unwrap().username("a@example.com").unwrap();
        let mut p = Paginator::new(op);
        assert_eq!(p.next_op().unwrap().unwrap().current_page(), 4);
        p.handle(&page(0..2, Some("http://x/?pageNum=5"), None));
        let next = p.next_op().unwrap().unwrap();
        assert_eq!((next.page(), next.username_filter(), next.page_size()), (Some(5), Some("a@example.com"), Some(2)));
    }

    #[test]
    fn without_any_links_full_pages_continue_and_a_short_one_stops() {
        let bare = |r: std::ops::Range<usize>, total: Option<u64>| {
            let mut p = Page::new(r.map(user).collect());
            p.total_count = total;
            p
        };
        let script = vec![bare(0..2, None), bare(2..4, None), bare(4..5, None)];
        assert_eq!(walk(op(), 100, script), (vec![1, 2, 3], 5, None));
        // A full page that totalCount says is the last stops.
        assert_eq!(walk(op(), 100, vec![bare(0..2, Some(4)), bare(2..4, Some(4))]), (vec![1, 2], 4, None));
    }

    #[test]
    fn group_lists_paginate_too() {
        let mut p = Paginator::new(ListGroupUsers::new("32b6e34b3d91647abb20e7b8").unwrap());
        assert!(p.next_op().is_some());
        let empty: Page<GroupUser> = Page::new(Vec::new());
        p.handle(&empty);
        assert!(p.next_op().is_none());
        assert!(format!("{p:?}").contains("listGroupUsers"));
    }

    #[test]
    fn page_num_is_read_from_the_query() {
        assert_eq!(page_num_of("http://h/p?a=1&pageNum=7#f"), Some(7));
        assert_eq!(page_num_of("http://h/p?pageNum=x"), None);
        assert_eq!(page_num_of("http://h/p"), None);
    }
}
