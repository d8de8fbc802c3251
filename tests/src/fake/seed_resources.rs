//! Cassette seeding of the generic behaviour's resources: what one recorded success answer of
//! an operation without a hand-written behaviour puts in [`FakeState`] (the rules are on
//! [`SeedReport`](super::SeedReport)).

use super::generic::{answered_key, canonical_path, has_lifecycle, missing_parent};
use super::resources::FakeState;
use super::seed::SeedAction;
use super::shapes::{Shape, Shapes};
use atlas_admin_core::Endpoint;
use http::Method;
use serde_json::{Map, Value};

/// Seeds what the answer `body` of `e` at recorded path `path` holds.
pub(crate) fn seed(
    state: &mut FakeState,
    e: &'static Endpoint,
    path: &str,
    body: &Value,
) -> Result<Vec<SeedAction>, String> {
    let template: Vec<&str> = e.path.split('/').collect();
    let raw: Vec<&str> = path.split('/').collect();
    if template.len() != raw.len() {
        return Err(format!("{path} is not a path of {}", e.operation_id));
    }
    let canonical = canonical_path(&template, &raw, e);
    let concrete: Vec<&str> = canonical.iter().map(String::as_str).collect();
    let shape = Shapes::get().shape(e.path);
    let item = match shape {
        Shape::Item { start } => Some(start),
        _ => None,
    };
    if let Some((what, key)) = missing_parent(state, &template, &concrete, item) {
        return Err(format!("no resource with {what} {key} is in the fake (seed its parent first)"));
    }
    let at = canonical.join("/");
    let object = || body.as_object().cloned().ok_or_else(|| "the answer is not a JSON object".to_owned());
    let one = |state: &mut FakeState, collection: &str, template: &str, item: Map<String, Value>| {
        let key = answered_key(template, &item).map_err(|_| format!("an item of {collection} without its key"))?;
        let lifecycle = has_lifecycle(collection, &item);
        state.restore(collection, &key, item, lifecycle);
        Ok::<_, String>(SeedAction::Resource(format!("{collection}/{key}")))
    };
    Ok(match (shape, &e.method) {
        // `…/byName/{name}`: an item of the collection above, keyed by what it answers.
        (Shape::Item { start }, &Method::GET) if start > 1 && template[start - 1] == "byName" => {
            let (collection, t) = (concrete[..start - 1].join("/"), template[..start - 1].join("/"));
            vec![one(state, &collection, &t, object()?)?]
        }
        (Shape::Item { start }, &Method::DELETE) => {
            let (collection, key) = (concrete[..start].join("/"), concrete[start..].join("/"));
            state.remove(&collection, &key);
            vec![SeedAction::Removed("resource", at)]
        }
        (Shape::Item { start }, _) => {
            let (collection, key) = (concrete[..start].join("/"), concrete[start..].join("/"));
            let item = object()?;
            let lifecycle = has_lifecycle(&collection, &item);
            state.restore(&collection, &key, item, lifecycle);
            vec![SeedAction::Resource(at)]
        }
        // A list (a page, a bare array) or the page a POST of an array answers.
        (Shape::Collection | Shape::Document, &Method::GET | &Method::POST)
            if body.is_array() || ((e.paginated || e.method == Method::POST) && body.get("results").is_some()) =>
        {
            let items = body.get("results").unwrap_or(body).as_array().cloned().unwrap_or_default();
            let objects = items.into_iter().map(|i| match i {
                Value::Object(m) => Ok(m),
                _ => Err(format!("an item of {at} is not a JSON object")),
            });
            let mut actions = Vec::new();
            for item in objects {
                actions.push(one(state, &at, e.path, item?)?);
            }
            actions
        }
        (Shape::Collection, &Method::POST) => vec![one(state, &at, e.path, object()?)?],
        (Shape::Document, &Method::DELETE) => {
            state.remove_document(&at);
            vec![SeedAction::Removed("document", at)]
        }
        (Shape::Document, &Method::GET | &Method::PUT | &Method::PATCH)
        | (Shape::Collection, &Method::PUT | &Method::PATCH) => {
            state.set_document(&at, Value::Object(object()?));
            vec![SeedAction::Document(at)]
        }
        _ => return Err(format!("{} is an action: the fake keeps nothing of it", e.operation_id)),
    })
}
