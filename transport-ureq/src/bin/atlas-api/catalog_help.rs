//! The help of every tag and operation of the catalog (`atlas-api --help`, `atlas-api <tag>
//! --help`, `atlas-api <tag> <operationId> --help`), and the suggestions for a misspelt tag,
//! operation or flag. Everything comes from `atlas_admin_core::catalog`.

use crate::args::{metavar, row, synopsis, tags, widest};
use atlas_admin_ureq::core::{Endpoint, ParamIn, ParamKind, SuccessBody, catalog};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Flags every operation may take besides its parameters (for suggestions).
const COMMON_FLAGS: &[&str] = &[
    "--data",
    "--file",
    "--version",
    "--output",
    "--max-bytes",
    "--envelope",
    "--pretty",
    "--debug",
    "--all-pages",
    "--cassette",
    "--record-mode",
    "--allow-unused",
    "--help",
];

/// The operations of `tag` in this build.
pub(crate) fn operations(tag: &str) -> impl Iterator<Item = &'static Endpoint> + '_ {
    catalog::all().filter(move |e| e.tag == tag)
}

/// `  <tag>  <N> operations` for every tag, in columns.
pub(crate) fn tags_help() -> String {
    let tags = tags();
    let width = widest(tags.iter().copied());
    let mut out = format!("tags ({}; `atlas-api <tag> --help` lists a tag's operations):\n", tags.len());
    for tag in &tags {
        let n = operations(tag).count();
        let s = if n == 1 { "" } else { "s" };
        row(&mut out, 2, width, tag, &format!("{n} operation{s}"));
    }
    out
}

/// The operations of `tag`: name, marks and summary, then its flags.
pub(crate) fn tag_help(tag: &str) -> String {
    let ops: Vec<&Endpoint> = operations(tag).collect();
    let width = widest(ops.iter().map(|e| e.operation_id));
    let mut out = format!(
        "usage: atlas-api {tag} <operationId> [flags]\n\n{tag}: {} operations (`atlas-api {tag} <operationId> --help` for one's flags):\n",
        ops.len()
    );
    for e in ops {
        row(&mut out, 2, width, e.operation_id, &format!("{}{}", e.summary, marks(e)));
        row(&mut out, 2, width, "", &synopsis(e));
    }
    out
}

/// ` [deprecated] [preview] [paginated] [download]`, as they apply.
fn marks(e: &Endpoint) -> String {
    let mut out = String::new();
    for (on, mark) in [
        (e.deprecated, "deprecated"),
        (e.is_preview_only(), "preview"),
        (e.paginated, "paginated"),
        (matches!(e.output, SuccessBody::Bytes { .. }), "download"),
    ] {
        if on {
            let _ = write!(out, " [{mark}]");
        }
    }
    out
}

/// One operation: what it does, how it is sent, its flags with their kinds.
pub(crate) fn operation_help(e: &Endpoint) -> String {
    let mut out =
        format!("usage: atlas-api {} {} {}\n\n{}{}\n", e.tag, e.operation_id, synopsis(e), e.summary, marks(e));
    let _ = writeln!(out, "  {} {}", e.method, e.path);
    let versions: Vec<&str> = e.versions.iter().map(|v| v.as_str()).collect();
    let _ = writeln!(out, "  API versions: {} (default {})", versions.join(", "), e.default_version());
    for s in e.sunsets {
        let _ = writeln!(out, "  version {} sunsets on {}", s.version, s.date);
    }
    if !e.aliases.is_empty() {
        let _ = writeln!(out, "  also named: {}", e.aliases.join(", "));
    }
    if !e.docs_url.is_empty() {
        let _ = writeln!(out, "  docs: {}", e.docs_url);
    }
    let mut rows: Vec<(String, String)> = e
        .params
        .iter()
        .map(|p| {
            let place = match (p.location, p.required) {
                (ParamIn::Path, _) => "path, required",
                (ParamIn::Header, true) => "header, required",
                (ParamIn::Header, false) => "header",
                (_, true) => "query, required",
                _ => "query",
            };
            (format!("--{} {}", p.name, metavar(p.kind)), format!("{}; {place}", kind_text(p.kind)))
        })
        .collect();
    if e.body {
        let need = if e.body_required { "required" } else { "optional" };
        rows.push(("--data JSON | --file PATH".to_owned(), format!("the JSON request body ({need})")));
    }
    if e.envelope {
        rows.push(("--envelope".to_owned(), "send envelope=true (unwrapped again)".to_owned()));
    }
    if e.pretty {
        rows.push(("--pretty".to_owned(), "send pretty=true and pretty-print".to_owned()));
    }
    if e.paginated {
        rows.push(("--all-pages".to_owned(), "fetch every page and print one JSON array".to_owned()));
    }
    if let SuccessBody::Bytes { suffix } | SuccessBody::JsonOrBytes { suffix } = e.output {
        let what = if matches!(e.output, SuccessBody::Bytes { .. }) { "" } else { " (else the JSON is printed)" };
        rows.push(("--output FILE".to_owned(), format!("write the {suffix} download to FILE{what}")));
    }
    rows.push(("--version YYYY-MM-DD".to_owned(), format!("one of {}", versions.join(", "))));
    let width = widest(rows.iter().map(|(flag, _)| flag.as_str()));
    out.push_str("\nflags:\n");
    for (flag, what) in &rows {
        row(&mut out, 2, width, flag, what);
    }
    out
}

/// What values a parameter takes, in words.
fn kind_text(kind: ParamKind) -> String {
    match kind {
        ParamKind::Id => "24 lowercase hexadecimal characters".to_owned(),
        ParamKind::Email => "an e-mail address".to_owned(),
        ParamKind::Bool => "true or false".to_owned(),
        ParamKind::PageSize => "items per page, 1 to 500".to_owned(),
        ParamKind::PageNum => "page number, from 1".to_owned(),
        ParamKind::Statuses => "PENDING, ACTIVE, INVITATION_EXPIRED or INVITATION_REJECTED; repeatable".to_owned(),
        ParamKind::Pattern(p) => format!("text matching {}", p.regex()),
        ParamKind::Int { min, max, .. } => match (min, max) {
            (Some(min), Some(max)) => format!("an integer, {min} to {max}"),
            (Some(min), None) => format!("an integer, at least {min}"),
            (None, Some(max)) => format!("an integer, at most {max}"),
            (None, None) => "an integer".to_owned(),
        },
        ParamKind::Text { min_len, max_len } => match (min_len, max_len) {
            (None, None) => "text".to_owned(),
            (min, max) => {
                format!("text of {} to {} characters", min.unwrap_or(0), max.map_or("any".into(), |m| m.to_string()))
            }
        },
        ParamKind::Date => "a date".to_owned(),
        ParamKind::DateTime => "an RFC 3339 date and time (2024-01-31T12:00:00Z)".to_owned(),
        ParamKind::Enum(values) if values.len() <= 8 => format!("one of {}", values.join(", ")),
        ParamKind::Enum(values) => format!(
            "one of {} values ({}, …)",
            values.len(),
            values.iter().take(3).copied().collect::<Vec<_>>().join(", ")
        ),
        ParamKind::Repeated { item, max_items, .. } => {
            let most = max_items.map(|m| format!(", at most {m}")).unwrap_or_default();
            format!("{}; repeatable{most}", kind_text(*item))
        }
        _ => "text".to_owned(),
    }
}

/// A word longer than this (in bytes) gets no suggestion: no flag, tag or operation is this
/// long, and the edit distance costs the product of the lengths.
const MAX_SUGGESTED_LEN: usize = 64;

/// The candidate nearest `word` (at most a third of its length in edits), if any; none for a
/// word longer than [`MAX_SUGGESTED_LEN`].
pub(crate) fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if word.len() > MAX_SUGGESTED_LEN {
        return None;
    }
    let limit = (word.chars().count() / 3).max(1);
    let word = word.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let d = distance(&word, &candidate.to_lowercase());
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance (inputs are command-line words: short; bounded by the caller's parse).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(usize::MAX);
            let left = row.get(j).copied().unwrap_or(usize::MAX);
            let next = (diagonal + usize::from(ca != *cb)).min(above.saturating_add(1)).min(left.saturating_add(1));
            diagonal = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = next;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// `; did you mean X?` or nothing.
fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map(|s| format!("; did you mean {s}?")).unwrap_or_default()
}

/// An unknown flag, with the nearest flag of any operation (each name once: parameters
/// repeat across operations). A flag too long to suggest for is shown cut short.
pub(crate) fn unknown_flag(flag: &str) -> String {
    if flag.len() > MAX_SUGGESTED_LEN {
        let start: String = flag.chars().take(MAX_SUGGESTED_LEN).collect();
        return format!("unknown flag {start:?}… ({} bytes)", flag.len());
    }
    let params: BTreeSet<String> = catalog::all().flat_map(|e| e.params).map(|p| format!("--{}", p.name)).collect();
    let candidates = params.iter().map(String::as_str).chain(COMMON_FLAGS.iter().copied());
    format!("unknown flag {flag:?}{}", did_you_mean(nearest(flag, candidates)))
}

/// A flag `e` does not take, with the nearest one it does.
pub(crate) fn flag_not_taken(e: &Endpoint, flag: &str) -> String {
    let params: Vec<String> = e.params.iter().map(|p| format!("--{}", p.name)).collect();
    let suggestion = nearest(flag, params.iter().map(String::as_str));
    format!("{} does not take {flag}{}", e.operation_id, did_you_mean(suggestion))
}

/// An unknown tag, with the nearest one.
pub(crate) fn unknown_tag(given: &str) -> String {
    let tags = tags();
    let hint = did_you_mean(nearest(given, tags.iter().copied()));
    format!("unknown command {given:?}{hint} (`atlas-api --help` lists the tags)")
}

/// An unknown operation of `tag`, with the nearest one.
pub(crate) fn unknown_operation(tag: &str, name: &str) -> String {
    let hint = did_you_mean(nearest(name, operations(tag).map(|e| e.operation_id)));
    format!("unknown {tag} operationId {name:?}{hint} (`atlas-api {tag} --help` lists them)")
}

/// The help the arguments before `--help` ask for: an operation's, a tag's, or the whole.
pub(crate) fn help_for(argv: &[String], whole: impl FnOnce() -> String) -> String {
    let words: Vec<&str> = argv.iter().map(String::as_str).filter(|a| !a.starts_with('-')).collect();
    match words.as_slice() {
        [tag, op, ..] => match catalog::find(op).filter(|e| e.tag == *tag) {
            Some(e) => operation_help(e),
            None => tag_or_whole(tag, whole),
        },
        [tag] => tag_or_whole(tag, whole),
        _ => whole(),
    }
}

fn tag_or_whole(tag: &str, whole: impl FnOnce() -> String) -> String {
    match tags().contains(&tag) {
        true => tag_help(tag),
        false => whole(),
    }
}
