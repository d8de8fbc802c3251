//! Atlas's list pages, shared by the Cloud Users lists and the generic behaviour:
//! `{links, results, totalCount}` with `itemsPerPage` 1-500 (default 100), `pageNum` ≥ 1,
//! `includeCount` (default true) deciding `totalCount`, absolute `self` and, when more results
//! follow, `next` links; a bad value is 400 `INVALID_QUERY_PARAMETER`.

use super::incoming::Request;
use super::reply::Outcome;
use http::StatusCode;
use serde_json::{Map, Value, json};

/// Largest `itemsPerPage` Atlas accepts.
pub(crate) const MAX_ITEMS_PER_PAGE: usize = 500;
pub(crate) const DEFAULT_ITEMS_PER_PAGE: usize = 100;
/// 400 for a malformed or out-of-range query parameter (unverified).
pub const INVALID_QUERY_PARAMETER: &str = "INVALID_QUERY_PARAMETER";

/// The last value of query parameter `name`.
pub(crate) fn get<'q>(query: &'q [(String, String)], name: &str) -> Option<&'q str> {
    query.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A number from 1 to `max`, `default` when absent.
pub(crate) fn number(query: &[(String, String)], name: &str, default: usize, max: usize) -> Result<usize, Outcome> {
    match get(query, name) {
        None => Ok(default),
        Some(v) => v.parse::<usize>().ok().filter(|n| (1..=max).contains(n)).ok_or_else(|| bad_query(name, v)),
    }
}

/// `true` or `false` (any case), `default` when absent.
pub(crate) fn flag(query: &[(String, String)], name: &str, default: bool) -> Result<bool, Outcome> {
    match get(query, name) {
        None => Ok(default),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(v) => Err(bad_query(name, v)),
    }
}

pub(crate) fn bad_query(name: &str, value: &str) -> Outcome {
    Outcome::error(
        StatusCode::BAD_REQUEST,
        INVALID_QUERY_PARAMETER,
        format!("Invalid query parameter {name}: {value:?}."),
        vec![json!(name), json!(value)],
    )
}

/// Which page of a list is asked for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Paging {
    pub(crate) items_per_page: usize,
    pub(crate) page_num: usize,
    pub(crate) include_count: bool,
    /// Whether `includeCount` appears in links (not on lists without that parameter).
    pub(crate) count_param: bool,
}

impl Paging {
    pub(crate) fn parse(query: &[(String, String)], count_param: bool) -> Result<Paging, Outcome> {
        Ok(Paging {
            items_per_page: number(query, "itemsPerPage", DEFAULT_ITEMS_PER_PAGE, MAX_ITEMS_PER_PAGE)?,
            page_num: number(query, "pageNum", 1, usize::MAX)?,
            include_count: flag(query, "includeCount", true)?,
            count_param,
        })
    }

    /// How many results come before this page.
    pub(crate) fn skip(&self) -> usize {
        self.page_num.saturating_sub(1).saturating_mul(self.items_per_page)
    }

    /// An absolute link to page `page` of this list: the request's own parameters in their
    /// order, then `includeCount` (where the list has it), `itemsPerPage` and `pageNum`.
    pub(crate) fn link(&self, req: &Request<'_>, page: usize) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in req.query {
            if !matches!(k.as_str(), "includeCount" | "itemsPerPage" | "pageNum") {
                s.append_pair(k, v);
            }
        }
        if self.count_param {
            s.append_pair("includeCount", if self.include_count { "true" } else { "false" });
        }
        s.append_pair("itemsPerPage", &self.items_per_page.to_string());
        s.append_pair("pageNum", &page.to_string());
        format!("http://127.0.0.1:{}{}?{}", req.config.port, req.path, s.finish())
    }

    /// The page: `results`, `links` (`next` if `more`), `totalCount` = `seen` if asked for.
    pub(crate) fn body(&self, req: &Request<'_>, results: Vec<Value>, seen: usize, more: bool) -> Value {
        let mut links = vec![json!({"href": self.link(req, self.page_num), "rel": "self"})];
        if more {
            links.push(json!({"href": self.link(req, self.page_num.saturating_add(1)), "rel": "next"}));
        }
        let mut body = Map::new();
        body.insert("links".into(), Value::Array(links));
        body.insert("results".into(), Value::Array(results));
        if self.include_count {
            body.insert("totalCount".into(), json!(seen));
        }
        Value::Object(body)
    }
}
