//! One page of a paginated list: `{links, results, totalCount}`.

use super::{Link, null_as_empty};
use serde::{Deserialize, Serialize};

/// One page of a paginated Atlas list (every `Paginated…View`).
///
/// `total_count` is absent with `includeCount=false` and documented as an estimate: use it
/// as a hint only. A malformed count (negative, a float, a string, beyond `u64`) reads as
/// absent: it never fails the page or a walk over the pages. The [`next`](Page::next) link says whether another page follows.
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
    /// Atlas's estimate of the total; absent with `includeCount=false` or when malformed.
    #[serde(default, deserialize_with = "crate::lenient::hint_count", skip_serializing_if = "Option::is_none")]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::OrgUser;

    fn decode(total: &str) -> Page<OrgUser> {
        let text = format!(r#"{{"links":[],"results":[{{"id":"5f8d0a1b2c3d4e5f6a7b8c9d"}}],"totalCount":{total}}}"#);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("totalCount {total}: {e}"))
    }

    /// Issue 14: `totalCount` is a hint, so a malformed one reads as absent instead of failing
    /// the page (and with it a walk over every page).
    #[test]
    fn a_malformed_total_count_reads_as_absent() {
        for bad in ["-1", r#""12""#, "1.5", "18446744073709551616", "1e30", "true", "[]", "{}", "null"] {
            let page = decode(bad);
            assert_eq!(page.total_count, None, "totalCount {bad}");
            assert_eq!(page.results.len(), 1, "totalCount {bad}: the results are kept");
        }
        assert_eq!(decode("0").total_count, Some(0));
        assert_eq!(decode("18446744073709551615").total_count, Some(u64::MAX));
        assert_eq!(serde_json::from_str::<Page<OrgUser>>(r#"{"results":[]}"#).unwrap().total_count, None);
    }
}
