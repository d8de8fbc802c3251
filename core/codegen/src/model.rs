//! From the spec (as JSON) and the overrides to one description per operation, grouped by tag:
//! everything the emitted `Endpoint` holds, decided here.

use crate::overrides::{Override, Overrides};
use atlas_admin_core::{ApiVersion, Pattern};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The API versions the catalog can name (`ApiVersion` constants).
const KNOWN_VERSIONS: &[&str] = &[
    "2023-01-01",
    "2023-02-01",
    "2023-10-01",
    "2023-11-15",
    "2024-05-30",
    "2024-08-05",
    "2024-10-23",
    "2024-11-13",
    "2025-02-19",
    "2025-03-12",
    "preview",
];

/// The methods an OpenAPI path item may hold, in the order operations are emitted.
const METHODS: &[&str] = &["get", "put", "post", "patch", "delete", "head", "options", "trace"];

/// The pattern that [`Kind::Id`] stands for.
const HEX24: &str = "^([a-f0-9]{24})$";

/// A spec tag and its operations.
pub(crate) struct Tag {
    /// As the spec spells it (`Cloud Backups`).
    pub(crate) name: String,
    /// The Cargo feature (`cloud-backups`).
    pub(crate) feature: String,
    /// The generated module and file (`cloud_backups`).
    pub(crate) module: String,
    /// As the Atlas CLI spells it (`cloudBackups`), the `Endpoint::tag`.
    pub(crate) cli: String,
    pub(crate) ops: Vec<Op>,
}

/// One operation's `Endpoint`.
pub(crate) struct Op {
    pub(crate) id: String,
    pub(crate) aliases: Vec<String>,
    pub(crate) summary: String,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) params: Vec<Param>,
    pub(crate) body: bool,
    pub(crate) body_required: bool,
    /// Oldest first, `preview` last.
    pub(crate) versions: Vec<String>,
    pub(crate) success: u16,
    pub(crate) statuses: Vec<u16>,
    pub(crate) envelope: bool,
    pub(crate) pretty: bool,
    pub(crate) idempotent: bool,
    pub(crate) paginated: bool,
    pub(crate) output: Output,
    /// (version, date), oldest first.
    pub(crate) sunsets: Vec<(String, String)>,
    pub(crate) deprecated: bool,
    /// (name, public) of `x-xgen-preview`.
    pub(crate) preview: Option<(Option<String>, Option<bool>)>,
    pub(crate) roles: Vec<String>,
    pub(crate) docs_url: String,
    pub(crate) auth: bool,
}

impl Op {
    /// Whether `preview` is its only version.
    pub(crate) fn preview_only(&self) -> bool {
        self.versions.iter().all(|v| v == "preview")
    }
}

/// `SuccessBody`.
pub(crate) enum Output {
    Empty,
    Json,
    Bytes(String),
    JsonOrBytes(String),
}

pub(crate) struct Param {
    pub(crate) name: String,
    /// `Path`, `Query` or `Header`.
    pub(crate) location: &'static str,
    pub(crate) kind: Kind,
    pub(crate) required: bool,
    pub(crate) since: Option<String>,
}

/// `ParamKind`.
pub(crate) enum Kind {
    Id,
    Email,
    Bool,
    PageSize,
    PageNum,
    Statuses,
    Pattern(Pattern),
    Int {
        format: &'static str,
        min: Option<i64>,
        max: Option<i64>,
    },
    Text {
        min_len: Option<u64>,
        max_len: Option<u64>,
    },
    Date,
    DateTime,
    /// The values, and the component schema they come from (emitted once per file as a const).
    Enum {
        values: Vec<String>,
        schema: Option<String>,
    },
    Repeated {
        item: Box<Kind>,
        min_items: Option<u64>,
        max_items: Option<u64>,
        unique: bool,
    },
}

/// A spec tag as a Cargo feature: lower case, each run of other characters one `-`.
pub(crate) fn feature_name(tag: &str) -> String {
    let mut out = String::new();
    for c in tag.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// A spec tag as the Atlas CLI spells it: words split at spaces and lower-to-upper changes,
/// other characters dropped, lowerCamelCase (`MongoDB Cloud Users` -> `mongoDbCloudUsers`,
/// `X.509 Authentication` -> `x509Authentication`).
pub(crate) fn cli_tag(tag: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for part in tag.split_whitespace() {
        let mut word = String::new();
        let mut prev_lower = false;
        for c in part.chars().filter(char::is_ascii_alphanumeric) {
            if c.is_ascii_uppercase() && prev_lower {
                words.push(std::mem::take(&mut word));
            }
            prev_lower = c.is_ascii_lowercase();
            word.push(c);
        }
        if !word.is_empty() {
            words.push(word);
        }
    }
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        let lower = w.to_ascii_lowercase();
        let mut chars = lower.chars();
        match (i, chars.next()) {
            (0, _) => out.push_str(&lower),
            (_, Some(first)) => {
                out.push(first.to_ascii_uppercase());
                out.extend(chars);
            }
            (_, None) => {}
        }
    }
    out
}

/// Every operation of the spec, by tag (sorted by name), each tag's by path then method.
pub(crate) fn tags(spec: &Value, overrides: &Overrides) -> Result<Vec<Tag>, String> {
    let paths = spec["paths"].as_object().ok_or("the spec has no paths")?;
    let mut by_tag: BTreeMap<String, Vec<Op>> = BTreeMap::new();
    let mut seen_overrides = BTreeSet::new();
    for (path, item) in paths {
        let item = item.as_object().ok_or_else(|| format!("{path}: not an object"))?;
        if let Some(key) = item.keys().find(|k| !METHODS.contains(&k.as_str())) {
            return Err(format!("{path}: `{key}` on a path item is not supported"));
        }
        for method in METHODS {
            let Some(op) = item.get(*method) else { continue };
            let id = str_of(op, "operationId").ok_or_else(|| format!("{method} {path}: no operationId"))?;
            let tags = op["tags"].as_array().map(Vec::as_slice).unwrap_or_default();
            let [tag] = tags else {
                return Err(format!("{id}: has {} tags, not one", tags.len()));
            };
            let tag = tag.as_str().ok_or_else(|| format!("{id}: a tag is not text"))?;
            let ov = overrides.get(id);
            if ov.is_some() {
                seen_overrides.insert(id.to_owned());
            }
            let built = operation(spec, path, method, op, id, ov).map_err(|e| format!("{id}: {e}"))?;
            by_tag.entry(tag.to_owned()).or_default().push(built);
        }
    }
    if let Some(stale) = overrides.keys().find(|k| !seen_overrides.contains(*k)) {
        return Err(format!("overrides.toml: [{stale}] names no operation of the spec"));
    }
    let mut names = BTreeSet::new();
    for op in by_tag.values().flatten() {
        for name in std::iter::once(&op.id).chain(&op.aliases) {
            if !names.insert(name.clone()) {
                return Err(format!("the name {name} is used by two operations"));
            }
        }
    }
    let mut tags: Vec<Tag> = by_tag
        .into_iter()
        .map(|(name, ops)| Tag {
            feature: feature_name(&name),
            module: feature_name(&name).replace('-', "_"),
            cli: cli_tag(&name),
            name,
            ops,
        })
        .collect();
    tags.sort_by(|a, b| a.feature.cmp(&b.feature));
    let features: BTreeSet<&str> = tags.iter().map(|t| t.feature.as_str()).collect();
    if features.len() != tags.len() || features.contains("full") || features.contains("preview") {
        return Err("two tags share a feature name, or one is `full` or `preview`".to_owned());
    }
    Ok(tags)
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Follows a `$ref` (`#/components/<kind>/<name>`).
fn resolve<'a>(spec: &'a Value, v: &'a Value) -> Result<&'a Value, String> {
    match str_of(v, "$ref") {
        None => Ok(v),
        Some(r) => {
            let pointer = r.strip_prefix('#').ok_or_else(|| format!("external $ref {r}"))?;
            spec.pointer(pointer).ok_or_else(|| format!("dangling $ref {r}"))
        }
    }
}

/// The property names of a schema, `$ref`s followed and `allOf` merged.
fn properties(spec: &Value, schema: &Value, depth: usize) -> Result<BTreeSet<String>, String> {
    if depth > 32 {
        return Err("schema nesting too deep".to_owned());
    }
    let schema = resolve(spec, schema)?;
    let mut out: BTreeSet<String> =
        schema["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default();
    for part in schema["allOf"].as_array().map(Vec::as_slice).unwrap_or_default() {
        out.extend(properties(spec, part, depth + 1)?);
    }
    Ok(out)
}

/// `application/vnd.atlas.<version>+<suffix>` -> (version, suffix).
fn media_type(mt: &str) -> Result<(String, String), String> {
    let rest = mt.strip_prefix("application/vnd.atlas.").ok_or_else(|| format!("media type {mt} is not versioned"))?;
    let (version, suffix) = rest.split_once('+').ok_or_else(|| format!("media type {mt} has no suffix"))?;
    if !KNOWN_VERSIONS.contains(&version) {
        return Err(format!(
            "API version {version} is new: add an ApiVersion constant for it (core/src/validate.rs) and list it in KNOWN_VERSIONS"
        ));
    }
    Ok((version.to_owned(), suffix.to_owned()))
}

fn operation(
    spec: &Value,
    path: &str,
    method: &str,
    op: &Value,
    id: &str,
    ov: Option<&Override>,
) -> Result<Op, String> {
    // Success answers: statuses, versions, body kind, sunsets, preview.
    let responses = op["responses"].as_object().ok_or("no responses")?;
    let mut statuses = Vec::new();
    let mut versions = BTreeSet::new();
    let mut by_status: Vec<(u16, BTreeSet<String>)> = Vec::new();
    let mut sunsets: BTreeMap<String, String> = BTreeMap::new();
    let mut preview = None;
    let mut json = false;
    let mut bytes = BTreeSet::new();
    let mut page_shaped = false;
    let mut note = |version: &str, media: &Value| -> Result<(), String> {
        if let Some(date) = str_of(media, "x-sunset") {
            if sunsets.insert(version.to_owned(), date.to_owned()).is_some_and(|d| d != date) {
                return Err(format!("two sunset dates for {version}"));
            }
        }
        if let Some(p) = media.get("x-xgen-preview") {
            let public = match str_of(p, "public") {
                None => None,
                Some("true") => Some(true),
                Some("false") => Some(false),
                Some(other) => return Err(format!("x-xgen-preview.public is {other}")),
            };
            preview = Some((str_of(p, "name").map(str::to_owned), public));
        }
        Ok(())
    };
    for (code, response) in responses {
        if !code.starts_with('2') {
            continue;
        }
        let status: u16 = code.parse().map_err(|_| format!("status {code}"))?;
        let response = resolve(spec, response)?;
        let content = response["content"].as_object().ok_or_else(|| format!("{code} has no content"))?;
        let mut these = BTreeSet::new();
        for (mt, media) in content {
            let (version, suffix) = media_type(mt)?;
            let has_schema = media.get("schema").is_some();
            match (suffix.as_str(), has_schema) {
                ("json", true) => {
                    json = true;
                    let props = properties(spec, &media["schema"], 0)?;
                    page_shaped |= props.contains("results") && props.contains("totalCount");
                }
                ("json", false) => {}
                (_, true) => {
                    bytes.insert(suffix);
                }
                (_, false) => return Err(format!("{mt} without a schema")),
            }
            note(&version, media)?;
            these.insert(version.clone());
            versions.insert(version);
        }
        statuses.push(status);
        by_status.push((status, these));
    }
    statuses.sort_unstable();
    if statuses.is_empty() {
        return Err("no success status".to_owned());
    }
    // The request body: the same versions as the answers.
    let body = op.get("requestBody").map(|b| resolve(spec, b)).transpose()?;
    if let Some(b) = body {
        let content = b["content"].as_object().ok_or("request body without content")?;
        let mut body_versions = BTreeSet::new();
        for (mt, media) in content {
            let (version, suffix) = media_type(mt)?;
            if suffix != "json" {
                return Err(format!("request media type {mt}"));
            }
            note(&version, media)?;
            body_versions.insert(version);
        }
        if body_versions != versions {
            return Err("the request body's versions differ from the answer's".to_owned());
        }
    }
    let versions: Vec<String> = versions.into_iter().collect();
    let default = versions.iter().rev().find(|v| *v != "preview").or(versions.last()).cloned().unwrap_or_default();
    let success = by_status.iter().filter(|(_, v)| v.contains(&default)).map(|(s, _)| *s).min().unwrap_or(statuses[0]);
    let output = match (json, bytes.len()) {
        (_, n) if n > 1 => return Err(format!("several download media types: {bytes:?}")),
        (false, 0) => Output::Empty,
        (true, 0) => Output::Json,
        (false, _) => Output::Bytes(bytes.into_iter().next().unwrap_or_default()),
        (true, _) => Output::JsonOrBytes(bytes.into_iter().next().unwrap_or_default()),
    };
    if preview.is_some() != versions.iter().any(|v| v == "preview") {
        return Err("x-xgen-preview and the preview version disagree".to_owned());
    }

    // Parameters.
    let mut envelope = false;
    let mut pretty = false;
    let mut path_params = Vec::new();
    let mut others = Vec::new();
    let default_overrides = Override::default();
    let ov_or_default = ov.unwrap_or(&default_overrides);
    let mut used_since = BTreeSet::new();
    let mut used_kind = BTreeSet::new();
    for p in op["parameters"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let p = resolve(spec, p)?;
        let name = str_of(p, "name").ok_or("a parameter without a name")?;
        let location = match str_of(p, "in") {
            Some("path") => "Path",
            Some("query") => "Query",
            Some("header") => "Header",
            other => return Err(format!("{name}: parameter in {other:?}")),
        };
        if location == "Query" && name == "envelope" {
            envelope = true;
            continue;
        }
        if location == "Query" && name == "pretty" {
            pretty = true;
            continue;
        }
        // Deprecated parameters are not offered (as the hand-written rows never did).
        if p["deprecated"] == true {
            continue;
        }
        let schema = resolve(spec, &p["schema"])?;
        let kind = match ov_or_default.kind.get(name) {
            Some(k) if k == "Id" => {
                used_kind.insert(name.to_owned());
                Kind::Id
            }
            Some(other) => return Err(format!("overrides.toml: kind {other} for {name} is not supported (only Id)")),
            None => kind(spec, name, schema).map_err(|e| format!("{name}: {e}"))?,
        };
        let since = ov_or_default.since.get(name).cloned();
        if let Some(v) = &since {
            used_since.insert(name.to_owned());
            if !KNOWN_VERSIONS.contains(&v.as_str()) {
                return Err(format!("overrides.toml: since {v} for {name} is not a known version"));
            }
        } else if str_of(p, "description").unwrap_or_default().contains("Not supported in deprecated versions") {
            return Err(format!(
                "{name} is \"Not supported in deprecated versions\": say since which version in overrides.toml"
            ));
        }
        let param = Param {
            name: name.to_owned(),
            location,
            kind,
            required: location == "Path" || p["required"] == true,
            since,
        };
        if location == "Path" { path_params.push(param) } else { others.push(param) }
    }
    for (what, names, given) in
        [("since", &used_since, &ov_or_default.since), ("kind", &used_kind, &ov_or_default.kind)]
    {
        if let Some(stale) = given.keys().find(|k| !names.contains(*k)) {
            return Err(format!("overrides.toml: {what} of {stale}, which is not one of its parameters"));
        }
    }
    // Path parameters in template order.
    let mut params = Vec::new();
    for placeholder in path.split('{').skip(1).filter_map(|s| s.split('}').next()) {
        let i = path_params
            .iter()
            .position(|p: &Param| p.name == placeholder)
            .ok_or_else(|| format!("no parameter for {{{placeholder}}}"))?;
        params.push(path_params.remove(i));
    }
    if let Some(extra) = path_params.first() {
        return Err(format!("path parameter {} is not in the path", extra.name));
    }
    params.extend(others);
    let has = |n: &str| params.iter().any(|p| p.name == n && p.location == "Query");
    let paginated = page_shaped && has("pageNum") && has("itemsPerPage");

    let alias = str_of(op, "x-xgen-operation-id-override").filter(|a| *a != id);
    let auth = !matches!(op.get("security"), Some(Value::Array(a)) if a.is_empty());
    Ok(Op {
        id: id.to_owned(),
        aliases: alias.into_iter().map(str::to_owned).collect(),
        summary: match &ov_or_default.summary {
            Some(s) => s.clone(),
            None => str_of(op, "summary").ok_or("no summary")?.to_owned(),
        },
        method: method.to_ascii_uppercase(),
        path: path.to_owned(),
        params,
        body: body.is_some(),
        body_required: body.is_some_and(|b| b["required"] == true),
        versions,
        success,
        statuses,
        envelope,
        pretty,
        idempotent: ov_or_default.idempotent.unwrap_or(method != "post"),
        paginated,
        output,
        sunsets: sunsets.into_iter().collect(),
        deprecated: op["deprecated"] == true,
        preview,
        roles: op["x-rolesRequirements"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default(),
        docs_url: str_of(op, "x-xgen-docs-url").ok_or("no x-xgen-docs-url")?.to_owned(),
        auth,
    })
}

fn u64_of(schema: &Value, key: &str) -> Option<u64> {
    schema.get(key).and_then(Value::as_u64)
}

/// The kind of a parameter's schema.
fn kind(spec: &Value, name: &str, schema: &Value) -> Result<Kind, String> {
    let format = str_of(schema, "format");
    let known_statuses = ["PENDING", "ACTIVE", "INVITATION_EXPIRED", "INVITATION_REJECTED"];
    Ok(match str_of(schema, "type") {
        Some("boolean") => Kind::Bool,
        // (A `pattern` on an integer means nothing in JSON Schema: it applies to strings.)
        Some("integer") => {
            let min = schema.get("minimum").and_then(Value::as_i64);
            let max = schema.get("maximum").and_then(Value::as_i64);
            match (name, format, min, max) {
                ("itemsPerPage", None, Some(1), Some(500)) => Kind::PageSize,
                ("pageNum", None, Some(1), None) => Kind::PageNum,
                _ => Kind::Int {
                    format: match format {
                        None => "Any",
                        Some("int32") => "Int32",
                        Some("int64") => "Int64",
                        Some(other) => return Err(format!("integer format {other}")),
                    },
                    min,
                    max,
                },
            }
        }
        Some("string") => {
            if let Some(values) = schema.get("enum") {
                Kind::Enum { values: enum_values(values)?, schema: None }
            } else if let Some(pattern) = str_of(schema, "pattern") {
                if pattern == HEX24 {
                    Kind::Id
                } else {
                    Kind::Pattern(
                        Pattern::from_regex(pattern).ok_or_else(|| {
                            format!("pattern {pattern} has no matcher: add one to core/src/pattern.rs")
                        })?,
                    )
                }
            } else {
                match format {
                    Some("email") => Kind::Email,
                    Some("date") => Kind::Date,
                    Some("date-time") => Kind::DateTime,
                    None => Kind::Text { min_len: u64_of(schema, "minLength"), max_len: u64_of(schema, "maxLength") },
                    Some(other) => return Err(format!("string format {other}")),
                }
            }
        }
        Some("array") => {
            let items = &schema["items"];
            let item_values: Option<Vec<&str>> =
                items["enum"].as_array().map(|v| v.iter().filter_map(Value::as_str).collect());
            if name == "orgMembershipStatuses"
                && item_values.as_deref() == Some(known_statuses.as_slice())
                && u64_of(schema, "maxItems") == Some(4)
            {
                Kind::Statuses
            } else {
                let item = match str_of(items, "$ref") {
                    Some(r) => Kind::Enum {
                        values: named_enum(spec, items)?,
                        schema: Some(r.rsplit('/').next().unwrap_or(r).to_owned()),
                    },
                    None => kind(spec, name, items)?,
                };
                if matches!(item, Kind::Repeated { .. } | Kind::Statuses) {
                    return Err("an array of arrays".to_owned());
                }
                Kind::Repeated {
                    item: Box::new(item),
                    min_items: u64_of(schema, "minItems"),
                    max_items: u64_of(schema, "maxItems"),
                    unique: schema["uniqueItems"] == true,
                }
            }
        }
        other => return Err(format!("schema type {other:?}")),
    })
}

fn enum_values(values: &Value) -> Result<Vec<String>, String> {
    values
        .as_array()
        .ok_or("enum is not a list")?
        .iter()
        .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| format!("enum value {v} is not text")))
        .collect()
}

/// The values of a component enum, or of a `oneOf` of enums (their union, first seen first).
fn named_enum(spec: &Value, schema: &Value) -> Result<Vec<String>, String> {
    let schema = resolve(spec, schema)?;
    if let Some(values) = schema.get("enum") {
        return enum_values(values);
    }
    let parts = schema["oneOf"].as_array().ok_or("an array item that is neither an enum nor a oneOf of enums")?;
    let mut out: Vec<String> = Vec::new();
    for part in parts {
        for v in named_enum(spec, part)? {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    Ok(out)
}

/// `ApiVersion::V2023_01_01`, `ApiVersion::PREVIEW`.
pub(crate) fn version_const(version: &str) -> String {
    debug_assert!(ApiVersion::new(version).is_ok());
    if version == "preview" {
        "ApiVersion::PREVIEW".to_owned()
    } else {
        format!("ApiVersion::V{}", version.replace('-', "_"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_tags() {
        assert_eq!(feature_name("MongoDB Cloud Users"), "mongodb-cloud-users");
        assert_eq!(feature_name("X.509 Authentication"), "x-509-authentication");
        assert_eq!(cli_tag("MongoDB Cloud Users"), "mongoDbCloudUsers");
        assert_eq!(cli_tag("X.509 Authentication"), "x509Authentication");
        assert_eq!(cli_tag("AWS Clusters DNS"), "awsClustersDns");
    }
}
