//! One page of a paginated list: `{links, results, totalCount}`.

use super::{Link, null_as_empty};
use serde::{Deserialize, Serialize};

/// One page of a paginated Atlas list (every `Paginated…View`).
///
/// `total_count` is absent with `includeCount=false` and documented as an estimate: use it
/// as a hint only. The [`next`](Page::next) link says whether another page follows.
///
/// ```
/// use atlas_admin_core::{OrgUser, Page};
/// let page: Page<OrgUser> = serde_json::from_str(
///     r#"{"links":[{"href":"http://h/api/atlas/v2/orgs/a0123456789abcdef012345a/users?pageNum=2","rel":"next"}],"results":null}"#,
/// ).unwrap();
/// assert!(page.results.is_empty() && page.total_count.is_none());
/// assert_eq!(page.next(), Some("http://h/api/atlas/v2/orgs/a0123456789abcdef012345a/users?pageNum=2"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "T: Deserialize<'de>"))]
#[non_exhaustive]
pub struct Page<T> {
    /// `self` and, unless this is the last page, `next`.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub links: Vec<Link>,
    /// This page's items (`null` reads as none).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub results: Vec<T>,
    /// Atlas's estimate of the total; absent with `includeCount=false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
}

/// An empty last page.
impl<T> Default for Page<T> {
    fn default() -> Self {
        Page::new(Vec::new())
    }
}

impl<T> Page<T> {
    /// A page of `results` with no links and no count (for tests and doubles).
    pub fn new(results: Vec<T>) -> Self {
        Page { links: Vec::new(), results, total_count: None }
    }

    /// Adds a link.
    pub fn with_link(mut self, rel: &str, href: &str) -> Self {
        self.links.push(Link { href: Some(href.to_owned()), rel: Some(rel.to_owned()) });
        self
    }

    /// Sets the total count.
    pub fn with_total_count(mut self, total: u64) -> Self {
        self.total_count = Some(total);
        self
    }

    /// The href of the `next` link, if any.
    pub fn next(&self) -> Option<&str> {
        self.links.iter().find(|l| l.rel.as_deref() == Some("next")).and_then(|l| l.href.as_deref())
    }
}
