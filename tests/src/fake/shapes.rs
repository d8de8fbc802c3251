//! The shape of the API's paths, read from the catalog's templates: which template is an
//! **item** (it ends in a run of placeholders, such as `/groups/{groupId}/clusters/{clusterName}`
//! or `/groups/{groupId}/databaseUsers/{databaseName}/{username}`), which is a **collection**
//! (an item's template without its last run: `/groups/{groupId}/clusters`), which collections
//! the generic behaviour can create items in (a POST on the collection or a PUT on the item,
//! not hand-written), and what is neither: a singleton document (`/groups/{groupId}/auditLog`)
//! or an **action** (a `:verb` custom method, a download `{logName}.gz`).

use atlas_admin_core::{Endpoint, ParamKind, catalog};
use http::Method;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Whether a segment is exactly one placeholder (`{clusterName}`, not `{logName}.gz`).
pub(crate) fn is_placeholder(segment: &str) -> bool {
    segment.len() > 2
        && segment.starts_with('{')
        && segment.ends_with('}')
        && segment.matches('{').count() == 1
        && segment.matches('}').count() == 1
}

/// The placeholder's name (`clusterName` of `{clusterName}`).
pub(crate) fn placeholder_name(segment: &str) -> &str {
    segment.trim_start_matches('{').trim_end_matches('}')
}

/// The runs of placeholder segments of a template, as `[start, end)` segment ranges.
pub(crate) fn runs(segments: &[&str]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < segments.len() {
        if is_placeholder(segments[at]) {
            let start = at;
            while at < segments.len() && is_placeholder(segments[at]) {
                at += 1;
            }
            out.push((start, at));
        } else {
            at += 1;
        }
    }
    out
}

/// What a template names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// One item: the collection is the first `start` segments, the key the rest.
    Item { start: usize },
    /// A collection (items under it have templates of their own).
    Collection,
    /// A document that is neither (settings, a singleton resource, a list of things the fake
    /// does not create).
    Document,
    /// A custom method (`:verb`) or a download named in the path.
    Action,
}

/// The shapes of the catalog's templates, computed once.
pub(crate) struct Shapes {
    collections: HashSet<String>,
    creatable: HashSet<String>,
    /// Per collection template: its items' key placeholders (name and kind), from the first
    /// item template under it.
    keys: HashMap<String, Vec<(&'static str, ParamKind)>>,
}

impl Shapes {
    /// The shapes of this build's catalog; `handwritten` says which operations are not the
    /// generic behaviour's (their collections are not created generically).
    pub(crate) fn get() -> &'static Shapes {
        static SHAPES: OnceLock<Shapes> = OnceLock::new();
        SHAPES.get_or_init(|| Shapes::of(&catalog::all().collect::<Vec<_>>(), super::routes::is_handwritten))
    }

    fn of(endpoints: &[&'static Endpoint], handwritten: fn(&str) -> bool) -> Shapes {
        let mut collections = HashSet::new();
        let mut keys = HashMap::new();
        for e in endpoints {
            let segments: Vec<&str> = e.path.split('/').collect();
            if let Some(&(start, end)) = runs(&segments).last() {
                if end == segments.len() {
                    let collection = segments[..start].join("/");
                    collections.insert(collection.clone());
                    keys.entry(collection).or_insert_with(|| {
                        let names = segments[start..].iter().map(|s| placeholder_name(s));
                        names.filter_map(|n| e.param(n)).map(|p| (p.name, p.kind)).collect()
                    });
                }
            }
        }
        let mut creatable = HashSet::new();
        for e in endpoints {
            if handwritten(e.operation_id) {
                continue;
            }
            let segments: Vec<&str> = e.path.split('/').collect();
            match Shapes::shape_of(&collections, &segments) {
                Shape::Collection if e.method == Method::POST => {
                    creatable.insert(e.path.to_owned());
                }
                Shape::Item { start } if e.method == Method::PUT => {
                    creatable.insert(segments[..start].join("/"));
                }
                _ => {}
            }
        }
        Shapes { collections, creatable, keys }
    }

    /// The key placeholders (name and kind) of the items of collection template `collection`.
    pub(crate) fn keys(&self, collection: &str) -> &[(&'static str, ParamKind)] {
        self.keys.get(collection).map_or(&[], Vec::as_slice)
    }

    fn shape_of(collections: &HashSet<String>, segments: &[&str]) -> Shape {
        let last = segments.last().copied().unwrap_or_default();
        match runs(segments).last() {
            Some(&(start, end)) if end == segments.len() => Shape::Item { start },
            _ if last.contains(':') || last.contains('{') => Shape::Action,
            _ if collections.contains(&segments.join("/")) => Shape::Collection,
            _ => Shape::Document,
        }
    }

    /// The shape of `template`.
    pub(crate) fn shape(&self, template: &str) -> Shape {
        let segments: Vec<&str> = template.split('/').collect();
        Shapes::shape_of(&self.collections, &segments)
    }

    /// Whether the generic behaviour creates items in collection `template`: then an item's
    /// parent must exist for the item to.
    pub(crate) fn is_creatable(&self, template: &str) -> bool {
        self.creatable.contains(template)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_of_templates() {
        let shapes = Shapes::get();
        let p = "/api/atlas/v2/groups/{groupId}";
        assert_eq!(shapes.shape(&format!("{p}/invites/{{invitationId}}")), Shape::Item { start: 7 });
        assert_eq!(shapes.shape(&format!("{p}/invites")), Shape::Collection);
        assert_eq!(shapes.shape("/api/atlas/v2/orgs/{orgId}/users/{userId}:addRole"), Shape::Action);
        assert_eq!(shapes.shape("/api/atlas/v2/a/{logName}.gz"), Shape::Action);
        assert_eq!(shapes.shape("/api/atlas/v2/a/b"), Shape::Document);
        assert_eq!(runs(&["", "a", "{x}", "{y}", "b", "{z}"]), vec![(2, 4), (5, 6)]);
        assert!(!is_placeholder("{a}{b}") && !is_placeholder("{}") && is_placeholder("{ab}"));
        // Hand-written collections are not created generically.
        assert!(!shapes.is_creatable(&format!("{p}/invites")));
    }

    #[cfg(feature = "fake-full")]
    #[test]
    fn clusters_and_database_users_are_creatable() {
        let shapes = Shapes::get();
        let p = "/api/atlas/v2/groups/{groupId}";
        assert!(shapes.is_creatable(&format!("{p}/clusters")));
        assert!(shapes.is_creatable(&format!("{p}/databaseUsers")));
        assert!(shapes.is_creatable("/api/atlas/v2/groups"));
        assert_eq!(shapes.shape(&format!("{p}/databaseUsers/{{databaseName}}/{{username}}")), Shape::Item { start: 7 });
    }
}
