//! Rust text for `core/src/ops/gen/`: per tag, the catalog entry (`Endpoint`) of every
//! operation and one typed operation for each operation the hand-written table of `ops` does
//! not type; plus the list of those types ([`GENERATED`]), their re-exports and their aliases.
//!
//! A typed operation wraps a `Custom` made from its entry, so the code per operation stays a
//! constructor (the path parameters and required query ones), one setter per optional query or
//! header parameter typed by its kind, `body`, `api_version`, `envelope`/`pretty` where the spec
//! lists them, and one `typed_operation!` line for the trait impls.
//!
//! [`GENERATED`]: ../../src/ops/gen/mod.rs

use crate::emit::{self, Consts};
use crate::model::{Kind, Op, Output, Tag, version_const};
use crate::schemas::{self, Models};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Names `atlas_admin_core::ops` already holds besides operation types: no alias takes one.
const OPS_NAMES: &[&str] =
    &["Custom", "CustomOutput", "Described", "ResponseFormat", "FromArgs", "Visitor", "RawArgs", "ALL", "GENERATED"];

/// Methods every generated type has: a parameter setter called so is named `set_<name>`.
const METHODS: &[&str] = &["new", "body", "api_version", "envelope", "pretty", "into_download", "clone", "fmt"];

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "yield",
];

/// What the Rust type of a schema depends on: the spec, the models (`crate::schemas`) and the
/// feature of the tag whose module uses it.
pub(crate) struct Types<'a> {
    pub(crate) spec: &'a Value,
    pub(crate) models: &'a Models,
    pub(crate) feature: &'a str,
}

/// The Rust type of a spec schema (a request body, an answer, a list's item): its model
/// ([`schemas::rust_type`]) where one is compiled with the tag's feature, else (no schema, an
/// inline one, or a model of other tags only) a `serde_json::Value`.
pub(crate) fn schema_type(types: &Types<'_>, schema: Option<&Value>) -> String {
    let value = || "serde_json::Value".to_owned();
    let Some(schema) = schema else { return value() };
    match schemas::rust_type(types.models, types.spec, schema) {
        Ok(t) if t.features.is_empty() || t.features.iter().any(|f| f == types.feature) => t.expr,
        _ => value(),
    }
}

/// `listGroupClusters` -> `ListGroupClusters`.
pub(crate) fn type_name(id: &str) -> String {
    let mut chars = id.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// `listGroupClusters` -> `LIST_GROUP_CLUSTERS` (the entry's const).
fn const_name(id: &str) -> String {
    snake(id).to_ascii_uppercase()
}

/// `itemsPerPage` -> `items_per_page`, `If-Match` -> `if_match`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower {
                out.push('_');
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c.to_ascii_lowercase());
        } else {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// A Rust identifier for a parameter (raw where it is a keyword).
fn ident(name: &str) -> String {
    let s = snake(name);
    if KEYWORDS.contains(&s.as_str()) { format!("r#{s}") } else { s }
}

/// Spec text as one doc line: the first sentence, with what rustdoc would read as a link or
/// HTML escaped and bare URLs wrapped.
fn doc_text(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let first = match flat.find(". ") {
        Some(end) => flat.get(..=end).unwrap_or(&flat).to_owned(),
        None => flat,
    };
    first
        .split(' ')
        .map(|w| {
            if w.starts_with("http://") || w.starts_with("https://") {
                let url = w.trim_end_matches(['.', ',', ')', ';']);
                let rest = w.get(url.len()..).unwrap_or_default();
                format!("<{url}>{rest}")
            } else {
                w.replace('\\', "\\\\")
                    .replace('[', "\\[")
                    .replace(']', "\\]")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('`', "'")
                    .replace('*', "\\*")
                    .replace('_', "\\_")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The spec's operation object of `op`.
fn spec_op<'a>(spec: &'a Value, op: &Op) -> &'a Value {
    &spec["paths"][&op.path][op.method.to_ascii_lowercase()]
}

/// Follows a local `$ref`.
fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => spec.pointer(pointer).unwrap_or(&Value::Null),
        None => v,
    }
}

/// The description of parameter `name` of `op` in the spec.
fn param_description(spec: &Value, op: &Op, name: &str) -> String {
    let params = spec_op(spec, op)["parameters"].as_array().map(Vec::as_slice).unwrap_or_default();
    params
        .iter()
        .map(|p| resolve(spec, p))
        .find(|p| p["name"] == name)
        .and_then(|p| p["description"].as_str())
        .map(doc_text)
        .unwrap_or_default()
}

/// The schema of the JSON media type of `op`'s default version in `content` (a request body's
/// or a success answer's).
fn json_schema<'a>(content: &'a Value, op: &Op) -> Option<&'a Value> {
    let version = default_version(op);
    let media = content.get(format!("application/vnd.atlas.{version}+json"));
    let media = media.or_else(|| content.as_object()?.iter().find(|(k, _)| k.ends_with("+json")).map(|(_, v)| v));
    media?.get("schema")
}

/// The newest version that is not `preview` (`preview` for a preview-only operation).
fn default_version(op: &Op) -> &str {
    op.versions.iter().rev().find(|v| *v != "preview").or(op.versions.last()).map_or("", String::as_str)
}

/// The request body's schema.
fn body_schema<'a>(spec: &'a Value, op: &Op) -> Option<&'a Value> {
    json_schema(&resolve(spec, &spec_op(spec, op)["requestBody"])["content"], op)
}

/// The success answer's schema.
fn answer_schema<'a>(spec: &'a Value, op: &Op) -> Option<&'a Value> {
    let responses = spec_op(spec, op)["responses"].as_object()?;
    responses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .find_map(|(_, r)| json_schema(&resolve(spec, r)["content"], op))
}

/// The JSON schemas `version` of `op` sends and answers: the request body's, then each success
/// status's (`None` where it has none in that version), compared as the spec writes them.
fn version_schemas<'a>(spec: &'a Value, op: &Op, version: &str) -> Vec<Option<&'a Value>> {
    let media = format!("application/vnd.atlas.{version}+json");
    let o = spec_op(spec, op);
    let schema = |r: &'a Value| resolve(spec, r)["content"].get(&media).and_then(|m| m.get("schema"));
    let mut out = vec![schema(&o["requestBody"])];
    if let Some(responses) = o["responses"].as_object() {
        out.extend(responses.iter().filter(|(code, _)| code.starts_with('2')).map(|(_, r)| schema(r)));
    }
    out
}

/// The versions whose request and answer schemas are the default version's: the ones a typed
/// operation (its body and output are the default's) may be sent in.
fn typed_versions<'a>(spec: &Value, op: &'a Op) -> Vec<&'a String> {
    let default = version_schemas(spec, op, default_version(op));
    op.versions.iter().filter(|v| version_schemas(spec, op, v) == default).collect()
}

/// Whether the default version answers one success status with a schema and another without
/// (e.g. 200 with a body, 204 empty): then the output is an `Option`, `None` when empty.
fn maybe_empty(spec: &Value, op: &Op) -> bool {
    let answers = version_schemas(spec, op, default_version(op)).split_off(1);
    answers.iter().any(Option::is_some) && answers.iter().any(Option::is_none)
}

/// The item schema of a paginated answer (`results.items`), `allOf` parts looked into.
fn item_schema<'a>(spec: &'a Value, schema: &'a Value, depth: usize) -> Option<&'a Value> {
    let schema = resolve(spec, schema);
    if let Some(items) = schema["properties"]["results"].get("items") {
        return Some(items);
    }
    if depth > 8 {
        return None;
    }
    schema["allOf"].as_array()?.iter().find_map(|part| item_schema(spec, part, depth + 1))
}

/// How the answer of `op` is typed: (the `Custom` it wraps, its output type, the decoder,
/// the page item type if it is a list).
fn answer(types: &Types<'_>, op: &Op) -> (&'static str, String, &'static str, Option<String>) {
    let spec = types.spec;
    if op.paginated {
        let item = answer_schema(spec, op).and_then(|s| item_schema(spec, s, 0));
        let item = schema_type(types, item);
        return ("Custom<Page<serde_json::Value>>", format!("Page<{item}>"), "decode_json", Some(item));
    }
    match op.output {
        Output::Empty => ("Custom", "()".to_owned(), "decode_empty", None),
        Output::Bytes(_) => ("Custom<Vec<u8>>", "Vec<u8>".to_owned(), "decode_bytes", None),
        Output::Json | Output::JsonOrBytes(_) => {
            let model = schema_type(types, answer_schema(spec, op));
            let out = if maybe_empty(spec, op) { format!("Option<{model}>") } else { model };
            ("Custom", out, "decode_json", None)
        }
    }
}

/// The argument type of a parameter of `kind` and how to hand its value(s) to `Custom::set`.
fn arg(kind: &Kind, var: &str) -> (String, String) {
    match kind {
        Kind::Bool => ("bool".to_owned(), format!("[{var}]")),
        Kind::PageSize | Kind::PageNum => ("u32".to_owned(), format!("[{var}]")),
        Kind::Int { format: "Int32", .. } => ("i32".to_owned(), format!("[{var}]")),
        Kind::Int { .. } => ("i64".to_owned(), format!("[{var}]")),
        Kind::Statuses => (
            "impl IntoIterator<Item = impl AsRef<str>>".to_owned(),
            format!("{var}.into_iter().map(|v| v.as_ref().to_owned())"),
        ),
        Kind::Repeated { item, .. } => match item.as_ref() {
            Kind::Bool | Kind::PageSize | Kind::PageNum | Kind::Int { .. } => {
                let (one, _) = arg(item, var);
                (format!("impl IntoIterator<Item = {one}>"), var.to_owned())
            }
            _ => (
                "impl IntoIterator<Item = impl AsRef<str>>".to_owned(),
                format!("{var}.into_iter().map(|v| v.as_ref().to_owned())"),
            ),
        },
        _ => ("impl AsRef<str>".to_owned(), format!("[{var}.as_ref()]")),
    }
}

/// What the values of a kind are, for a setter's doc.
fn kind_doc(kind: &Kind) -> String {
    match kind {
        Kind::Id => "24 hexadecimal digits".to_owned(),
        Kind::Email => "an e-mail address".to_owned(),
        Kind::Bool => "true or false".to_owned(),
        Kind::PageSize => "1 to 500".to_owned(),
        Kind::PageNum => "at least 1".to_owned(),
        Kind::Statuses => "organization membership statuses, repeatable".to_owned(),
        Kind::Pattern(_) => "text matching the spec's pattern".to_owned(),
        Kind::Int { min, max, .. } => match (min, max) {
            (Some(a), Some(b)) => format!("{a} to {b}"),
            (Some(a), None) => format!("at least {a}"),
            (None, Some(b)) => format!("at most {b}"),
            (None, None) => "an integer".to_owned(),
        },
        Kind::Text { .. } => "text".to_owned(),
        Kind::Date => "a date, `YYYY-MM-DD`".to_owned(),
        Kind::DateTime => "an RFC 3339 date and time".to_owned(),
        Kind::Enum { values, .. } => {
            let shown: Vec<String> = values.iter().take(6).map(|v| format!("`{v}`")).collect();
            let more = if values.len() > 6 { format!(" (or one of {} more)", values.len() - 6) } else { String::new() };
            format!("one of {}{more}", shown.join(", "))
        }
        Kind::Repeated { item, .. } => format!("any number of: {}", kind_doc(item)),
    }
}

/// The names taken by aliases: alias -> the type it names, for every alias that clashes with
/// no other name; and the clashes skipped (alias, why).
pub(crate) fn aliases(tags: &[Tag], typed: &BTreeSet<String>) -> (BTreeMap<String, String>, Vec<(String, String)>) {
    let ops: Vec<&Op> = tags.iter().flat_map(|t| &t.ops).collect();
    let mut taken: BTreeSet<String> = ops.iter().map(|o| type_name(&o.id)).collect();
    taken.extend(OPS_NAMES.iter().map(|s| (*s).to_owned()));
    let mut wanted: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for op in ops.iter().filter(|o| !typed.contains(&o.id)) {
        for alias in &op.aliases {
            let name = type_name(alias);
            if name != type_name(&op.id) {
                wanted.entry(name).or_default().push(type_name(&op.id));
            }
        }
    }
    let mut out = BTreeMap::new();
    let mut skipped = Vec::new();
    for (alias, targets) in wanted {
        match targets.as_slice() {
            [target] if !taken.contains(&alias) => {
                out.insert(alias, target.clone());
            }
            [_] => skipped.push((alias, "is another operation's or item's name".to_owned())),
            _ => skipped.push((alias, format!("names {} operations", targets.len()))),
        }
    }
    (out, skipped)
}

/// The `cfg` of what a typed operation of `tag` needs (its preview-only ones need `preview`).
fn cfg(tag: &Tag, op: &Op) -> String {
    match op.preview_only() {
        true => format!("#[cfg(all(feature = \"{}\", feature = \"preview\"))]", tag.feature),
        false => format!("#[cfg(feature = \"{}\")]", tag.feature),
    }
}

/// One typed operation (the tag module is compiled only with the tag's feature).
fn operation(types: &Types<'_>, tag: &Tag, op: &Op, aliases: &BTreeMap<String, String>) -> String {
    let spec = types.spec;
    let name = type_name(&op.id);
    let entry = const_name(&op.id);
    let preview = if op.preview_only() { "#[cfg(feature = \"preview\")]\n" } else { "" };
    let (inner, out, decode, item) = answer(types, op);
    let mut s = String::new();
    let _ = writeln!(s, "/// `{}`: {}", op.id, doc_text(&op.summary));
    let _ = writeln!(
        s,
        "///\n/// `{} {}` (tag `{}`; its catalog entry is [`Operation::ENDPOINT`](crate::Operation::ENDPOINT)).",
        op.method, op.path, tag.cli
    );
    match op.output {
        Output::Empty => s.push_str("/// Answers nothing (`()`).\n"),
        Output::Bytes(ref suffix) => {
            let _ = writeln!(s, "/// Answers the bytes of a `+{suffix}` download.");
        }
        Output::JsonOrBytes(ref suffix) => {
            let _ = writeln!(
                s,
                "/// Answers JSON; [`into_download`](Self::into_download) asks for the `+{suffix}` bytes instead."
            );
        }
        Output::Json => {}
    }
    if op.paginated {
        s.push_str("/// A paginated list ([`Paginated`](crate::paginate::Paginated)): `client.all(op)` and `client.pages(op)` walk every page.\n");
    }
    if !op.idempotent && op.method == "POST" {
        s.push_str("/// Not idempotent: not retried once the request may have reached Atlas.\n");
    }
    if op.deprecated {
        s.push_str("/// Deprecated by Atlas.\n");
    }
    if op.preview_only() {
        s.push_str("/// Preview-only (feature `preview`).\n");
    }
    let mine: Vec<&String> = aliases.iter().filter(|(_, t)| **t == name).map(|(a, _)| a).collect();
    if !mine.is_empty() {
        let list: Vec<String> = mine.iter().map(|a| format!("[`{a}`]")).collect();
        let _ = writeln!(s, "/// Also called {} (the SDK and Atlas CLI name).", list.join(", "));
    }
    if !op.docs_url.is_empty() {
        let _ = writeln!(s, "///\n/// <{}>", op.docs_url);
    }
    let _ = writeln!(s, "{preview}#[derive(Clone, Debug)]\npub struct {name}({inner});\n");

    // The constructor: path parameters, then required query and header ones.
    let required = constructor_params(op);
    let mut args = Vec::new();
    let mut sets = Vec::new();
    let mut docs = Vec::new();
    for p in &required {
        let var = ident(&p.name);
        docs.push(format!(
            "/// - `{var}`: `{}` ({}): {}",
            p.name,
            kind_doc(&p.kind),
            param_description(spec, op, &p.name)
        ));
        if p.location == "Path" {
            args.push(format!("{var}: impl AsRef<str>"));
            sets.push(format!(".path_param({:?}, {var})?", p.name));
        } else {
            let (ty, values) = arg(&p.kind, &var);
            args.push(format!("{var}: {ty}"));
            sets.push(format!(".set({:?}, {values})?", p.name));
        }
    }
    let convert = match (op.paginated, &op.output) {
        (true, _) => ".paginated()?",
        (false, Output::Bytes(_)) => ".into_download()?",
        _ => "",
    };
    let _ = writeln!(s, "{preview}impl {name} {{");
    s.push_str("/// The operation, each argument checked by the spec's rules (an invalid one is an [`InvalidInput`] naming it); nothing is sent.\n");
    if !docs.is_empty() {
        s.push_str("///\n");
        for d in &docs {
            let _ = writeln!(s, "{d}");
        }
    }
    let _ = writeln!(
        s,
        "#[inline]\npub fn new({}) -> Result<Self, InvalidInput> {{\nOk(Self(Custom::for_endpoint(&{entry})?{convert}{}))\n}}\n",
        args.join(", "),
        sets.join("")
    );
    for p in op.params.iter().filter(|p| p.location != "Path" && !p.required) {
        let method = setter(&p.name);
        let (ty, values) = arg(&p.kind, "value");
        let place = if p.location == "Header" { "header" } else { "query parameter" };
        let _ = writeln!(
            s,
            "/// Sets the `{}` {place} ({}): {}",
            p.name,
            kind_doc(&p.kind),
            param_description(spec, op, &p.name)
        );
        if let Some(since) = &p.since {
            let _ = writeln!(s, "///\n/// Honoured from API version {since} on (refused with an older one).");
        }
        let _ = writeln!(
            s,
            "#[inline]\npub fn {method}(self, value: {ty}) -> Result<Self, InvalidInput> {{\nself.0.set({:?}, {values}).map(Self)\n}}\n",
            p.name
        );
    }
    if op.body {
        let body = schema_type(types, body_schema(spec, op));
        let need = if op.body_required { "required" } else { "optional" };
        let _ = writeln!(
            s,
            "/// Sets the JSON request body ({need}).\n#[inline]\npub fn body(self, body: &{body}) -> Result<Self, InvalidInput> {{\nself.0.json(body).map(Self)\n}}\n"
        );
    }
    let typed = typed_versions(spec, op);
    let versions: Vec<String> = typed.iter().map(|v| format!("`{v}`")).collect();
    let consts: Vec<String> = typed.iter().map(|v| format!("{}{}", emit::preview_cfg(v), version_const(v))).collect();
    let _ = writeln!(
        s,
        "/// The API versions this type may be sent in: the ones whose request and answer schemas are the default version's (`{}`), which its body and output are. Another version the spec lists is called through `catalog::call({:?})` or a [`Custom`].\npub const TYPED_VERSIONS: &'static [ApiVersion] = &[{}];\n",
        default_version(op),
        op.id,
        consts.join(", ")
    );
    let _ = writeln!(
        s,
        "/// Sends the call in API version `version` (by default `{}`): refused unless it is one of {} (also checked when a client-wide version is sent).\n#[inline]\npub fn api_version(self, version: ApiVersion) -> Result<Self, InvalidInput> {{\ncheck_typed_version(&{entry}, Self::TYPED_VERSIONS, version)?;\nOk(Self(self.0.api_version(version)))\n}}\n",
        default_version(op),
        versions.join(", ")
    );
    if op.envelope {
        s.push_str("/// Asks Atlas to wrap the answer in `{\"status\", \"content\"}` (`envelope=true`); the result is unwrapped.\n#[inline]\npub fn envelope(self, on: bool) -> Self {\nSelf(self.0.envelope(on))\n}\n\n");
    }
    if op.pretty {
        s.push_str("/// Asks for pretty-printed JSON (`pretty=true`).\n#[inline]\npub fn pretty(self, on: bool) -> Self {\nSelf(self.0.pretty(on))\n}\n\n");
    }
    if matches!(op.output, Output::JsonOrBytes(_)) && !op.paginated {
        s.push_str("/// The same call answering the raw bytes of its download.\n#[inline]\npub fn into_download(self) -> Result<Custom<Vec<u8>>, InvalidInput> {\nself.0.into_download()\n}\n");
    }
    s.push_str("}\n\n");
    let page = item.map(|i| format!(", paginated: {i}")).unwrap_or_default();
    let _ = writeln!(s, "{preview}typed_operation!({name}, {entry}, {out}, {decode}{page});\n");
    for alias in mine {
        let _ = writeln!(s, "/// The SDK and Atlas CLI name of [`{name}`].\n{preview}pub type {alias} = {name};\n");
    }
    s
}

/// The constructor's parameters: the path ones, then the required query and header ones.
fn constructor_params(op: &Op) -> Vec<&crate::model::Param> {
    op.params.iter().filter(|p| p.location == "Path" || p.required).collect()
}

/// The setter of an optional parameter.
fn setter(name: &str) -> String {
    let method = ident(name);
    if METHODS.contains(&method.as_str()) { format!("set_{method}") } else { method }
}

/// The `Values` accessor of `core/tests/typed_operations.rs` giving a `kind` argument.
fn accessor(kind: &Kind) -> &'static str {
    match kind {
        Kind::Bool => "bool",
        Kind::PageSize | Kind::PageNum => "u32",
        Kind::Int { format: "Int32", .. } => "i32",
        Kind::Int { .. } => "i64",
        Kind::Statuses => "list",
        Kind::Repeated { item, .. } => match item.as_ref() {
            Kind::Int { format: "Int32", .. } => "list_i32",
            Kind::Int { .. } => "list_i64",
            _ => "list",
        },
        _ => "text",
    }
}

/// `core/tests/typed/cases.rs`: one call of the test's `Harness::check` per typed operation,
/// its constructor and every setter given the test's values (taken from the spec there).
pub(crate) fn test_cases(tags: &[Tag], typed: &BTreeSet<String>) -> String {
    let mut s = String::from(emit::HEADER);
    s.push_str(
        "//! One case per generated typed operation: built with every parameter, checked by `typed_operations.rs`.\n\n",
    );
    s.push_str("use super::Harness;\nuse atlas_admin_core::ops::*;\n\n/// Checks every generated operation.\npub(crate) fn run(h: &mut Harness) {\n");
    for op in tags.iter().flat_map(|t| &t.ops).filter(|o| !typed.contains(&o.id)) {
        let args: Vec<String> =
            constructor_params(op).iter().map(|p| format!("v.{}({:?})", accessor(&p.kind), p.name)).collect();
        let mut calls = vec![format!("{}::new({})", type_name(&op.id), args.join(", "))];
        for p in op.params.iter().filter(|p| p.location != "Path" && !p.required) {
            calls.push(format!(".{}(v.{}({:?}))", setter(&p.name), accessor(&p.kind), p.name));
        }
        if op.body {
            calls.push(".body(&v.body())".to_owned());
        }
        let chain = calls.join("?");
        let v = if chain.contains("v.") { "v" } else { "_v" };
        let _ = writeln!(s, "h.check({:?}, |{v}| {chain}, |op, version| op.api_version(version));", op.id);
    }
    s.push_str("}\n");
    s
}

/// `core/src/ops/gen/<module>.rs`: the tag's entries and typed operations.
pub(crate) fn tag_file(
    spec: &Value,
    models: &Models,
    tag: &Tag,
    typed: &BTreeSet<String>,
    aliases: &BTreeMap<String, String>,
) -> String {
    let types = Types { spec, models, feature: &tag.feature };
    let mut consts = Consts::new();
    let mut entries = String::new();
    let mut types_text = String::new();
    for op in &tag.ops {
        let preview = if op.preview_only() { "#[cfg(feature = \"preview\")]\n" } else { "" };
        let hand = typed.contains(&op.id);
        let (vis, what) = match hand {
            true => ("pub(crate) ", format!("typed by [`crate::ops::{}`]", type_name(&op.id))),
            false => ("", format!("[`{}`]", type_name(&op.id))),
        };
        let _ = writeln!(
            entries,
            "/// The catalog entry of `{}` ({what}).\n{preview}{vis}const {}: Endpoint = {};\n",
            op.id,
            const_name(&op.id),
            emit::endpoint(op, tag, &mut consts)
        );
        if !hand {
            types_text.push_str(&operation(&types, tag, op, aliases));
        }
    }
    let list: String = tag
        .ops
        .iter()
        .map(|op| {
            let preview = if op.preview_only() { "#[cfg(feature = \"preview\")] " } else { "" };
            format!("{preview}{},\n", const_name(&op.id))
        })
        .collect();
    let mut s = String::from(emit::HEADER);
    let typed_here = tag.ops.iter().filter(|o| !typed.contains(&o.id)).count();
    let _ = writeln!(
        s,
        "//! Tag `{}` (feature `{}`, CLI tag `{}`): the catalog entries of its {} operations, and a typed operation for each of the {typed_here} the table of `ops` does not type.\n",
        tag.name,
        tag.feature,
        tag.cli,
        tag.ops.len()
    );
    let body = format!("{entries}{types_text}");
    let mut uses = vec!["ApiVersion", "Endpoint", "Method", "Param", "ParamKind"];
    for (needle, name) in [
        ("IntFormat::", "IntFormat"),
        ("Pattern::", "Pattern"),
        ("Preview::", "Preview"),
        ("SuccessBody::", "SuccessBody"),
        ("Sunset::", "Sunset"),
        ("preview(", "preview"),
        ("Custom", "Custom"),
        ("InvalidInput", "InvalidInput"),
        ("Page<", "Page"),
        ("typed_operation!", "typed_operation"),
        ("check_typed_version(", "check_typed_version"),
    ] {
        if body.contains(needle) {
            uses.push(name);
        }
    }
    uses.sort_unstable();
    let _ = writeln!(s, "#[allow(unused_imports)]\nuse super::prelude::{{{}}};", uses.join(", "));
    if !consts.is_empty() {
        let _ = writeln!(s, "use super::enums::{{{}}};", consts.keys().cloned().collect::<Vec<_>>().join(", "));
    }
    let _ = writeln!(
        s,
        "\n/// Every operation of the tag, by path then method.\npub(crate) static ENDPOINTS: &[Endpoint] = &[\n{list}];\n"
    );
    s.push_str(&body);
    s
}

/// `core/src/ops/gen/mod.rs`: the tag modules, each behind its feature, their typed operations
/// re-exported, and [`GENERATED`](../../src/ops/gen/mod.rs).
pub(crate) fn gen_mod(tags: &[Tag], typed: &BTreeSet<String>, aliases: &BTreeMap<String, String>) -> String {
    let mut s = String::from(emit::HEADER);
    s.push_str(
        "//! One module per spec tag, each behind its Cargo feature: the catalog entry of every operation and a typed \
         operation for each one the table of `ops` does not type, re-exported by `ops`; and [`GENERATED`].\n\n",
    );
    s.push_str("// (The spec's descriptions, in the docs, hold Markdown links of bare URLs.)\n#![allow(rustdoc::bare_urls)]\n\n");
    s.push_str(
        "/// What the tag modules use (none is compiled by default).\n#[allow(unused_imports)]\nmod prelude {\n    \
         pub(super) use crate::ops::typed::{check_typed_version, preview, typed_operation};\n    \
         pub(super) use crate::ops::Custom;\n    \
         pub(super) use crate::{ApiVersion, Endpoint, IntFormat, InvalidInput, Page, Param, ParamKind, Pattern, Preview, SuccessBody, Sunset};\n    \
         pub(super) use http::Method;\n}\n\n",
    );
    s.push_str("mod enums;\n\n");
    let mut registry = String::new();
    for t in tags {
        let _ = writeln!(
            s,
            "#[cfg(feature = \"{f}\")]\npub(crate) mod {m};\n#[cfg(not(feature = \"{f}\"))]\npub(crate) mod {m} {{\n    pub(crate) static ENDPOINTS: &[crate::Endpoint] = &[];\n}}",
            f = t.feature,
            m = t.module
        );
        let mut plain = Vec::new();
        let mut preview = Vec::new();
        for op in t.ops.iter().filter(|o| !typed.contains(&o.id)) {
            let name = type_name(&op.id);
            let _ = writeln!(registry, "{} &<{}::{name} as crate::Operation>::ENDPOINT,", cfg(t, op), t.module);
            let names = std::iter::once(name.clone())
                .chain(aliases.iter().filter(|(_, target)| **target == name).map(|(a, _)| a.clone()));
            match op.preview_only() {
                true => preview.extend(names),
                false => plain.extend(names),
            }
        }
        for (names, guard) in [
            (plain, format!("feature = \"{}\"", t.feature)),
            (preview, format!("all(feature = \"{}\", feature = \"preview\")", t.feature)),
        ] {
            if !names.is_empty() {
                let _ = writeln!(s, "#[cfg({guard})]\npub use {}::{{{}}};", t.module, names.join(", "));
            }
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "/// The [`Endpoint`](crate::Endpoint) of every generated typed operation of this build (the enabled tags'; \
         preview-only ones with `preview`): each is its [`catalog`](crate::catalog) entry. With [`ALL`](super::ALL), \
         the hand-written ones, every catalog entry has exactly one typed operation.\npub static GENERATED: &[&crate::Endpoint] = &[\n{registry}];"
    );
    s
}

/// Adds the files of `core/src/ops/gen/` to `files` (path -> formatted content), and reports
/// the aliases emitted and the clashes skipped.
pub(crate) fn generate(
    root: &std::path::Path,
    spec: &Value,
    tags: &[Tag],
    models: &Models,
    files: &mut BTreeMap<std::path::PathBuf, String>,
) -> Result<(), String> {
    let typed: BTreeSet<String> = atlas_admin_core::ops::ALL.iter().map(|e| e.operation_id.to_owned()).collect();
    let (aliases, skipped) = aliases(tags, &typed);
    let dir = root.join("core/src/ops/gen");
    files.insert(dir.join("mod.rs"), crate::rustfmt(root, &gen_mod(tags, &typed, &aliases))?);
    files.insert(dir.join("enums.rs"), crate::rustfmt(root, &emit::enums_file(tags))?);
    for tag in tags {
        files.insert(
            dir.join(format!("{}.rs", tag.module)),
            crate::rustfmt(root, &tag_file(spec, models, tag, &typed, &aliases))?,
        );
    }
    files.insert(root.join("core/tests/typed/cases.rs"), crate::rustfmt(root, &test_cases(tags, &typed))?);
    let generated = tags.iter().flat_map(|t| &t.ops).filter(|o| !typed.contains(&o.id)).count();
    eprintln!("{generated} typed operations generated, {} aliases ({} skipped)", aliases.len(), skipped.len());
    for (alias, why) in skipped {
        eprintln!("  alias {alias} skipped: {why}");
    }
    Ok(())
}
