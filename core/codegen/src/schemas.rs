//! Models of every component schema reachable from an operation's request body or success
//! response (`core/src/schemas/gen/`): what each becomes in Rust is decided here, then written
//! as plain text.
//!
//! Decisions (the spec's facts in `/shared/full-api.md` §2.5, §2.9):
//! - a schema with properties (its `allOf` parts merged) is a struct; one with a
//!   `discriminator` a tagged union; a `oneOf`/`anyOf` of string enums one open enum; another
//!   `oneOf`/`anyOf` a union told apart by an enum property when the spec allows it, else tried
//!   in order; a string enum of two values or more an open enum; everything else (one-value
//!   enums, arrays, maps, primitives) a plain Rust type, not an item;
//! - models are read and written through `crate::schemas::Json` (small generated functions)
//!   instead of serde derives. Measured (2 cores shared with other builds; the core crate
//!   alone rebuilt, its dependencies built): `cargo build -p atlas-admin-core --features full`
//!   took 51.8 s and 52.4 s this way, 61.7 s with `#[derive(Serialize, Deserialize)]` and
//!   `#[serde(rename, default, skip_serializing_if)]` on the structs instead (enums and unions
//!   unchanged); without features 10.1 s. Then every generated function was marked
//!   `#[inline]`: a debug build compiles such a function to machine code only in a crate that
//!   calls it, so the models a user does not decode cost type checking only: 23.5 s;
//! - items are gated by the tags whose operations reach them; identical shapes are emitted
//!   once (the first by (inline, name) keeps the body, the others are aliases), the keeper
//!   gated by the union of its group's tags.

use crate::model::feature_name;
use crate::overrides::{SchemaOverrides, UnionOverrides};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

/// A Rust type of a model's field, variant or alias.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Ty {
    String,
    Secret,
    Bool,
    I32,
    I64,
    F64,
    Value,
    /// A generated item (its index).
    Named(usize),
    /// A hand-written type (overrides.toml).
    Path(String),
    Vec(Box<Ty>),
    Map(Box<Ty>),
}

/// A union's enum property and each member's values of it.
type Dispatch = (String, Vec<Vec<String>>);

/// Where a union finds its variant.
enum How {
    /// The discriminator property; each variant has one value, set on encoding.
    Tag(String),
    /// An enum property whose value sets are disjoint across the members.
    Values(String),
    /// The members that declare most of the body's fields first, then in the spec's order: the
    /// first that decodes.
    Try,
}

struct Variant {
    name: String,
    values: Vec<String>,
    ty: Ty,
    doc: Option<String>,
}

struct Field {
    json: String,
    rust: String,
    ty: Ty,
    required: bool,
    nullable: bool,
    /// The one value the spec allows (filled in by `new`).
    constant: Option<String>,
    boxed: bool,
    doc: Option<String>,
}

enum Kind {
    /// Not built yet (recursion in progress).
    Pending,
    Struct(Vec<Field>),
    Enum(Vec<String>),
    Union(How, Vec<Variant>),
}

struct Item {
    name: String,
    /// The spec's component name, or `None` for an inline schema.
    component: Option<String>,
    doc: Option<String>,
    kind: Kind,
}

/// A type expression of a model and the features that compile it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TypeRef {
    /// `crate::schemas::ClusterDescription20240805`, `Vec<crate::models::GroupInvitation>`, `bool`.
    pub(crate) expr: String,
    /// The features of which any compiles the type; empty: always compiled.
    pub(crate) features: Vec<String>,
}

impl TypeRef {
    /// `#[cfg(any(feature = "a", ...))]`, or nothing when always compiled.
    #[allow(dead_code)]
    pub(crate) fn cfg_attr(&self) -> String {
        cfg_of(&self.features)
    }
}

/// Every model: what `build` found, ready to emit.
pub(crate) struct Models {
    items: Vec<Item>,
    /// JSON pointer of every schema node visited -> its type.
    at: BTreeMap<String, Ty>,
    /// Item -> the item that holds the body of its shape (itself if it does).
    canon: Vec<usize>,
    /// Item -> the features that compile it.
    tags: Vec<BTreeSet<String>>,
    /// Hand-written types used instead of a schema, by component name.
    overrides: BTreeMap<String, String>,
    /// (union component, member) -> property -> the values a body of that member may hold
    /// (overrides.toml `[union]`).
    hints: BTreeMap<(String, String), BTreeMap<String, Vec<String>>>,
}

/// Names the generated items may not take (support types and the prelude, which the
/// generated files use unqualified).
const RESERVED: &[&str] = &[
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Value",
    "Map",
    "BTreeMap",
    "Nullable",
    "Json",
    "DecodeError",
    "Secret",
    "Self",
    "Some",
    "None",
    "Ok",
    "Err",
];

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait",
    "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// `UpperCamel` of a schema name or a value: words split at non-alphanumerics; a word in
/// capitals (`AWS`) becomes `Aws` only for values (`values`), names keep their case.
pub(crate) fn upper_camel(text: &str, values: bool) -> String {
    let mut out = String::new();
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        let Some(first) = chars.next() else { continue };
        out.push(first.to_ascii_uppercase());
        let rest: String = chars.collect();
        let all_caps = word.chars().all(|c| !c.is_ascii_lowercase());
        if values && all_caps { out.push_str(&rest.to_ascii_lowercase()) } else { out.push_str(&rest) }
    }
    if out.is_empty() {
        return "Empty".to_owned();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// `snake_case` of a property name, a valid field identifier.
pub(crate) fn snake(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if (prev.is_ascii_lowercase() || prev.is_ascii_digit() || (prev.is_ascii_uppercase() && next_lower))
                && !out.ends_with('_')
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    let out = out.trim_matches('_').to_owned();
    match out.as_str() {
        "" => "value".to_owned(),
        "self" | "super" | "crate" => format!("{out}_"),
        _ if out.starts_with(|c: char| c.is_ascii_digit()) => format!("v_{out}"),
        _ if KEYWORDS.contains(&out.as_str()) => format!("r#{out}"),
        _ => out,
    }
}

/// Whether a type holds raw JSON itself (not through a generated item): its `Debug` goes
/// through `Masked`, which hides the values of secret-named keys.
fn raw_json(ty: &Ty) -> bool {
    match ty {
        Ty::Value => true,
        Ty::Vec(t) | Ty::Map(t) => raw_json(t),
        _ => false,
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A JSON pointer token (`/` and `~` escaped).
fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn string_values(s: &Value) -> Option<Vec<String>> {
    s.get("enum")?.as_array()?.iter().map(|v| v.as_str().map(str::to_owned)).collect()
}

/// Features as a `cfg` attribute (nothing when always compiled).
fn cfg_of(features: &[String]) -> String {
    match features {
        [] => String::new(),
        [one] => format!("#[cfg(feature = \"{one}\")]\n"),
        many => format!(
            "#[cfg(any({}))]\n",
            many.iter().map(|f| format!("feature = \"{f}\"")).collect::<Vec<_>>().join(", ")
        ),
    }
}

struct Builder<'a> {
    spec: &'a Value,
    items: Vec<Item>,
    at: BTreeMap<String, Ty>,
    /// Component `$ref` -> its type.
    memo: HashMap<String, Ty>,
    /// Component name -> its reserved Rust name.
    component_names: BTreeMap<String, String>,
    taken: BTreeSet<String>,
    overrides: BTreeMap<String, String>,
    used_overrides: BTreeSet<String>,
}

impl<'a> Builder<'a> {
    fn node(&self, ptr: &str) -> Result<&'a Value, String> {
        self.spec.pointer(ptr).ok_or_else(|| format!("no schema at {ptr}"))
    }

    /// Follows `$ref`s to the schema and its pointer.
    fn resolve(&self, ptr: &str) -> Result<(String, &'a Value), String> {
        let mut ptr = ptr.to_owned();
        for _ in 0..16 {
            let node = self.node(&ptr)?;
            match str_of(node, "$ref") {
                None => return Ok((ptr, node)),
                Some(r) => ptr = r.strip_prefix('#').ok_or_else(|| format!("external $ref {r}"))?.to_owned(),
            }
        }
        Err(format!("$ref chain too long at {ptr}"))
    }

    fn unique(&mut self, hint: &str) -> String {
        let mut name = hint.to_owned();
        if RESERVED.contains(&name.as_str()) {
            name.push_str("Schema");
        }
        let base = name.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }

    /// The type of the schema at `ptr`, recorded for the example registry.
    fn ty_at(&mut self, ptr: &str, hint: &str, depth: usize) -> Result<Ty, String> {
        if depth > 64 {
            return Err(format!("schema nesting too deep at {ptr}"));
        }
        let node = self.node(ptr)?;
        let ty = match str_of(node, "$ref") {
            Some(r) => self.component(r, depth)?,
            None => self.inline(ptr, node, hint, None, depth)?,
        };
        self.at.insert(ptr.to_owned(), ty.clone());
        Ok(ty)
    }

    fn component(&mut self, r: &str, depth: usize) -> Result<Ty, String> {
        if let Some(ty) = self.memo.get(r) {
            return Ok(ty.clone());
        }
        let name = r.strip_prefix("#/components/schemas/").ok_or_else(|| format!("$ref {r} is not a schema"))?;
        if let Some(path) = self.overrides.get(name) {
            self.used_overrides.insert(name.to_owned());
            let ty = Ty::Path(path.clone());
            self.memo.insert(r.to_owned(), ty.clone());
            self.at.insert(r[1..].to_owned(), ty.clone());
            return Ok(ty);
        }
        let ptr = &r[1..];
        let node = self.node(ptr)?;
        let ty = self.inline(ptr, node, name, Some(name), depth + 1)?;
        self.memo.insert(r.to_owned(), ty.clone());
        self.at.insert(ptr.to_owned(), ty.clone());
        Ok(ty)
    }

    /// Whether a schema is an item (a struct, enum or union) rather than a plain type. `allOf`
    /// of one `$ref` is that schema, unless it is a discriminated parent: then it is a child
    /// with the parent's fields (a struct), not the union again.
    fn needs_item(&self, s: &Value) -> bool {
        let non_empty = |k: &str| s.get(k).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
        let passthrough = s["allOf"].as_array().is_some_and(|a| {
            a.len() == 1
                && str_of(&a[0], "$ref").is_some_and(|r| {
                    self.spec.pointer(r.trim_start_matches('#')).is_some_and(|t| t.get("discriminator").is_none())
                })
        }) && s.get("properties").is_none();
        s.get("discriminator").is_some()
            || non_empty("oneOf")
            || non_empty("anyOf")
            || (non_empty("allOf") && !passthrough)
            || s.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty())
            || string_values(s).is_some_and(|v| v.len() > 1)
    }

    fn inline(
        &mut self,
        ptr: &str,
        s: &'a Value,
        hint: &str,
        component: Option<&str>,
        depth: usize,
    ) -> Result<Ty, String> {
        if !self.needs_item(s) {
            return self.plain(ptr, s, hint, depth);
        }
        let name = match component {
            Some(c) => self.component_names.get(c).cloned().ok_or_else(|| format!("no name for {c}"))?,
            None => self.unique(hint),
        };
        let idx = self.items.len();
        self.items.push(Item {
            name: name.clone(),
            component: component.map(str::to_owned),
            doc: str_of(s, "description").or_else(|| str_of(s, "title")).map(str::to_owned),
            kind: Kind::Pending,
        });
        if let Some(c) = component {
            self.memo.insert(format!("#/components/schemas/{c}"), Ty::Named(idx));
        }
        let kind = self.kind(ptr, s, &name, depth)?;
        self.items[idx].kind = kind;
        Ok(Ty::Named(idx))
    }

    /// A schema that is no item: a primitive, list, map or free-form value.
    fn plain(&mut self, ptr: &str, s: &Value, hint: &str, depth: usize) -> Result<Ty, String> {
        if s["allOf"].as_array().is_some_and(|a| a.len() == 1) {
            return self.ty_at(&format!("{ptr}/allOf/0"), hint, depth + 1);
        }
        if string_values(s).is_some() {
            return Ok(Ty::String);
        }
        Ok(match str_of(s, "type") {
            Some("array") if s.get("items").is_some() => {
                Ty::Vec(Box::new(self.ty_at(&format!("{ptr}/items"), hint, depth + 1)?))
            }
            Some("array") => Ty::Vec(Box::new(Ty::Value)),
            Some("string") if str_of(s, "format") == Some("password") => Ty::Secret,
            Some("string") => Ty::String,
            Some("boolean") => Ty::Bool,
            Some("integer") if str_of(s, "format") == Some("int32") => Ty::I32,
            Some("integer") => Ty::I64,
            Some("number") if str_of(s, "format") == Some("int64") => Ty::I64,
            Some("number") => Ty::F64,
            _ => match s.get("additionalProperties") {
                Some(Value::Object(ap)) if !ap.is_empty() => Ty::Map(Box::new(self.ty_at(
                    &format!("{ptr}/additionalProperties"),
                    &format!("{hint}Value"),
                    depth + 1,
                )?)),
                Some(Value::Object(_) | Value::Bool(true)) => Ty::Map(Box::new(Ty::Value)),
                _ => Ty::Value,
            },
        })
    }

    /// The properties a union declares beside its members: their types, for the example
    /// registry (emitted only where a member holds the same shape).
    fn union_own_properties(&mut self, ptr: &str, s: &'a Value, name: &str, depth: usize) -> Result<(), String> {
        for k in s["properties"].as_object().map(|p| p.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
            let pptr = format!("{ptr}/properties/{}", token(&k));
            self.ty_at(&pptr, &format!("{name}{}", upper_camel(&k, false)), depth + 1)?;
        }
        Ok(())
    }

    fn kind(&mut self, ptr: &str, s: &'a Value, name: &str, depth: usize) -> Result<Kind, String> {
        if s.get("discriminator").is_some() || s["oneOf"].as_array().is_some_and(|a| !a.is_empty()) {
            self.union_own_properties(ptr, s, name, depth)?;
        }
        if let Some(d) = s.get("discriminator") {
            let prop = str_of(d, "propertyName").ok_or_else(|| format!("{ptr}: discriminator without propertyName"))?;
            let mut targets: Vec<(String, String)> = Vec::new();
            match d.get("mapping").and_then(Value::as_object) {
                Some(mapping) => {
                    for (k, v) in mapping {
                        let r = v.as_str().ok_or_else(|| format!("{ptr}: mapping {k} is not a $ref"))?;
                        targets.push((k.clone(), r.to_owned()));
                    }
                }
                None => {
                    for part in s["oneOf"].as_array().map(Vec::as_slice).unwrap_or_default() {
                        let r = str_of(part, "$ref").ok_or_else(|| format!("{ptr}: an inline oneOf member"))?;
                        targets.push((r.rsplit('/').next().unwrap_or(r).to_owned(), r.to_owned()));
                    }
                }
            }
            let mut variants = Vec::new();
            let mut names = BTreeSet::new();
            for (key, r) in targets {
                let ty = self.component(&r, depth + 1)?;
                if self.memo.get(&format!("#{ptr}")) == Some(&ty) {
                    return Err(format!("{ptr}: the variant {key} is the union itself"));
                }
                let doc = self.node(&r[1..]).ok().and_then(|n| str_of(n, "title")).map(str::to_owned);
                variants.push(Variant {
                    name: distinct(&mut names, upper_camel(&key, true)),
                    values: vec![key],
                    ty,
                    doc,
                });
            }
            return Ok(Kind::Union(How::Tag(prop.to_owned()), variants));
        }
        let (list_key, parts) = match (s["oneOf"].as_array(), s["anyOf"].as_array()) {
            (Some(p), _) if !p.is_empty() => ("oneOf", p.as_slice()),
            (_, Some(p)) if !p.is_empty() => ("anyOf", p.as_slice()),
            _ => ("", &[][..]),
        };
        if !parts.is_empty() {
            let ptrs: Vec<String> = (0..parts.len()).map(|i| format!("{ptr}/{list_key}/{i}")).collect();
            // A split enum: one open enum of every member's values.
            let mut all_values = Vec::new();
            let mut all_enums = true;
            for p in &ptrs {
                match self.enum_values_deep(p, 0)? {
                    Some(vs) => all_values.extend(vs),
                    None => all_enums = false,
                }
            }
            if all_enums {
                let mut seen = BTreeSet::new();
                all_values.retain(|v| seen.insert(v.clone()));
                return Ok(Kind::Enum(all_values));
            }
            let by = self.dispatch_property(&ptrs)?;
            let mut variants = Vec::new();
            let mut names = BTreeSet::new();
            for (i, p) in ptrs.iter().enumerate() {
                let node = self.node(p)?;
                let vname = match str_of(node, "$ref") {
                    Some(r) => upper_camel(r.rsplit('/').next().unwrap_or(r), false),
                    None => format!("Variant{}", i + 1),
                };
                let ty = self.ty_at(p, &format!("{name}Variant{}", i + 1), depth + 1)?;
                let values = match &by {
                    Some((_, sets)) => sets.get(i).cloned().unwrap_or_default(),
                    None => Vec::new(),
                };
                let doc = self.resolve(p).ok().and_then(|(_, n)| str_of(n, "title")).map(str::to_owned);
                variants.push(Variant { name: distinct(&mut names, vname), values, ty, doc });
            }
            let how = match by {
                Some((prop, _)) => How::Values(prop),
                None => How::Try,
            };
            return Ok(Kind::Union(how, variants));
        }
        if let Some(values) = string_values(s) {
            return Ok(Kind::Enum(values));
        }
        // A struct: every allOf part's properties, then its own.
        let mut props: Vec<(String, String)> = Vec::new();
        let mut required = BTreeSet::new();
        self.merge(ptr, &mut props, &mut required, 0)?;
        let mut fields = Vec::new();
        let mut rust_names = BTreeSet::new();
        for (json, pptr) in props {
            let hint = format!("{name}{}", upper_camel(&json, false));
            let mut ty = self.ty_at(&pptr, &hint, depth + 1)?;
            let node = self.node(&pptr)?;
            let (_, resolved) = self.resolve(&pptr)?;
            if ty == Ty::String && atlas_admin_core::is_secret_field(&json) {
                ty = Ty::Secret;
            }
            let constant = string_values(resolved).filter(|v| v.len() == 1).and_then(|v| v.into_iter().next());
            fields.push(Field {
                rust: distinct_field(&mut rust_names, snake(&json)),
                required: required.contains(&json),
                nullable: node["nullable"] == true || resolved["nullable"] == true,
                constant,
                boxed: false,
                doc: str_of(node, "description").or_else(|| str_of(resolved, "description")).map(str::to_owned),
                json,
                ty,
            });
        }
        Ok(Kind::Struct(fields))
    }

    /// Collects the properties (name, pointer) and required names of a schema and its `allOf`.
    fn merge(
        &self,
        ptr: &str,
        props: &mut Vec<(String, String)>,
        required: &mut BTreeSet<String>,
        depth: usize,
    ) -> Result<(), String> {
        if depth > 16 {
            return Err(format!("allOf nesting too deep at {ptr}"));
        }
        let (ptr, s) = self.resolve(ptr)?;
        if let Some(parts) = s["allOf"].as_array() {
            for i in 0..parts.len() {
                self.merge(&format!("{ptr}/allOf/{i}"), props, required, depth + 1)?;
            }
        }
        if let Some(own) = s["properties"].as_object() {
            for name in own.keys() {
                let p = format!("{ptr}/properties/{}", token(name));
                match props.iter_mut().find(|(n, _)| n == name) {
                    Some(slot) => slot.1 = p,
                    None => props.push((name.clone(), p)),
                }
            }
        }
        for r in s["required"].as_array().map(Vec::as_slice).unwrap_or_default() {
            if let Some(r) = r.as_str() {
                required.insert(r.to_owned());
            }
        }
        Ok(())
    }

    /// The string values of an enum, or of a `oneOf` of enums; `None` if it is something else.
    fn enum_values_deep(&self, ptr: &str, depth: usize) -> Result<Option<Vec<String>>, String> {
        let (ptr, s) = self.resolve(ptr)?;
        if depth > 8 {
            return Ok(None);
        }
        if let Some(values) = string_values(s) {
            return Ok(Some(values));
        }
        let Some(parts) = s["oneOf"].as_array().filter(|p| !p.is_empty()) else { return Ok(None) };
        if s.get("discriminator").is_some() {
            return Ok(None);
        }
        let mut out = Vec::new();
        for i in 0..parts.len() {
            match self.enum_values_deep(&format!("{ptr}/oneOf/{i}"), depth + 1)? {
                Some(v) => out.extend(v),
                None => return Ok(None),
            }
        }
        Ok(Some(out))
    }

    /// A property every member has as an enum, told apart by its values: the one that tells
    /// the most members apart (counting a value several members list for the member listing
    /// the fewest), then whose value sets overlap least (by name on a tie). Each member's
    /// values, in order.
    fn dispatch_property(&self, ptrs: &[String]) -> Result<Option<Dispatch>, String> {
        let mut per_member: Vec<BTreeMap<String, Vec<String>>> = Vec::new();
        for p in ptrs {
            let (rp, s) = self.resolve(p)?;
            if str_of(s, "type").is_some_and(|t| t != "object") && s.get("properties").is_none() {
                return Ok(None);
            }
            let mut props = Vec::new();
            self.merge(&rp, &mut props, &mut BTreeSet::new(), 0)?;
            let mut enums = BTreeMap::new();
            for (name, pp) in props {
                if let Some(values) = self.enum_values_deep(&pp, 0)? {
                    enums.insert(name, values);
                }
            }
            per_member.push(enums);
        }
        let Some(first) = per_member.first() else { return Ok(None) };
        // (members it tells apart, -overlap, values of each member) of the best property
        let mut best: Option<(usize, isize, String, Vec<Vec<String>>)> = None;
        for name in first.keys() {
            if !per_member.iter().all(|m| m.contains_key(name)) {
                continue;
            }
            let mut seen = BTreeSet::new();
            let overlap = per_member.iter().flat_map(|m| &m[name]).filter(|v| !seen.insert(v.as_str())).count();
            let sets = owned_values(&per_member, name);
            let told_apart = sets.iter().filter(|s| !s.is_empty()).count();
            let score = (told_apart, -(overlap as isize));
            if told_apart > 1 && best.as_ref().is_none_or(|(t, o, _, _)| score > (*t, *o)) {
                best = Some((told_apart, -(overlap as isize), name.clone(), sets));
            }
        }
        let Some((_, _, name, _)) = best else { return Ok(None) };
        // Every value a member lists: a value several members list is decided by the body's
        // fields on decoding (`best_fit`), never given to one member whatever the body holds.
        let all = per_member
            .iter()
            .map(|m| {
                let mut seen = BTreeSet::new();
                m[&name].iter().filter(|v| seen.insert(v.as_str())).cloned().collect()
            })
            .collect();
        Ok(Some((name, all)))
    }
}

/// Each member's values of the enum property `name` it alone owns: a value several members
/// list goes to the member listing the fewest (the first on a tie). Only to choose the property.
fn owned_values(per_member: &[BTreeMap<String, Vec<String>>], name: &str) -> Vec<Vec<String>> {
    let mut owner: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, m) in per_member.iter().enumerate() {
        let size = m[name].len();
        for v in &m[name] {
            match owner.get(v.as_str()) {
                Some(&j) if per_member[j][name].len() <= size => {}
                _ => {
                    owner.insert(v, i);
                }
            }
        }
    }
    (0..per_member.len())
        .map(|i| {
            let mut seen = BTreeSet::new();
            per_member[i][name]
                .iter()
                .filter(|v| owner.get(v.as_str()) == Some(&i) && seen.insert(*v))
                .cloned()
                .collect()
        })
        .collect()
}

/// `name`, or `name2`, `name3`… if taken.
fn distinct(taken: &mut BTreeSet<String>, name: String) -> String {
    let name = match name.as_str() {
        "Other" | "Self" => format!("{name}Value"),
        _ => name,
    };
    let mut out = name.clone();
    let mut n = 2;
    while !taken.insert(out.clone()) {
        out = format!("{name}{n}");
        n += 1;
    }
    out
}

fn distinct_field(taken: &mut BTreeSet<String>, name: String) -> String {
    let mut out = name.clone();
    let mut n = 2;
    while !taken.insert(out.clone()) {
        out = format!("{}_{n}", name.trim_start_matches("r#"));
        n += 1;
    }
    out
}

/// The roots: every operation's JSON request body and success response schemas, with the
/// feature of its tag. (pointer, feature), in path and method order.
fn roots(spec: &Value) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let paths = spec["paths"].as_object().ok_or("the spec has no paths")?;
    for (path, item) in paths {
        let Some(item) = item.as_object() else { continue };
        for (method, op) in item {
            let Some(tag) = op["tags"].as_array().and_then(|t| t.first()).and_then(Value::as_str) else { continue };
            let feature = feature_name(tag);
            let base = format!("/paths/{}/{method}", token(path));
            let mut media_of = |container: String| -> Result<(), String> {
                let mut cptr = container;
                if let Some(r) = spec.pointer(&cptr).and_then(|c| str_of(c, "$ref")) {
                    cptr = r.strip_prefix('#').ok_or("external $ref")?.to_owned();
                }
                let Some(content) = spec.pointer(&format!("{cptr}/content")).and_then(Value::as_object) else {
                    return Ok(());
                };
                for (mt, media) in content {
                    if mt.ends_with("json") && media.get("schema").is_some() {
                        out.push((format!("{cptr}/content/{}/schema", token(mt)), feature.clone()));
                    }
                }
                Ok(())
            };
            if op.get("requestBody").is_some() {
                media_of(format!("{base}/requestBody"))?;
            }
            if let Some(responses) = op["responses"].as_object() {
                for code in responses.keys().filter(|c| c.starts_with('2')) {
                    media_of(format!("{base}/responses/{}", token(code)))?;
                }
            }
        }
    }
    Ok(out)
}

/// Builds every reachable model.
pub(crate) fn build(spec: &Value, overrides: &SchemaOverrides, unions: &UnionOverrides) -> Result<Models, String> {
    let components = spec.pointer("/components/schemas").and_then(Value::as_object).ok_or("no component schemas")?;
    for name in overrides.keys() {
        if !components.contains_key(name) {
            return Err(format!("overrides.toml: [schema.{name}] is not a component schema of the spec"));
        }
    }
    let mut b = Builder {
        spec,
        items: Vec::new(),
        at: BTreeMap::new(),
        memo: HashMap::new(),
        component_names: BTreeMap::new(),
        taken: BTreeSet::new(),
        overrides: overrides.iter().map(|(k, v)| (k.clone(), v.rust.clone())).collect(),
        used_overrides: BTreeSet::new(),
    };
    for name in components.keys() {
        let rust = b.unique(&upper_camel(name, false));
        b.component_names.insert(name.clone(), rust);
    }
    let roots = roots(spec)?;
    for (ptr, _) in &roots {
        b.ty_at(ptr, "Body", 0)?;
    }
    if let Some(unused) = b.overrides.keys().find(|k| !b.used_overrides.contains(*k)) {
        return Err(format!("overrides.toml: [schema.{unused}] is reached by no operation"));
    }
    let mut models = Models {
        canon: (0..b.items.len()).collect(),
        tags: vec![BTreeSet::new(); b.items.len()],
        items: b.items,
        at: b.at,
        overrides: b.overrides,
        hints: BTreeMap::new(),
    };
    for (union, o) in unions {
        let found = models.items.iter().find(|it| it.component.as_deref() == Some(union.as_str()));
        let Some(Kind::Union(_, variants)) = found.map(|it| &it.kind) else {
            return Err(format!("overrides.toml: [union.{union}] is not a union the operations reach"));
        };
        for (member, props) in &o.members {
            if !variants.iter().any(|v| &v.name == member) {
                return Err(format!("overrides.toml: [union.{union}] has no member {member}"));
            }
            models.hints.insert((union.clone(), member.clone()), props.clone());
        }
    }
    models.box_recursion();
    models.dedup();
    models.propagate_tags(&roots);
    Ok(models)
}

impl Models {
    /// Items a struct holds directly (not through a list, map or a union's box).
    fn direct(&self, i: usize) -> Vec<usize> {
        match &self.items[i].kind {
            Kind::Struct(fields) => fields
                .iter()
                .filter(|f| !f.boxed)
                .filter_map(|f| match f.ty {
                    Ty::Named(j) => Some(j),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    fn reaches(&self, from: usize, to: usize) -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(i) = stack.pop() {
            if i == to {
                return true;
            }
            if seen.insert(i) {
                stack.extend(self.direct(i));
            }
        }
        false
    }

    /// Boxes a field whose type contains the struct that holds it.
    fn box_recursion(&mut self) {
        for i in 0..self.items.len() {
            let Kind::Struct(fields) = &self.items[i].kind else { continue };
            let targets: Vec<(usize, usize)> = fields
                .iter()
                .enumerate()
                .filter_map(|(fi, f)| match f.ty {
                    Ty::Named(j) => Some((fi, j)),
                    _ => None,
                })
                .collect();
            for (fi, j) in targets {
                if self.reaches(j, i) {
                    if let Kind::Struct(fields) = &mut self.items[i].kind {
                        fields[fi].boxed = true;
                    }
                }
            }
        }
    }

    /// The shape of an item, names of other items as their keepers': equal keys, equal code.
    fn shape(&self, i: usize) -> String {
        let ty = |t: &Ty| self.render(t, true, "");
        match &self.items[i].kind {
            Kind::Pending => format!("pending {i}"),
            Kind::Enum(values) => format!("enum {values:?}"),
            Kind::Struct(fields) => {
                let mut s = String::from("struct");
                for f in fields {
                    let _ = write!(
                        s,
                        " {}:{}:{}:{}:{}:{:?}:{}",
                        f.json,
                        f.rust,
                        ty(&f.ty),
                        f.required,
                        f.nullable,
                        f.constant,
                        f.boxed
                    );
                }
                s
            }
            Kind::Union(how, variants) => {
                let mut s = match how {
                    How::Tag(p) => format!("tag {p}"),
                    How::Values(p) => format!("values {p}"),
                    How::Try => "try".to_owned(),
                };
                for v in variants {
                    let _ = write!(s, " {}:{:?}:{}", v.name, v.values, ty(&v.ty));
                }
                s
            }
        }
    }

    fn dedup(&mut self) {
        for _ in 0..8 {
            let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for i in 0..self.items.len() {
                groups.entry(self.shape(i)).or_default().push(i);
            }
            let mut changed = false;
            for members in groups.values() {
                let keeper = members
                    .iter()
                    .copied()
                    .min_by(|a, b| {
                        let key = |i: usize| (self.items[i].component.is_none(), self.items[i].name.clone());
                        key(*a).cmp(&key(*b))
                    })
                    .unwrap_or(members[0]);
                for &m in members {
                    if self.canon[m] != keeper {
                        self.canon[m] = keeper;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        // Keepers are their own keepers (a keeper of a later round may have been an alias).
        for i in 0..self.canon.len() {
            let mut k = self.canon[i];
            for _ in 0..16 {
                if self.canon[k] == k {
                    break;
                }
                k = self.canon[k];
            }
            self.canon[i] = k;
        }
    }

    /// Each item gets the features of the operations that reach it; a keeper also every
    /// feature of its aliases, and what it holds those too.
    fn propagate_tags(&mut self, roots: &[(String, String)]) {
        for (ptr, feature) in roots {
            let Some(ty) = self.at.get(ptr).cloned() else { continue };
            let mut stack = Vec::new();
            collect_named(&ty, &mut stack);
            while let Some(i) = stack.pop() {
                let keeper = self.canon[i];
                let new_alias = self.tags[i].insert(feature.clone());
                let new_keeper = self.tags[keeper].insert(feature.clone());
                if !(new_alias || new_keeper) {
                    continue;
                }
                for ty in self.children(keeper) {
                    collect_named(&ty, &mut stack);
                }
            }
        }
    }

    fn children(&self, i: usize) -> Vec<Ty> {
        match &self.items[i].kind {
            Kind::Struct(fields) => fields.iter().map(|f| f.ty.clone()).collect(),
            Kind::Union(_, variants) => variants.iter().map(|v| v.ty.clone()).collect(),
            Kind::Enum(_) | Kind::Pending => Vec::new(),
        }
    }

    /// Rust text of a type; `keepers`: other items by their keeper's name; `prefix` before
    /// item names (`crate::schemas::` outside the generated files).
    fn render(&self, ty: &Ty, keepers: bool, prefix: &str) -> String {
        match ty {
            Ty::String => "String".to_owned(),
            Ty::Secret => "crate::Secret".to_owned(),
            Ty::Bool => "bool".to_owned(),
            Ty::I32 => "i32".to_owned(),
            Ty::I64 => "i64".to_owned(),
            Ty::F64 => "f64".to_owned(),
            Ty::Value => "serde_json::Value".to_owned(),
            Ty::Named(i) => {
                let i = if keepers { self.canon[*i] } else { *i };
                format!("{prefix}{}", self.items[i].name)
            }
            Ty::Path(p) => p.clone(),
            Ty::Vec(t) => format!("Vec<{}>", self.render(t, keepers, prefix)),
            Ty::Map(t) => format!("std::collections::BTreeMap<String, {}>", self.render(t, keepers, prefix)),
        }
    }

    /// The features that compile a type (`keepers`: as rendered with keepers' names).
    fn features_of(&self, ty: &Ty, keepers: bool) -> Vec<String> {
        let mut named = Vec::new();
        collect_named(ty, &mut named);
        if keepers {
            for i in &mut named {
                *i = self.canon[*i];
            }
        }
        // A type is compiled where all of its items are: the intersection.
        let mut out: Option<BTreeSet<String>> = None;
        for i in named {
            let t = &self.tags[i];
            out = Some(match out {
                None => t.clone(),
                Some(o) => o.intersection(t).cloned().collect(),
            });
        }
        out.unwrap_or_default().into_iter().collect()
    }
}

fn collect_named(ty: &Ty, out: &mut Vec<usize>) {
    match ty {
        Ty::Named(i) => out.push(*i),
        Ty::Vec(t) | Ty::Map(t) => collect_named(t, out),
        _ => {}
    }
}

/// The Rust type of the model of a request body or success response schema (a `$ref` or an
/// inline schema, as it stands in the spec's media type object), and the features that compile
/// it. For the typed operations (task B): `models` from [`build`].
#[allow(dead_code)]
pub(crate) fn rust_type(models: &Models, spec: &Value, schema: &Value) -> Result<TypeRef, String> {
    // Found by its pointer when it is a media type's schema, else by its `$ref`.
    let ty = match str_of(schema, "$ref") {
        Some(r) => {
            let name = r.strip_prefix("#/components/schemas/").ok_or_else(|| format!("$ref {r} is not a schema"))?;
            match models.overrides.get(name) {
                Some(p) => Ty::Path(p.clone()),
                None => models.at.get(&r[1..]).cloned().ok_or_else(|| format!("{r} is reached by no operation"))?,
            }
        }
        None => match str_of(schema, "type") {
            Some("array") => {
                let inner = rust_type(models, spec, &schema["items"])?;
                return Ok(TypeRef { expr: format!("Vec<{}>", inner.expr), features: inner.features });
            }
            Some("string") => Ty::String,
            Some("boolean") => Ty::Bool,
            Some("integer") if str_of(schema, "format") == Some("int32") => Ty::I32,
            Some("integer") => Ty::I64,
            Some("number") => Ty::F64,
            _ => Ty::Value,
        },
    };
    let _ = spec;
    Ok(TypeRef { expr: models.render(&ty, false, "crate::schemas::"), features: models.features_of(&ty, false) })
}

// ---------------------------------------------------------------------------------------------
// Emitting

const HEADER: &str = "// @generated by atlas-admin-codegen (core/codegen/src/schemas.rs) from the vendored Atlas Admin API v2 spec\n\
                      // and core/codegen/overrides.toml. Do not edit: run `cargo run -p atlas-admin-codegen`.\n";

/// A description as doc comment lines: trimmed lines (no indented code block), Markdown
/// brackets and angle brackets escaped (no broken links or HTML), no code fences (no doctest).
fn doc(text: Option<&str>, fallback: &str) -> String {
    let text = text.map(str::trim).filter(|t| !t.is_empty()).unwrap_or(fallback);
    let mut out = String::new();
    for line in text.lines() {
        let line = line.trim();
        let mut clean = String::new();
        for c in line.chars() {
            match c {
                '[' | ']' | '<' | '>' | '\\' => {
                    clean.push('\\');
                    clean.push(c);
                }
                c if c.is_control() => {}
                c => clean.push(c),
            }
        }
        let clean = clean.replace("```", "'''");
        if clean.is_empty() {
            out.push_str("///\n");
        } else {
            let _ = writeln!(out, "/// {clean}");
        }
    }
    out
}

impl Models {
    fn item_text(&self, i: usize) -> String {
        let item = &self.items[i];
        let name = &item.name;
        let mut s = String::new();
        let from = match &item.component {
            Some(c) => format!("The spec's `{c}` schema."),
            None => format!("`{name}`, inline in the spec."),
        };
        if self.canon[i] != i {
            let keeper = &self.items[self.canon[i]].name;
            s.push_str(&doc(item.doc.as_deref(), &from));
            let _ = writeln!(s, "///\n/// The same shape as [`{keeper}`].\npub type {name} = {keeper};\n");
            return s;
        }
        s.push_str(&doc(item.doc.as_deref(), &from));
        let ty = |t: &Ty| self.render(t, true, "");
        match &item.kind {
            Kind::Pending => {}
            Kind::Enum(values) => {
                let mut names = BTreeSet::new();
                let variants: Vec<(String, &String)> =
                    values.iter().map(|v| (distinct(&mut names, upper_camel(v, true)), v)).collect();
                s.push_str("#[derive(Clone, PartialEq, Eq, Hash)]\n#[non_exhaustive]\n");
                let _ = writeln!(s, "pub enum {name} {{");
                for (vn, v) in &variants {
                    let _ = writeln!(s, "/// `{}`\n{vn},", v.replace('`', "'"));
                }
                s.push_str("/// A value this version does not know, kept as sent.\nOther(String),\n}\n\n");
                let _ = writeln!(s, "impl {name} {{");
                s.push_str(
                    "/// The value as Atlas spells it.\n#[inline]\npub fn as_str(&self) -> &str {\nmatch self {\n",
                );
                for (vn, v) in &variants {
                    let _ = writeln!(s, "Self::{vn} => {v:?},");
                }
                s.push_str("Self::Other(s) => s,\n}\n}\n\n");
                s.push_str("/// The variant of a value; `Other` for one this version does not know.\n");
                s.push_str("#[inline]\npub fn parse(s: &str) -> Self {\nmatch s {\n");
                for (vn, v) in &variants {
                    let _ = writeln!(s, "{v:?} => Self::{vn},");
                }
                s.push_str("other => Self::Other(other.to_owned()),\n}\n}\n}\n\n");
                let _ = writeln!(
                    s,
                    "impl Json for {name} {{\n#[inline]\nfn from_json(value: Value) -> Result<Self, DecodeError> {{\n\
                     String::from_json(value).map(|s| Self::parse(&s))\n}}\n\
                     #[inline]\nfn to_json(&self) -> Value {{\nValue::String(self.as_str().to_owned())\n}}\n}}\n"
                );
            }
            Kind::Struct(fields) => {
                s.push_str("#[derive(Clone, PartialEq)]\n#[non_exhaustive]\n");
                let _ = writeln!(s, "pub struct {name} {{");
                let field_ty = |f: &Field| {
                    let mut t = ty(&f.ty);
                    if f.boxed {
                        t = format!("Box<{t}>");
                    }
                    if f.nullable {
                        format!("Nullable<{t}>")
                    } else if f.required {
                        t
                    } else {
                        format!("Option<{t}>")
                    }
                };
                for f in fields {
                    let fallback = format!("`{}`.", f.json);
                    s.push_str(&doc(f.doc.as_deref(), &fallback));
                    if let Some(c) = &f.constant {
                        let _ = writeln!(s, "///\n/// The spec allows `{}` only.", c.replace('`', "'"));
                    }
                    let _ = writeln!(s, "pub {}: {},", f.rust, field_ty(f));
                }
                s.push_str("}\n\n");
                // new(required…)
                let args: Vec<&Field> =
                    fields.iter().filter(|f| f.required && !f.nullable && f.constant.is_none()).collect();
                let _ = writeln!(s, "impl {name} {{");
                s.push_str("/// A value with the required fields given (and those the spec allows one value for); the others are left out.\n");
                let _ = writeln!(
                    s,
                    "#[inline]\npub fn new({}) -> Self {{\nSelf {{",
                    args.iter().map(|f| format!("{}: {}", f.rust, field_ty(f))).collect::<Vec<_>>().join(", ")
                );
                for f in fields {
                    let value = if f.nullable {
                        "Nullable::Absent".to_owned()
                    } else if let Some(c) = f.constant.as_ref().filter(|_| f.required) {
                        if f.ty == Ty::String {
                            format!("{c:?}.to_owned()")
                        } else {
                            format!("{}::parse({c:?})", ty(&f.ty))
                        }
                    } else if f.required {
                        f.rust.clone()
                    } else {
                        "None".to_owned()
                    };
                    if value == f.rust {
                        let _ = writeln!(s, "{},", f.rust);
                    } else {
                        let _ = writeln!(s, "{}: {value},", f.rust);
                    }
                }
                s.push_str("}\n}\n}\n\n");
                let _ = writeln!(
                    s,
                    "impl Json for {name} {{\n#[inline]\nfn from_json(value: Value) -> Result<Self, DecodeError> {{\n\
                     {}Ok(Self {{",
                    if fields.is_empty() { "object(value)?;\n" } else { "let mut m = object(value)?;\n" }
                );
                for f in fields {
                    let how = if f.nullable {
                        "nullable"
                    } else if f.required {
                        "required"
                    } else {
                        "optional"
                    };
                    let _ = writeln!(s, "{}: {how}(&mut m, {:?})?,", f.rust, f.json);
                }
                s.push_str("})\n}\n\n#[inline]\nfn to_json(&self) -> Value {\n");
                s.push_str(if fields.is_empty() { "let m = Map::new();\n" } else { "let mut m = Map::new();\n" });
                for f in fields {
                    let how = if f.nullable {
                        "put_nullable"
                    } else if f.required {
                        "put"
                    } else {
                        "put_opt"
                    };
                    let _ = writeln!(s, "{how}(&mut m, {:?}, &self.{});", f.json, f.rust);
                }
                s.push_str("Value::Object(m)\n}\n}\n\n");
            }
            Kind::Union(how, variants) => {
                s.push_str("#[derive(Clone, PartialEq)]\n#[non_exhaustive]\n");
                let _ = writeln!(s, "pub enum {name} {{");
                for v in variants {
                    let what = match how {
                        How::Values(_) if v.values.is_empty() => {
                            "Not chosen on decoding: a more specific member lists each of its values.".to_owned()
                        }
                        How::Tag(p) | How::Values(p) => format!(
                            "`{p}` is {}.",
                            v.values
                                .iter()
                                .map(|x| format!("`{}`", x.replace('`', "'")))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        How::Try => "Tried only among the members declaring the most of the body's fields (in the spec's order); the first that decodes.".to_owned(),
                    };
                    match &v.doc {
                        Some(d) => {
                            s.push_str(&doc(Some(d), ""));
                            let _ = writeln!(s, "///\n/// {what}");
                        }
                        None => s.push_str(&doc(Some(&what), "")),
                    }
                    let _ = writeln!(s, "{}(Box<{}>),", v.name, ty(&v.ty));
                }
                s.push_str("/// A body this version cannot place, kept as sent.\nOther(Value),\n}\n\n");
                let _ = writeln!(
                    s,
                    "impl Json for {name} {{\n#[inline]\nfn from_json(value: Value) -> Result<Self, DecodeError> {{"
                );
                match how {
                    How::Tag(p) => {
                        let _ = writeln!(s, "Ok(match tag_of(&value, {p:?}).as_deref() {{");
                        for v in variants.iter().filter(|v| !v.values.is_empty()) {
                            let pats = v.values.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(" | ");
                            let _ = writeln!(s, "Some({pats}) => Self::{}(Box::from_json(value)?),", v.name);
                        }
                        s.push_str("_ => Self::Other(value),\n})\n}\n\n");
                    }
                    How::Values(p) => {
                        // A value one member lists picks it; a value several list: the body's
                        // fields decide among them (`best_fit`).
                        let mut groups: Vec<(Vec<usize>, Vec<&str>)> = Vec::new();
                        let mut seen = BTreeSet::new();
                        for x in variants.iter().flat_map(|v| &v.values) {
                            if !seen.insert(x.as_str()) {
                                continue;
                            }
                            let members: Vec<usize> =
                                (0..variants.len()).filter(|&j| variants[j].values.contains(x)).collect();
                            match groups.iter_mut().find(|(m, _)| *m == members) {
                                Some((_, xs)) => xs.push(x),
                                None => groups.push((members, vec![x])),
                            }
                        }
                        if groups.iter().all(|(m, _)| m.len() == 1) {
                            let _ = writeln!(s, "Ok(match tag_of(&value, {p:?}).as_deref() {{");
                        } else {
                            let _ = writeln!(s, "let members: &[usize] = match tag_of(&value, {p:?}).as_deref() {{");
                        }
                        for (members, xs) in &groups {
                            let pats = xs.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(" | ");
                            match members.as_slice() {
                                [one] if groups.iter().all(|(m, _)| m.len() == 1) => {
                                    let _ = writeln!(
                                        s,
                                        "Some({pats}) => Self::{}(Box::from_json(value)?),",
                                        variants[*one].name
                                    );
                                }
                                [one] => {
                                    let _ = writeln!(
                                        s,
                                        "Some({pats}) => return Ok(Self::{}(Box::from_json(value)?)),",
                                        variants[*one].name
                                    );
                                }
                                many => {
                                    // On a tie of fields, the member listing the fewest values
                                    // (the most specific; the spec's "any other" lists them all).
                                    let mut many = many.to_vec();
                                    many.sort_by_key(|&j| variants[j].values.len());
                                    let list = many.iter().map(usize::to_string).collect::<Vec<_>>().join(", ");
                                    let _ = writeln!(s, "Some({pats}) => &[{list}],");
                                }
                            }
                        }
                        if groups.iter().all(|(m, _)| m.len() == 1) {
                            s.push_str("_ => Self::Other(value),\n})\n}\n\n");
                        } else {
                            s.push_str("_ => return Ok(Self::Other(value)),\n};\n");
                            s.push_str(&self.try_members(i, variants, "members"));
                        }
                    }
                    How::Try => {
                        let all = (0..variants.len()).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
                        s.push_str(&self.try_members(i, variants, &format!("&[{all}]")));
                    }
                }
                s.push_str("#[inline]\nfn to_json(&self) -> Value {\nmatch self {\n");
                for v in variants {
                    match how {
                        How::Tag(p) => {
                            let tag = v.values.first().map(String::as_str).unwrap_or_default();
                            let _ = writeln!(s, "Self::{}(v) => with_tag(v.to_json(), {p:?}, {tag:?}),", v.name);
                        }
                        _ => {
                            let _ = writeln!(s, "Self::{}(v) => v.to_json(),", v.name);
                        }
                    }
                }
                s.push_str("Self::Other(v) => v.clone(),\n}\n}\n}\n\n");
            }
        }
        s.push_str(&self.debug_impl(i));
        let _ = writeln!(s, "serde_via_json!({name});\n");
        s
    }

    /// The end of a union's `from_json` trying the `members` (a Rust expression, `&[usize]`)
    /// that `best_fit` keeps (in the order of `members`), the first that decodes; else `Other`.
    fn try_members(&self, i: usize, variants: &[Variant], members: &str) -> String {
        let keys: Vec<String> = variants
            .iter()
            .map(|v| {
                let names = match &v.ty {
                    Ty::Named(j) => match &self.items[self.canon[*j]].kind {
                        Kind::Struct(fields) => fields.iter().map(|f| format!("{:?}", f.json)).collect(),
                        _ => Vec::new(),
                    },
                    _ => Vec::new(),
                };
                format!("&[{}]", names.join(", "))
            })
            .collect();
        let hints: Vec<String> = variants
            .iter()
            .map(|v| {
                let pairs = self.items[i].component.as_ref().and_then(|c| self.hints.get(&(c.clone(), v.name.clone())));
                let pairs = pairs.map(|m| {
                    m.iter()
                        .map(|(k, vs)| {
                            let vs = vs.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", ");
                            format!("({k:?}, &[{vs}])")
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                });
                format!("&[{}]", pairs.unwrap_or_default())
            })
            .collect();
        let mut s = format!(
            "for i in best_fit(&value, &[{}], &[{}], {members}) {{\nmatch i {{\n",
            keys.join(", "),
            hints.join(", ")
        );
        for (n, v) in variants.iter().enumerate() {
            let _ = writeln!(
                s,
                "{n} => if let Ok(v) = Box::from_json(value.clone()) {{\nreturn Ok(Self::{}(v));\n}},",
                v.name
            );
        }
        s.push_str("_ => {}\n}\n}\nOk(Self::Other(value))\n}\n\n");
        s
    }

    /// `Debug` as `#[derive(Debug)]` writes it, but `#[inline]`: compiled only where used (the
    /// derive's `fmt` is compiled for every model, about 2 CPU seconds with every tag).
    fn debug_impl(&self, i: usize) -> String {
        let item = &self.items[i];
        let name = &item.name;
        let body = match &item.kind {
            Kind::Pending => return String::new(),
            Kind::Struct(fields) => {
                let mut b = format!("f.debug_struct({name:?})");
                for fl in fields {
                    let show = if raw_json(&fl.ty) {
                        format!("&Masked(&self.{})", fl.rust)
                    } else {
                        format!("&self.{}", fl.rust)
                    };
                    let _ = write!(b, ".field({:?}, {show})", fl.rust.trim_start_matches("r#"));
                }
                b.push_str(".finish()");
                b
            }
            Kind::Enum(values) => {
                let mut names = BTreeSet::new();
                let mut b = String::from("match self {\n");
                for v in values {
                    let vn = distinct(&mut names, upper_camel(v, true));
                    let _ = writeln!(b, "Self::{vn} => f.write_str({vn:?}),");
                }
                b.push_str("Self::Other(v) => f.debug_tuple(\"Other\").field(v).finish(),\n}");
                b
            }
            Kind::Union(_, variants) => {
                let mut b = String::from("match self {\n");
                for v in variants {
                    let show = if raw_json(&v.ty) { "&Masked(&**v)" } else { "v" };
                    let _ = writeln!(b, "Self::{0}(v) => f.debug_tuple({0:?}).field({show}).finish(),", v.name);
                }
                b.push_str("Self::Other(v) => f.debug_tuple(\"Other\").field(&Masked(v)).finish(),\n}");
                b
            }
        };
        format!(
            "impl std::fmt::Debug for {name} {{\n#[inline]\nfn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{\n{body}\n}}\n}}\n\n"
        )
    }

    /// The file of an item: its tag's when one tag reaches it, else `shared`.
    fn file_of(&self, i: usize) -> String {
        match self.tags[i].iter().collect::<Vec<_>>().as_slice() {
            [one] => one.replace('-', "_"),
            _ => "shared".to_owned(),
        }
    }

    /// `gen/` files: name -> Rust text (before rustfmt).
    pub(crate) fn files(&self) -> BTreeMap<String, String> {
        let mut bodies: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
        for i in 0..self.items.len() {
            if self.tags[i].is_empty() {
                continue;
            }
            bodies.entry(self.file_of(i)).or_default().push((self.items[i].name.clone(), i));
        }
        let mut files = BTreeMap::new();
        let mut module_list = String::new();
        for (file, mut items) in bodies {
            items.sort();
            let mut text = String::from(HEADER);
            let _ = writeln!(
                text,
                "//! Models {}.\n",
                if file == "shared" {
                    "reached by the operations of more than one tag".to_owned()
                } else {
                    format!("reached only by the operations of the `{}` feature", file.replace('_', "-"))
                }
            );
            text.push_str("#[allow(unused_imports)]\nuse crate::schemas::*;\n#[allow(unused_imports)]\nuse serde_json::{Map, Value};\n\n");
            for (_, i) in &items {
                if file == "shared" {
                    text.push_str(&cfg_of(&self.tags[*i].iter().cloned().collect::<Vec<_>>()));
                }
                let body = self.item_text(*i);
                // The cfg applies to the first item of the text; the impls need it too.
                if file == "shared" {
                    let cfg = cfg_of(&self.tags[*i].iter().cloned().collect::<Vec<_>>());
                    text.push_str(
                        &body
                            .replace("\nimpl ", &format!("\n{cfg}impl "))
                            .replace("\nserde_via_json!", &format!("\n{cfg}serde_via_json!")),
                    );
                } else {
                    text.push_str(&body);
                }
            }
            if file == "shared" {
                module_list.push_str(
                    "mod shared;\n#[allow(unused_imports, unreachable_pub)] // (empty without a tag feature)\npub use shared::*;\n",
                );
            } else {
                let feature = file.replace('_', "-");
                let _ = writeln!(
                    module_list,
                    "#[cfg(feature = \"{feature}\")]\nmod {file};\n#[cfg(feature = \"{feature}\")]\npub use {file}::*;"
                );
            }
            files.insert(format!("{file}.rs"), text);
        }
        files.insert("mod.rs".to_owned(), self.mod_text(&module_list));
        files.insert("examples.rs".to_owned(), self.examples_text());
        files
    }

    fn mod_text(&self, module_list: &str) -> String {
        let mut s = String::from(HEADER);
        s.push_str(
            "//! The generated models, one file per tag for those only one tag reaches, `shared` for\n\
             //! the rest.\n\
             // Generated code: the spec's descriptions hold bare URLs and Markdown lists rustdoc and\n\
             // clippy would rewrap; constructors take every required field; variant names follow\n\
             // the spec's values.\n\
             #![allow(\n\
             rustdoc::bare_urls,\n\
             clippy::doc_lazy_continuation,\n\
             clippy::doc_overindented_list_items,\n\
             clippy::too_many_arguments,\n\
             clippy::new_without_default,\n\
             clippy::enum_variant_names,\n\
             clippy::upper_case_acronyms,\n\
             clippy::large_enum_variant,\n\
             clippy::too_long_first_doc_paragraph\n\
             )]\n\n",
        );
        s.push_str(module_list);
        s.push_str("\n#[cfg(feature = \"test-util\")]\nmod examples;\n#[cfg(feature = \"test-util\")]\npub use examples::round_trip_at;\n\n");
        let paths: BTreeSet<&String> = self.overrides.values().collect();
        s.push_str("// The hand-written models used instead of generated ones (overrides.toml).\n");
        for p in paths {
            let _ = writeln!(s, "json_via_serde!({p});");
        }
        s
    }

    /// The registry of the example test: a schema's JSON pointer -> decode and re-encode.
    fn examples_text(&self) -> String {
        let mut s = String::from(HEADER);
        s.push_str(
            "//! Decoding and re-encoding by the spec's JSON pointer of a schema, for the test that\n\
             //! decodes every example of the spec (`core/tests/spec_examples.rs`).\n\n\
             #[allow(unused_imports)]\nuse crate::schemas::*;\nuse serde_json::Value;\n\n\
             /// Decodes `value` as the model of the schema at `pointer` in the spec\n\
             /// (`/components/schemas/Link`, a property's or a media type's schema) and encodes it\n\
             /// back; `None` if no model of the enabled features is that schema's.\n\
             #[doc(hidden)]\n\
             pub fn round_trip_at(pointer: &str, value: Value) -> Option<Result<Value, DecodeError>> {\n",
        );
        for (ptr, ty) in &self.at {
            let mut named = Vec::new();
            collect_named(ty, &mut named);
            if named.iter().any(|&i| self.tags[self.canon[i]].is_empty()) {
                continue; // an item no emitted model holds
            }
            let cfg = cfg_of(&self.features_of(ty, true));
            let expr = self.render(ty, true, "");
            let _ = writeln!(s, "{cfg}if pointer == {ptr:?} {{\nreturn Some(round_trip::<{expr}>(value));\n}}");
        }
        s.push_str("let _ = value;\nNone\n}\n");
        s
    }

    /// How many items (keepers, aliases) and files.
    pub(crate) fn counts(&self) -> (usize, usize) {
        let reached: Vec<usize> = (0..self.items.len()).filter(|&i| !self.tags[i].is_empty()).collect();
        let keepers = reached.iter().filter(|&&i| self.canon[i] == i).count();
        (keepers, reached.len() - keepers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(upper_camel("AWS", true), "Aws");
        assert_eq!(upper_camel("us-east-1", true), "UsEast1");
        assert_eq!(upper_camel("2d", true), "V2d");
        assert_eq!(upper_camel("", true), "Empty");
        assert_eq!(upper_camel("AWSKMSConfiguration", false), "AWSKMSConfiguration");
        assert_eq!(upper_camel("tokenFilterasciiFolding", false), "TokenFilterasciiFolding");
        assert_eq!(snake("groupId"), "group_id");
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("AWSKMSConfig"), "awskms_config");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("1x"), "v_1x");
        let secret = atlas_admin_core::is_secret_field;
        assert!(secret("password") && secret("apiKey") && secret("hecToken") && secret("licenseKey"));
        assert!(!secret("apiKeyId") && !secret("maskedSecret") && !secret("tokenEndpointUrl"));
    }

    #[test]
    fn docs_cannot_become_links_html_or_doctests() {
        let d = doc(Some("See [this](x) <b>\n    indented\n```\ncode\n```"), "");
        assert_eq!(d, "/// See \\[this\\](x) \\<b\\>\n/// indented\n/// '''\n/// code\n/// '''\n");
    }
}
