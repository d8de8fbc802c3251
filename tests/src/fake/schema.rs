//! A small, bounded JSON Schema of the OpenAPI 3.0 dialect, over any document holding
//! `components.schemas` (the vendored spec read as JSON, or the fake's embedded extract of it):
//! [`Schemas::validate`] says where a value breaks a schema, [`Schemas::example`] makes a value
//! that keeps it, [`Schemas::conform`] repairs a value into one that keeps it (keeping what is
//! valid), [`Schemas::drop_write_only`] takes out what is never answered.
//!
//! Understood: `$ref` (to `#/components/schemas/…`), `allOf`, `oneOf`/`anyOf` (a value must
//! match at least one branch: the spec's branches overlap, so "exactly one" would refuse valid
//! bodies), `discriminator` (its `mapping` picks the branch), `type`, `nullable`, `enum`,
//! `required` (a `readOnly` property is not required of a request, a `writeOnly` one not of a
//! response), `properties`, `additionalProperties`, `items`, `minItems`/`maxItems`,
//! `minLength`/`maxLength`, `minimum`/`maximum` (exclusive in the 3.0 boolean form), `pattern`
//! where it is one the core knows ([`Pattern`], 24-hex ids; others are not checked). Not
//! checked: `format`.
//!
//! Bounded: nesting deeper than [`MAX_DEPTH`] is not looked into, and one call does at most
//! [`BUDGET`] steps (then it stops looking: [`Schemas::validate_checked`] says so), so any input
//! is judged in bounded time; [`Schemas::drop_write_only`] is linear in the value's size.

use super::values::example_value;
use atlas_admin_core::{ParamKind, Pattern};
use serde_json::{Map, Value};
use std::cell::{Cell, RefCell};

/// How deep into nested schemas and values a call looks.
pub const MAX_DEPTH: usize = 40;
/// How many schema steps one call may take.
pub const BUDGET: usize = 200_000;
/// How many violations one validation reports at most.
const MAX_VIOLATIONS: usize = 20;
const SCHEMAS: &str = "#/components/schemas/";
/// The spec's pattern of 24-hex ids (the core's [`ParamKind::Id`]).
pub(crate) const HEX24: &str = "^([a-f0-9]{24})$";

/// Which side of an exchange a body is: a request need not carry `readOnly` properties, a
/// response need not carry `writeOnly` ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// A request body.
    Request,
    /// A response body.
    Response,
}

/// One way a value breaks a schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Where, as a dotted path from the body (`replicationSpecs[0].regionConfigs`; empty for
    /// the body itself).
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.field.is_empty() {
            true => write!(f, "body {}", self.reason),
            false => write!(f, "{} {}", self.field, self.reason),
        }
    }
}

/// What [`Schemas::example`] and [`Schemas::conform`] put in a string field the schema alone
/// cannot fill well (an id of a fresh item, a date of the fake's clock): the field's name and
/// resolved schema in, a value (kept only if the schema accepts it) or `None` out.
pub type Fill<'f> = &'f dyn Fn(&str, &Value) -> Option<Value>;

/// The schemas of one document (`components.schemas` inside it).
#[derive(Clone, Copy)]
pub struct Schemas<'a> {
    root: &'a Value,
}

/// The schema that accepts everything (an unknown `$ref`, a depth past [`MAX_DEPTH`]).
static ANYTHING: Value = Value::Null;

/// The state of one call: steps left.
struct Walk {
    budget: Cell<usize>,
    /// The schemas whose `oneOf`/`anyOf` branches are being looked at.
    open: RefCell<Vec<*const Value>>,
    /// (value, schema) pairs being looked at as an `allOf` part: the whole (the schema holding
    /// the `allOf`) judges and fills the required properties of all its parts at once.
    parts: RefCell<Vec<(*const Value, *const Value)>>,
}

impl Walk {
    fn new() -> Walk {
        Walk { budget: Cell::new(BUDGET), open: RefCell::new(Vec::new()), parts: RefCell::new(Vec::new()) }
    }

    /// Starts looking at the branches of `s`; `false` if they are being looked at already: a
    /// branch that is `allOf` its parent (the spec's polymorphism) does not loop back into them.
    fn enter(&self, s: &Value) -> bool {
        let mut open = self.open.borrow_mut();
        let fresh = !open.iter().any(|p| std::ptr::eq(*p, s));
        if fresh {
            open.push(s);
        }
        fresh
    }

    fn leave(&self) {
        self.open.borrow_mut().pop();
    }

    /// Runs `f` with `value` looked at as the `allOf` part `part`.
    fn as_part<R>(&self, value: &Value, part: &Value, f: impl FnOnce() -> R) -> R {
        self.parts.borrow_mut().push((value, part));
        let out = f();
        self.parts.borrow_mut().pop();
        out
    }

    /// Whether `value` is being looked at as the `allOf` part `schema`.
    fn is_part(&self, value: &Value, schema: &Value) -> bool {
        self.parts.borrow().iter().any(|(v, s)| std::ptr::eq(*v, value) && std::ptr::eq(*s, schema))
    }

    /// Takes one step; `false` once the budget is spent.
    fn step(&self) -> bool {
        let left = self.budget.get();
        self.budget.set(left.saturating_sub(1));
        left > 0
    }
}

impl<'a> Schemas<'a> {
    /// The schemas of `root` (a document with `components.schemas`).
    pub fn new(root: &'a Value) -> Self {
        Schemas { root }
    }

    /// `schema` with its `$ref`s followed (at most 16 hops; an unknown one accepts anything).
    pub fn resolve(&self, schema: &'a Value) -> &'a Value {
        let mut s = schema;
        for _ in 0..16 {
            match s.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    let name = r.strip_prefix(SCHEMAS).unwrap_or(r);
                    s = self.root.pointer("/components/schemas").and_then(|c| c.get(name)).unwrap_or(&ANYTHING);
                }
                None => return s,
            }
        }
        &ANYTHING
    }

    /// Where `value` breaks `schema` as a body going in `direction` (empty: it keeps it), as far
    /// as [`BUDGET`] steps look: past them the rest is not checked, and taken (a large body Atlas
    /// accepts, a search index of many fields, is not refused for its size).
    pub fn validate(&self, schema: &'a Value, value: &Value, direction: Direction) -> Vec<Violation> {
        self.validate_checked(schema, value, direction).0
    }

    /// [`Self::validate`], and whether the whole value was looked at (`false`: the budget ran
    /// out first, and what follows was not checked).
    pub fn validate_checked(&self, schema: &'a Value, value: &Value, direction: Direction) -> (Vec<Violation>, bool) {
        let walk = Walk::new();
        let mut out = Vec::new();
        self.check(schema, value, direction, "", 0, &walk, &mut out);
        (out, walk.budget.get() > 0)
    }

    /// Whether `value` keeps `schema` (within the walk's budget).
    fn keeps(&self, schema: &'a Value, value: &Value, dir: Direction, depth: usize, walk: &Walk) -> bool {
        let mut out = Vec::new();
        self.check(schema, value, dir, "", depth, walk, &mut out);
        out.is_empty()
    }

    /// The branch of a `oneOf`/`anyOf` the discriminator names for `value`.
    fn discriminated(&self, s: &'a Value, value: &Value) -> Option<&'a Value> {
        let d = s.get("discriminator")?;
        let tag = value.get(d.get("propertyName")?.as_str()?)?.as_str()?;
        let target = d.get("mapping").and_then(|m| m.get(tag)).and_then(Value::as_str);
        let branches = s.get("oneOf").or_else(|| s.get("anyOf"))?.as_array()?;
        branches.iter().find(|b| {
            let r = b.get("$ref").and_then(Value::as_str);
            match target {
                Some(t) => r == Some(t),
                None => r.and_then(|r| r.strip_prefix(SCHEMAS)) == Some(tag),
            }
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        schema: &'a Value,
        value: &Value,
        dir: Direction,
        at: &str,
        depth: usize,
        walk: &Walk,
        out: &mut Vec<Violation>,
    ) {
        if depth > MAX_DEPTH || out.len() >= MAX_VIOLATIONS || !walk.step() {
            return;
        }
        let s = self.resolve(schema);
        let Some(map) = s.as_object() else { return };
        let mut fail = |reason: String| out.push(Violation { field: at.to_owned(), reason });
        if value.is_null() {
            if map.get("nullable") != Some(&Value::Bool(true)) && map.contains_key("type") {
                fail("must not be null".to_owned());
            }
            if map.get("nullable") == Some(&Value::Bool(true)) || map.contains_key("type") {
                return;
            }
        }
        if let Some(Value::Array(options)) = map.get("enum") {
            if !value.is_null() && !in_enum(options, value, dir) {
                fail(format!("must be one of {}", shown_enum(options)));
                return;
            }
        }
        if let Some(t) = map.get("type").and_then(Value::as_str) {
            if !has_type(value, t) {
                fail(format!("must be of type {t}"));
                return;
            }
        }
        if let Some(reason) = pattern_problem(map, value, at) {
            fail(reason);
            return;
        }
        for sub in map.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            walk.as_part(value, self.resolve(sub), || self.check(sub, value, dir, at, depth + 1, walk, out));
        }
        let branches = map.get("oneOf").or_else(|| map.get("anyOf")).and_then(Value::as_array);
        if let Some(branches) = branches.filter(|b| !b.is_empty() && walk.enter(s)) {
            match self.discriminated(s, value) {
                Some(branch) => self.check(branch, value, dir, at, depth + 1, walk, out),
                None if !branches.iter().any(|b| self.keeps(b, value, dir, depth + 1, walk)) => {
                    out.push(Violation {
                        field: at.to_owned(),
                        reason: format!("matches none of its {} schemas", branches.len()),
                    });
                }
                None => {}
            }
            walk.leave();
        }
        self.check_bounds(map, value, at, out);
        match value {
            Value::Array(items) => {
                if let Some(item) = map.get("items") {
                    for (i, v) in items.iter().enumerate() {
                        self.check(item, v, dir, &format!("{at}[{i}]"), depth + 1, walk, out);
                    }
                }
            }
            Value::Object(fields) => {
                if !walk.is_part(value, s) {
                    self.check_required(s, fields, dir, at, out);
                }
                self.check_object(map, fields, dir, at, depth, walk, out);
            }
            _ => {}
        }
    }

    /// Lengths, sizes and ranges.
    fn check_bounds(&self, map: &Map<String, Value>, value: &Value, at: &str, out: &mut Vec<Violation>) {
        let num = |k: &str| map.get(k).and_then(Value::as_f64);
        let mut fail = |reason: String| out.push(Violation { field: at.to_owned(), reason });
        let size = match value {
            Value::String(s) => Some((s.chars().count(), "minLength", "maxLength", "characters")),
            Value::Array(a) => Some((a.len(), "minItems", "maxItems", "items")),
            _ => None,
        };
        if let Some((n, min, max, what)) = size {
            #[allow(clippy::cast_precision_loss)]
            let n_f = n as f64;
            if num(min).is_some_and(|m| n_f < m) || num(max).is_some_and(|m| n_f > m) {
                fail(format!("must have {} {what}", shown_range(num(min), num(max))));
            }
        }
        if let Some(x) = value.as_f64() {
            let excl = |k: &str| map.get(k) == Some(&Value::Bool(true));
            let low = num("minimum").is_some_and(|m| x < m || (excl("exclusiveMinimum") && x == m));
            let high = num("maximum").is_some_and(|m| x > m || (excl("exclusiveMaximum") && x == m));
            if low || high {
                fail(format!("must be {}", shown_range(num("minimum"), num("maximum"))));
            }
        }
    }

    /// The required properties of `s` and of its `allOf` parts (bounded), each with its schema
    /// where `s` or one of its parts gives one.
    fn required_of(&self, s: &'a Value) -> Vec<(&'a str, Option<&'a Value>)> {
        fn collect<'a>(schemas: &Schemas<'a>, s: &'a Value, depth: usize, out: &mut Vec<&'a str>) {
            let s = schemas.resolve(s);
            let own = s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
            for name in own {
                if !out.contains(&name) {
                    out.push(name);
                }
            }
            if depth < 8 {
                for sub in s.get("allOf").and_then(Value::as_array).into_iter().flatten() {
                    collect(schemas, sub, depth + 1, out);
                }
            }
        }
        let mut names = Vec::new();
        collect(self, s, 0, &mut names);
        names.into_iter().map(|n| (n, self.property(s, n, 0))).collect()
    }

    /// The schema of property `name` of `s`: its own, else one of its `allOf` parts' (bounded).
    pub(crate) fn property(&self, s: &'a Value, name: &str, depth: usize) -> Option<&'a Value> {
        let s = self.resolve(s);
        if let Some(p) = s.get("properties").and_then(|p| p.get(name)) {
            return Some(p);
        }
        let parts = s.get("allOf").and_then(Value::as_array).filter(|_| depth < 8)?;
        parts.iter().find_map(|sub| self.property(sub, name, depth + 1))
    }

    /// A violation for each required property of `s` (and its parts) that `fields` lacks.
    fn check_required(
        &self,
        s: &'a Value,
        fields: &Map<String, Value>,
        dir: Direction,
        at: &str,
        out: &mut Vec<Violation>,
    ) {
        for (name, prop) in self.required_of(s) {
            if !fields.contains_key(name) && !prop.is_some_and(|p| skipped(self.resolve(p), dir)) {
                out.push(Violation { field: child_path(at, name), reason: "is required".to_owned() });
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn check_object(
        &self,
        map: &'a Map<String, Value>,
        fields: &Map<String, Value>,
        dir: Direction,
        at: &str,
        depth: usize,
        walk: &Walk,
        out: &mut Vec<Violation>,
    ) {
        let props = map.get("properties").and_then(Value::as_object);
        let child = |name: &str| child_path(at, name);
        for (name, v) in fields {
            match props.and_then(|p| p.get(name)) {
                Some(prop) => self.check(prop, v, dir, &child(name), depth + 1, walk, out),
                None => match map.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        out.push(Violation { field: child(name), reason: "is not a property".to_owned() });
                    }
                    Some(extra @ Value::Object(_)) => self.check(extra, v, dir, &child(name), depth + 1, walk, out),
                    _ => {}
                },
            }
        }
    }

    /// A value that keeps `schema` going in `direction`: the schema's `example` or `default`
    /// where it keeps the schema, else the first `enum` value, else one built from the type
    /// (an object with its required properties; `fill` first asked for each named field).
    pub fn example(&self, schema: &'a Value, direction: Direction, fill: Fill<'_>) -> Value {
        self.make(schema, direction, fill, "", 0, &Walk::new())
    }

    fn make(&self, schema: &'a Value, dir: Direction, fill: Fill<'_>, name: &str, depth: usize, walk: &Walk) -> Value {
        let s = self.resolve(schema);
        let Some(map) = s.as_object() else { return Value::Null };
        if depth > MAX_DEPTH || !walk.step() {
            return empty_of(map);
        }
        if !name.is_empty() && map.get("type").and_then(Value::as_str) == Some("string") {
            if let Some(v) = fill(name, s).filter(|v| self.keeps(s, v, dir, depth, walk)) {
                return v;
            }
        }
        for key in ["example", "default"] {
            if let Some(v) = map.get(key).filter(|v| !v.is_null() && self.keeps(s, v, dir, depth, walk)) {
                return v.clone();
            }
        }
        if let Some(first) = map.get("enum").and_then(Value::as_array).and_then(|e| e.iter().find(|v| !v.is_null())) {
            return first.clone();
        }
        let branches = map.get("oneOf").or_else(|| map.get("anyOf")).and_then(Value::as_array);
        if let Some(first) = branches.and_then(|b| b.first()).filter(|_| walk.enter(s)) {
            let mut v = self.make(first, dir, fill, name, depth + 1, walk);
            self.tag(s, first, &mut v);
            walk.leave();
            return v;
        }
        let mut v = empty_of(map);
        for sub in map.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            let part = self.make(sub, dir, fill, name, depth + 1, walk);
            match (&mut v, part) {
                (Value::Object(whole), Value::Object(part)) => whole.extend(part),
                (v @ Value::Null, part) => *v = part,
                _ => {}
            }
        }
        match &mut v {
            Value::Object(fields) => self.fill_required(s, fields, dir, fill, depth, walk),
            Value::Array(items) => {
                let n = map.get("minItems").and_then(Value::as_u64).unwrap_or(0).min(4);
                if let Some(item) = map.get("items") {
                    items.extend((0..n).map(|_| self.make(item, dir, fill, name, depth + 1, walk)));
                }
            }
            Value::String(_) => v = string_of(map),
            Value::Number(_) => v = number_of(map),
            _ => {}
        }
        v
    }

    /// Sets the discriminator's property of `value` to the tag naming `branch`, if `s` has one.
    fn tag(&self, s: &Value, branch: &Value, value: &mut Value) {
        let Some(d) = s.get("discriminator") else { return };
        let Some(prop) = d.get("propertyName").and_then(Value::as_str) else { return };
        let Some(r) = branch.get("$ref").and_then(Value::as_str) else { return };
        let mapped = d
            .get("mapping")
            .and_then(Value::as_object)
            .and_then(|m| m.iter().find(|(_, t)| t.as_str() == Some(r)).map(|(tag, _)| tag.clone()));
        let tag = mapped.or_else(|| r.strip_prefix(SCHEMAS).map(str::to_owned));
        if let (Some(tag), Value::Object(fields)) = (tag, value) {
            fields.insert(prop.to_owned(), Value::String(tag));
        }
    }

    /// A scalar where an object is wanted, as the object with it in its one property whose enum
    /// holds it, else in its one `…Name` string property (a role name `ORG_MEMBER` sent,
    /// `{"roleName": "ORG_MEMBER"}` answered).
    fn lift(&self, map: &'a Map<String, Value>, value: &Value) -> Option<Value> {
        if map.get("type").and_then(Value::as_str) != Some("object") || value.is_object() || value.is_array() {
            return None;
        }
        let props = map.get("properties")?.as_object()?;
        let holds =
            |p: &Value| self.resolve(p).get("enum").and_then(Value::as_array).is_some_and(|e| e.contains(value));
        let named = |n: &str, p: &Value| {
            n.ends_with("Name") && value.is_string() && self.resolve(p).get("type") == Some(&Value::from("string"))
        };
        fn only(found: Vec<&String>) -> Option<&String> {
            if let [one] = found.as_slice() { Some(*one) } else { None }
        }
        let field = only(props.iter().filter(|(_, p)| holds(p)).map(|(n, _)| n).collect())
            .or_else(|| only(props.iter().filter(|(n, p)| named(n, p)).map(|(n, _)| n).collect()))?;
        Some(Value::Object(Map::from_iter([(field.clone(), value.clone())])))
    }

    /// Adds the required properties `fields` lacks (not those the direction skips).
    fn fill_required(
        &self,
        s: &'a Value,
        fields: &mut Map<String, Value>,
        dir: Direction,
        fill: Fill<'_>,
        depth: usize,
        walk: &Walk,
    ) {
        for (name, prop) in self.required_of(s) {
            // A property no part describes is left to the whole that does.
            let Some(prop) = prop.filter(|p| !skipped(self.resolve(p), dir)) else { continue };
            if !fields.contains_key(name) {
                let v = self.make(prop, dir, fill, name, depth + 1, walk);
                fields.insert(name.to_owned(), v);
            }
        }
    }

    /// `value` completed to keep `schema` as a body going in `direction`: a missing required
    /// property is added ([`Self::example`]); a value that was sent or seeded is never replaced,
    /// even where it breaks the schema (Atlas sends values off its spec's enums, `null` for
    /// lists: atlas-facts.md §7), only a scalar sent where the schema wants an object is lifted
    /// into the object that holds it (a role name `ORG_MEMBER` answered as
    /// `{"roleName": "ORG_MEMBER"}`), and a body that is itself of another type than the
    /// schema's (the fake's stored item where a list is answered) is made anew.
    pub fn conform(&self, schema: &'a Value, value: &mut Value, direction: Direction, fill: Fill<'_>) {
        self.repair(schema, value, direction, fill, "", 0, &Walk::new());
    }

    #[allow(clippy::too_many_arguments)]
    fn repair(
        &self,
        schema: &'a Value,
        value: &mut Value,
        dir: Direction,
        fill: Fill<'_>,
        name: &str,
        depth: usize,
        walk: &Walk,
    ) {
        let s = self.resolve(schema);
        let Some(map) = s.as_object() else { return };
        if depth > MAX_DEPTH || !walk.step() {
            return;
        }
        if value.is_null() {
            return;
        }
        let typed = map.get("type").and_then(Value::as_str);
        if typed.is_some_and(|t| !has_type(value, t)) {
            if let Some(mut object) = self.lift(map, value) {
                self.repair(s, &mut object, dir, fill, name, depth + 1, walk);
                *value = object;
            } else if depth == 0 {
                // The body itself of another type (the fake's stored object where the answer is
                // a list, a string, a flag) is the fake's own shape, not a value sent: made.
                *value = self.make(s, dir, fill, name, depth, walk);
            }
            return;
        }
        for sub in map.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            walk.parts.borrow_mut().push((&raw const *value, self.resolve(sub)));
            self.repair(sub, value, dir, fill, name, depth + 1, walk);
            walk.parts.borrow_mut().pop();
        }
        let branches = map.get("oneOf").or_else(|| map.get("anyOf")).and_then(Value::as_array);
        if let Some(branches) = branches.filter(|b| !b.is_empty() && walk.enter(s)) {
            let chosen = self.discriminated(s, value).or_else(|| {
                let first_kept = branches.iter().find(|b| self.keeps(b, value, dir, depth + 1, walk));
                first_kept.or_else(|| branches.first())
            });
            if let Some(branch) = chosen {
                self.repair(branch, value, dir, fill, name, depth + 1, walk);
                self.tag(s, branch, value);
            }
            walk.leave();
        }
        let part = walk.is_part(value, s);
        match value {
            Value::Object(fields) => {
                if !part {
                    self.fill_required(s, fields, dir, fill, depth, walk);
                }
                let props = map.get("properties").and_then(Value::as_object);
                for (field, v) in fields.iter_mut() {
                    let extra = map.get("additionalProperties").filter(|a| a.is_object());
                    if let Some(prop) = props.and_then(|p| p.get(field)).or(extra) {
                        self.repair(prop, v, dir, fill, field, depth + 1, walk);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item) = map.get("items") {
                    for v in items.iter_mut() {
                        self.repair(item, v, dir, fill, name, depth + 1, walk);
                    }
                }
            }
            _ => {}
        }
    }
}

impl<'a> Schemas<'a> {
    /// `value` without the properties `schema` marks `writeOnly`, at any depth (what Atlas
    /// never answers: a database user's `password`); a property of a `oneOf`/`anyOf` branch
    /// counts. Bounded like the other walks.
    pub fn drop_write_only(&self, schema: &'a Value, value: &mut Value) {
        self.strip(schema, value, 0);
    }

    /// Linear in the size of `value` (each of its values is looked at once, each property's
    /// schema found in bounded steps), so no budget: a large body loses every `writeOnly` field.
    fn strip(&self, schema: &'a Value, value: &mut Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let s = self.resolve(schema);
        match value {
            Value::Object(fields) => {
                let branches = s.get("oneOf").or_else(|| s.get("anyOf")).and_then(Value::as_array);
                let extra = s.get("additionalProperties").filter(|a| a.is_object());
                let names: Vec<String> = fields.keys().cloned().collect();
                for name in names {
                    let in_branch = || branches.into_iter().flatten().find_map(|b| self.property(b, &name, 0));
                    let Some(prop) = self.property(s, &name, 0).or_else(in_branch).or(extra) else { continue };
                    let write_only = |p: &Value| p.get("writeOnly") == Some(&Value::Bool(true));
                    if write_only(prop) || write_only(self.resolve(prop)) {
                        fields.remove(&name);
                    } else if let Some(v) = fields.get_mut(&name) {
                        self.strip(prop, v, depth + 1);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item) = s.get("items") {
                    for v in items {
                        self.strip(item, v, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Drops `type: object` from every schema in `doc` that declares it over `oneOf` branches of
/// which none is an object (`regionName`, `eventTypeName`: string enums by cloud provider or
/// event family): no value could keep such a schema, and Atlas sends and takes the strings
/// (its documented examples: `"regionName": "US_EAST_1"`). How many it changed.
pub fn untype_scalar_unions(doc: &mut Value) -> usize {
    fn walk(v: &mut Value, depth: usize) -> usize {
        if depth > 64 {
            return 0;
        }
        match v {
            Value::Object(map) => {
                let scalar = |b: &Value| b.get("type").and_then(Value::as_str).is_some_and(|t| t != "object");
                let union =
                    map.get("oneOf").and_then(Value::as_array).is_some_and(|b| !b.is_empty() && b.iter().all(scalar));
                let fixed = usize::from(union && map.get("type") == Some(&Value::from("object")));
                if fixed == 1 {
                    map.remove("type");
                }
                fixed + map.values_mut().map(|x| walk(x, depth + 1)).sum::<usize>()
            }
            Value::Array(items) => items.iter_mut().map(|x| walk(x, depth + 1)).sum(),
            _ => 0,
        }
    }
    walk(doc, 0)
}

/// The path of field `name` below `at`.
fn child_path(at: &str, name: &str) -> String {
    if at.is_empty() { name.to_owned() } else { format!("{at}.{name}") }
}

/// Whether a required property need not be sent in `dir`.
fn skipped(prop: &Value, dir: Direction) -> bool {
    let flag = |k: &str| prop.get(k) == Some(&Value::Bool(true));
    match dir {
        Direction::Request => flag("readOnly"),
        Direction::Response => flag("writeOnly"),
    }
}

/// Whether `value` is one of the enum's `options`; in a request, a string in any case
/// (`"secondary"` for `SECONDARY`: what Atlas sends and takes, atlas-facts.md §7).
fn in_enum(options: &[Value], value: &Value, dir: Direction) -> bool {
    let same_text = |o: &Value| matches!((o, value), (Value::String(o), Value::String(v)) if o.eq_ignore_ascii_case(v));
    options.contains(value) || (dir == Direction::Request && options.iter().any(same_text))
}

/// Whether `value` is of OpenAPI type `t` (an integer is a number too).
fn has_type(value: &Value, t: &str) -> bool {
    match t {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => value.is_number(),
        _ => true,
    }
}

/// The empty value of a schema's type (`{}` for an object or a schema with properties).
fn empty_of(map: &Map<String, Value>) -> Value {
    match map.get("type").and_then(Value::as_str) {
        Some("array") => Value::Array(Vec::new()),
        Some("string") => Value::String(String::new()),
        Some("integer" | "number") => Value::from(0),
        Some("boolean") => Value::Bool(false),
        Some("object") => Value::Object(Map::new()),
        _ if map.contains_key("properties") || map.contains_key("required") => Value::Object(Map::new()),
        _ => Value::Null,
    }
}

/// Why a string breaks the schema's `pattern` (one the core knows), if it does.
fn pattern_problem(map: &Map<String, Value>, value: &Value, field: &str) -> Option<String> {
    let (Value::String(text), Some(kind)) = (value, map.get("pattern").and_then(Value::as_str).and_then(known_pattern))
    else {
        return None;
    };
    kind.check(field, text).err().map(|e| e.reason().to_owned())
}

/// The parameter kind that checks values of the spec's `regex`, if the core knows it.
fn known_pattern(regex: &str) -> Option<ParamKind> {
    match regex {
        HEX24 => Some(ParamKind::Id),
        _ => Pattern::from_regex(regex).map(ParamKind::Pattern),
    }
}

/// A string keeping the schema's format, pattern (those the core knows) and length.
fn string_of(map: &Map<String, Value>) -> Value {
    let kind = map.get("pattern").and_then(Value::as_str).and_then(known_pattern);
    let text = match (kind, map.get("format").and_then(Value::as_str)) {
        (Some(kind), _) => example_value(&kind),
        (None, Some("date-time")) => "2026-01-01T00:00:00Z".to_owned(),
        (None, Some("date")) => "2026-01-01".to_owned(),
        (None, Some("email")) => "ada@example.com".to_owned(),
        (None, Some("uuid")) => "5f1e2d3c-4b5a-4978-8796-a5b45f1e2d3c".to_owned(),
        _ => "example1".to_owned(),
    };
    let len = |k: &str| map.get(k).and_then(Value::as_u64).and_then(|n| usize::try_from(n).ok());
    let (min, max) = (len("minLength").unwrap_or(0), len("maxLength").unwrap_or(usize::MAX));
    let n = text.chars().count();
    Value::String(match (n < min, n > max) {
        (true, _) => text.chars().chain(std::iter::repeat('x')).take(min.min(4096)).collect(),
        (_, true) => text.chars().take(max).collect(),
        _ => text,
    })
}

/// A number within the schema's range (its minimum, else 1 capped by its maximum).
fn number_of(map: &Map<String, Value>) -> Value {
    let min = map.get("minimum").and_then(Value::as_f64);
    let max = map.get("maximum").and_then(Value::as_f64);
    let excl_min = map.get("exclusiveMinimum") == Some(&Value::Bool(true));
    let x = match (min, max) {
        (Some(m), _) if excl_min => m + 1.0,
        (Some(m), _) => m,
        (None, Some(m)) if m < 1.0 => m - f64::from(u8::from(map.get("exclusiveMaximum") == Some(&Value::Bool(true)))),
        _ => 1.0,
    };
    #[allow(clippy::cast_possible_truncation)]
    match x.fract() == 0.0 && x.abs() < 9.0e15 {
        true => Value::from(x as i64),
        false => serde_json::Number::from_f64(x).map_or(Value::from(0), Value::Number),
    }
}

/// `from 1 to 5`, `at least 1`, `at most 5`.
fn shown_range(min: Option<f64>, max: Option<f64>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("from {a} to {b}"),
        (Some(a), None) => format!("at least {a}"),
        (None, Some(b)) => format!("at most {b}"),
        (None, None) => "in range".to_owned(),
    }
}

/// The enum's values, at most eight of them.
fn shown_enum(options: &[Value]) -> String {
    let shown: Vec<String> = options.iter().take(8).map(Value::to_string).collect();
    let more = if options.len() > 8 { ", …" } else { "" };
    format!("[{}{more}]", shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"components": {"schemas": {
            "Pet": {
                "type": "object",
                "required": ["id", "name", "kind", "secret"],
                "properties": {
                    "id": {"type": "string", "readOnly": true, "pattern": "^([a-f0-9]{24})$"},
                    "name": {"type": "string", "minLength": 2, "maxLength": 5, "example": "Rex"},
                    "kind": {"type": "string", "enum": ["DOG", "CAT"]},
                    "secret": {"type": "string", "writeOnly": true},
                    "age": {"type": "integer", "minimum": 0, "maximum": 30},
                    "tags": {"type": "array", "items": {"type": "string"}, "nullable": true}
                }
            },
            "Shape": {
                "oneOf": [{"$ref": "#/components/schemas/Square"}, {"$ref": "#/components/schemas/Circle"}],
                "discriminator": {"propertyName": "type", "mapping": {"SQUARE": "#/components/schemas/Square", "CIRCLE": "#/components/schemas/Circle"}}
            },
            "Square": {"type": "object", "required": ["side"], "properties": {"type": {"type": "string"}, "side": {"type": "integer"}}},
            "Circle": {"type": "object", "required": ["radius"], "properties": {"type": {"type": "string"}, "radius": {"type": "number"}}},
            "Loop": {"type": "object", "required": ["next"], "properties": {"next": {"$ref": "#/components/schemas/Loop"}}},
            "Provider": {
                "type": "object", "required": ["provider"],
                "properties": {"provider": {"type": "string", "enum": ["AWS", "GCP"]}},
                "oneOf": [{"$ref": "#/components/schemas/Aws"}, {"$ref": "#/components/schemas/Gcp"}],
                "discriminator": {"propertyName": "provider", "mapping": {"AWS": "#/components/schemas/Aws", "GCP": "#/components/schemas/Gcp"}}
            },
            "Aws": {"allOf": [{"$ref": "#/components/schemas/Provider"}, {"type": "object", "required": ["arn"], "properties": {"arn": {"type": "string"}}}]},
            "Gcp": {"allOf": [{"$ref": "#/components/schemas/Provider"}, {"type": "object", "required": ["account"], "properties": {"account": {"type": "string"}}}]},
            "Split": {"allOf": [
                {"type": "object", "properties": {"cidr": {"type": "string", "example": "10.0.0.0/8"}, "made": {"type": "string", "readOnly": true}}},
                {"type": "object", "required": ["cidr", "made"]}
            ]}
        }}})
    }

    fn fields(v: &[Violation]) -> Vec<&str> {
        v.iter().map(|v| v.field.as_str()).collect()
    }

    #[test]
    fn validates_types_required_enums_ranges_and_directions() {
        let d = doc();
        let s = Schemas::new(&d);
        let pet = json!({"$ref": "#/components/schemas/Pet"});
        let ok = json!({"name": "Rex", "kind": "DOG", "secret": "s", "tags": null});
        assert_eq!(s.validate(&pet, &ok, Direction::Request), []);
        assert_eq!(fields(&s.validate(&pet, &ok, Direction::Response)), ["id"], "a response carries its id");
        let bad = json!({"name": "R", "kind": "COW", "age": 31, "secret": 1, "id": "not-hex"});
        let v = s.validate(&pet, &bad, Direction::Request);
        assert_eq!(fields(&v), ["age", "id", "kind", "name", "secret"], "{v:?}");
        assert_eq!(v[2].to_string(), "kind must be one of [\"DOG\", \"CAT\"]");
        assert_eq!(
            (v[0].to_string(), v[3].to_string()),
            ("age must be from 0 to 30".to_owned(), "name must have from 2 to 5 characters".to_owned())
        );
        assert_eq!(fields(&s.validate(&pet, &json!([]), Direction::Request)), [""]);
        // An enum value in another case: taken in a request (Atlas takes `secondary`), not in a response.
        let lower = json!({"name": "Rex", "kind": "dog", "secret": "s"});
        assert_eq!(s.validate(&pet, &lower, Direction::Request), []);
        assert_eq!(fields(&s.validate(&pet, &lower, Direction::Response)), ["id", "kind"]);
    }

    #[test]
    fn one_of_follows_the_discriminator() {
        let d = doc();
        let s = Schemas::new(&d);
        let shape = json!({"$ref": "#/components/schemas/Shape"});
        assert_eq!(s.validate(&shape, &json!({"type": "SQUARE", "side": 2}), Direction::Response), []);
        let v = s.validate(&shape, &json!({"type": "CIRCLE", "side": 2}), Direction::Response);
        assert_eq!(fields(&v), ["radius"], "the mapping picks the branch");
        assert_eq!(fields(&s.validate(&shape, &json!({"x": 1}), Direction::Response)), [""]);
        let made = s.example(&shape, Direction::Response, &|_, _| None);
        assert_eq!(made, json!({"type": "SQUARE", "side": 1}));
    }

    /// A branch that is `allOf` its parent (the spec's polymorphism) is judged and made
    /// without looping back into the parent's branches.
    #[test]
    fn branches_that_include_their_parent() {
        let d = doc();
        let s = Schemas::new(&d);
        let provider = json!({"$ref": "#/components/schemas/Provider"});
        let made = s.example(&provider, Direction::Request, &|_, _| None);
        assert_eq!(made, json!({"provider": "AWS", "arn": "example1"}));
        assert_eq!(s.validate(&provider, &made, Direction::Request), []);
        let v = s.validate(&provider, &json!({"provider": "GCP", "arn": "x"}), Direction::Request);
        assert_eq!(fields(&v), ["account"]);
    }

    #[test]
    fn object_types_over_string_branches_are_dropped() {
        let mut d = json!({"a": {"type": "object", "oneOf": [{"type": "string", "enum": ["X"]}, {"type": "string"}]},
            "b": {"type": "object", "oneOf": [{"type": "object"}]}});
        assert_eq!(untype_scalar_unions(&mut d), 1);
        assert_eq!(d["a"].get("type"), None);
        assert_eq!(d["b"]["type"], "object");
    }

    /// A part that requires what another part describes: judged and filled by the whole.
    #[test]
    fn required_in_one_part_described_in_another() {
        let d = doc();
        let s = Schemas::new(&d);
        let split = json!({"$ref": "#/components/schemas/Split"});
        assert_eq!(s.validate(&split, &json!({"cidr": "a"}), Direction::Request), [], "made is readOnly");
        assert_eq!(fields(&s.validate(&split, &json!({"cidr": "a"}), Direction::Response)), ["made"]);
        let mut v = json!({});
        s.conform(&split, &mut v, Direction::Response, &|_, _| None);
        assert_eq!(v, json!({"cidr": "10.0.0.0/8", "made": "example1"}));
        assert_eq!(s.example(&split, Direction::Response, &|_, _| None), v);
    }

    #[test]
    fn examples_and_repairs_keep_the_schema() {
        let d = doc();
        let s = Schemas::new(&d);
        let pet = json!({"$ref": "#/components/schemas/Pet"});
        let none: Fill<'_> = &|_, _| None;
        let made = s.example(&pet, Direction::Response, none);
        assert_eq!(made, json!({"id": "5f1e2d3c4b5a69788796a5b4", "name": "Rex", "kind": "DOG"}));
        assert_eq!(s.validate(&pet, &made, Direction::Response), []);
        let request = s.example(&pet, Direction::Request, none);
        assert_eq!(request, json!({"name": "Rex", "kind": "DOG", "secret": "example1"}));
        let fresh = s.example(&pet, Direction::Response, &|name, _| (name == "id").then(|| json!("a".repeat(24))));
        assert_eq!(fresh["id"], json!("a".repeat(24)));
        // Review finding 3: what was sent or seeded is kept, even off the schema; only what is
        // missing is added.
        let mut sent = json!({"name": "Fido", "kind": "emu", "age": "old", "extra": true, "tags": null});
        s.conform(&pet, &mut sent, Direction::Response, none);
        assert_eq!(
            sent,
            json!({"id": "5f1e2d3c4b5a69788796a5b4", "name": "Fido", "kind": "emu", "age": "old", "extra": true, "tags": null})
        );
        let mut off = json!({"name": "Fido", "kind": "EMU", "id": "e", "age": null});
        s.conform(&pet, &mut off, Direction::Response, none);
        assert_eq!(off, json!({"name": "Fido", "kind": "EMU", "id": "e", "age": null}));
        let mut lifted = json!(["CAT"]);
        s.conform(&json!({"type": "array", "items": pet}), &mut lifted, Direction::Response, none);
        assert_eq!(lifted[0]["kind"], "CAT", "a scalar becomes the object whose enum holds it: {lifted}");
    }

    /// Review finding 10: `writeOnly` properties are dropped, nested ones and those of a
    /// branch too; the rest is kept.
    #[test]
    fn write_only_properties_are_dropped() {
        let d = doc();
        let s = Schemas::new(&d);
        let pets = json!({"type": "array", "items": {"$ref": "#/components/schemas/Pet"}});
        let mut v = json!([{"name": "Rex", "secret": "hunter2", "extra": {"secret": 1}}, {"secret": "x"}]);
        s.drop_write_only(&pets, &mut v);
        assert_eq!(v, json!([{"name": "Rex", "extra": {"secret": 1}}, {}]));
        let branchy = json!({"oneOf": [{"$ref": "#/components/schemas/Square"}, {"$ref": "#/components/schemas/Pet"}]});
        let mut v = json!({"side": 1, "secret": "hunter2"});
        s.drop_write_only(&branchy, &mut v);
        assert_eq!(v, json!({"side": 1}));
        // Review finding 10: however large the body, the last item loses its secret too.
        let mut many = Value::Array(vec![json!({"name": "Rex", "secret": "hunter2"}); BUDGET + 10]);
        s.drop_write_only(&pets, &mut many);
        assert_eq!(many.as_array().and_then(|a| a.last()), Some(&json!({"name": "Rex"})));
    }

    #[test]
    fn recursion_and_unknown_refs_are_bounded() {
        let d = doc();
        let s = Schemas::new(&d);
        let looped = json!({"$ref": "#/components/schemas/Loop"});
        let made = s.example(&looped, Direction::Response, &|_, _| None);
        let mut depth = 0;
        let mut at = &made;
        while let Some(next) = at.get("next") {
            depth += 1;
            at = next;
        }
        assert!(depth <= MAX_DEPTH + 1, "{depth}");
        let mut deep = json!({});
        for _ in 0..10_000 {
            let mut outer = Map::new();
            outer.insert("next".to_owned(), deep);
            deep = Value::Object(outer);
        }
        let _ = s.validate(&looped, &deep, Direction::Response);
        assert_eq!(s.validate(&json!({"$ref": "#/components/schemas/Nope"}), &json!(1), Direction::Response), []);
        drop_deep(deep);
    }

    /// Review finding 10: a body bigger than the step budget is judged in bounded time, not
    /// looked at to its end, and not refused for its size: what was checked counts, and
    /// `validate_checked` says the rest was not.
    #[test]
    fn work_is_bounded_by_the_budget() {
        let d = doc();
        let s = Schemas::new(&d);
        let strings = json!({"type": "array", "items": {"type": "string"}});
        let big = Value::Array(vec![json!("x"); BUDGET + 10]);
        assert_eq!(s.validate(&strings, &big, Direction::Request), [], "a large valid body is taken");
        assert_eq!(s.validate_checked(&strings, &big, Direction::Request), (vec![], false));
        let mut bad = vec![json!("x"); BUDGET + 10];
        bad[0] = json!(1);
        assert_eq!(fields(&s.validate(&strings, &Value::Array(bad), Direction::Request)), ["[0]"]);
        let small = Value::Array(vec![json!("x"); 1000]);
        assert_eq!(s.validate_checked(&strings, &small, Direction::Request), (vec![], true));
    }

    /// Drops a deeply nested value without recursing on the stack.
    fn drop_deep(mut v: Value) {
        while let Some(next) = v.get_mut("next").map(Value::take) {
            v = next;
        }
    }
}
