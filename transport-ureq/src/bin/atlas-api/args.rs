//! Command-line parsing for `atlas-api` (hand-written: positionals, `--flag value` and
//! `--flag=value`), and its `--help`. The parameter flags are the spec names of every
//! parameter in the core's endpoint table (`--groupId`, `--invitationId`, `--username`, …), so
//! a new endpoint brings its flags along. Values are validated by the core, in `run.rs`.

use atlas_admin_ureq::core::{Endpoint, ParamIn, ParamKind, catalog};
use std::fmt::Write as _;

/// Other names a parameter flag goes by: the Atlas CLI takes `--projectId` for `--groupId`.
const FLAG_ALIASES: &[(&str, &str)] = &[("--projectId", "groupId")];

/// Where the request body comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum BodySource {
    /// `--data JSON`
    Data(String),
    /// `--file PATH` (`-` is stdin)
    File(String),
}

/// A parameter's value and the flag it was given under (for messages: `--projectId`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Given {
    pub(crate) flag: String,
    pub(crate) value: String,
}

/// The parsed command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Args {
    pub(crate) tag: &'static str,
    pub(crate) operation: String,
    /// Path and query parameters, by spec name.
    pub(crate) params: Vec<(&'static str, Given)>,
    pub(crate) body: Option<BodySource>,
    pub(crate) envelope: bool,
    pub(crate) pretty: bool,
    pub(crate) version: Option<String>,
    pub(crate) debug: bool,
    /// `--all-pages`: walk every page of a paginated list and print one array.
    pub(crate) all_pages: bool,
    /// `--output FILE`: a download's bytes go to FILE (written atomically).
    pub(crate) output: Option<String>,
    /// `--max-bytes N`: the largest answer read (else the default of the kind of answer).
    pub(crate) max_bytes: Option<u64>,
}

/// Flags with a value besides the parameters.
const VALUE_FLAGS: &[&str] = &["--data", "--file", "--version", "--output", "--max-bytes"];
/// Flags without a value (`--flag=true|false` also accepted).
const SWITCHES: &[&str] = &["--envelope", "--pretty", "--debug", "--all-pages"];

/// The tags of the catalog (as the Atlas CLI spells them) that have operations in this build.
pub(crate) fn tags() -> Vec<&'static str> {
    let mut tags: Vec<&'static str> = Vec::new();
    for e in catalog::all() {
        if !tags.contains(&e.tag) {
            tags.push(e.tag);
        }
    }
    tags
}

/// `a, b or c`.
pub(crate) fn one_of(items: &[&str]) -> String {
    match items.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The spec name of a parameter flag, if some endpoint has that parameter.
fn param_name(flag: &str) -> Option<&'static str> {
    if let Some((_, name)) = FLAG_ALIASES.iter().find(|(alias, _)| *alias == flag) {
        return Some(name);
    }
    let name = flag.strip_prefix("--")?;
    catalog::all().flat_map(|e| e.params).map(|p| p.name).find(|n| *n == name)
}

/// Whether a parameter flag may be given several times (`--orgMembershipStatuses`).
fn repeatable(name: &str) -> bool {
    catalog::all().flat_map(|e| e.params).any(|p| p.name == name && p.kind.repeatable())
}

/// Parses the arguments after the program name; `None` means `--help`.
pub(crate) fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Args>, String> {
    let args: Vec<String> = args.into_iter().collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(None);
    }
    let mut positionals = Vec::new();
    let mut params: Vec<(&'static str, Given)> = Vec::new();
    let (mut body, mut version, mut output, mut max_bytes) = (None, None, None, None);
    let (mut envelope, mut pretty, mut debug, mut all_pages) = (None, None, None, None);
    let mut iter = args.into_iter();
    while let Some(arg) = iter.next() {
        if !arg.starts_with('-') || arg == "-" {
            positionals.push(arg);
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        if let Some(&flag) = SWITCHES.iter().find(|f| **f == name) {
            let on = match inline.as_deref() {
                None | Some("true") => true,
                Some("false") => false,
                Some(other) => return Err(format!("{flag} takes no value (or =true/=false), got {other:?}")),
            };
            let slot = match flag {
                "--envelope" => &mut envelope,
                "--pretty" => &mut pretty,
                "--all-pages" => &mut all_pages,
                _ => &mut debug,
            };
            set_once(slot, flag, on)?;
            continue;
        }
        let param = param_name(&name);
        if param.is_none() && !VALUE_FLAGS.contains(&name.as_str()) {
            return Err(crate::catalog_help::unknown_flag(&name));
        }
        let value = match inline.or_else(|| iter.next()) {
            // No id, e-mail, JSON body or date starts with `--`: that is the next flag.
            Some(v) if v.starts_with("--") => return Err(format!("{name} needs a value, got the flag {v}")),
            Some(v) => v,
            None => return Err(format!("{name} needs a value")),
        };
        match (param, name.as_str()) {
            (Some(param), _) => {
                if !repeatable(param) && params.iter().any(|(p, _)| *p == param) {
                    return Err(format!("--{param} given more than once"));
                }
                params.push((param, Given { flag: name, value }));
            }
            (None, "--data") => set_once(&mut body, "--data/--file", BodySource::Data(value))?,
            (None, "--file") => set_once(&mut body, "--data/--file", BodySource::File(value))?,
            (None, "--output") => set_once(&mut output, "--output", value)?,
            (None, "--max-bytes") => set_once(&mut max_bytes, "--max-bytes", byte_count(&value)?)?,
            (None, _) => set_once(&mut version, "--version", value)?,
        }
    }
    let tags = tags();
    let mut positionals = positionals.into_iter();
    let tag = match positionals.next() {
        Some(given) => match tags.iter().find(|t| **t == given) {
            Some(tag) => *tag,
            None => return Err(crate::catalog_help::unknown_tag(&given)),
        },
        None => return Err("missing command: a tag (`atlas-api --help` lists them)".to_owned()),
    };
    let operation = positionals.next().ok_or_else(|| format!("missing the operationId after {tag}"))?;
    if let Some(extra) = positionals.next() {
        return Err(format!("unexpected argument {extra:?} (flags start with --)"));
    }
    Ok(Some(Args {
        tag,
        operation,
        params,
        body,
        envelope: envelope.unwrap_or(false),
        pretty: pretty.unwrap_or(false),
        version,
        debug: debug.unwrap_or(false),
        all_pages: all_pages.unwrap_or(false),
        output,
        max_bytes,
    }))
}

/// A `--max-bytes` value: a whole number of bytes, at least 1.
fn byte_count(value: &str) -> Result<u64, String> {
    match value.parse::<u64>() {
        Ok(n) if n > 0 && value.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(format!("--max-bytes takes a whole number of bytes, at least 1, not {value:?}")),
    }
}

/// Stores a flag's value, refusing a second one.
fn set_once<T>(slot: &mut Option<T>, flag: &str, value: T) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!("{flag} given more than once"));
    }
    *slot = Some(value);
    Ok(())
}

/// How a parameter's value is shown in the help.
pub(crate) fn metavar(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::Id => "ID",
        ParamKind::Email => "EMAIL",
        ParamKind::Bool => "true|false",
        ParamKind::PageSize | ParamKind::PageNum | ParamKind::Int { .. } => "N",
        ParamKind::Statuses => "STATUS",
        ParamKind::Date => "YYYY-MM-DD",
        ParamKind::DateTime => "DATETIME",
        ParamKind::Repeated { item, .. } => metavar(*item),
        _ => "VALUE",
    }
}

/// An operation's flags, e.g. `--groupId ID [--username EMAIL] --data JSON|--file PATH [--pretty]`.
pub(crate) fn synopsis(e: &Endpoint) -> String {
    let mut out = String::new();
    for p in e.params {
        let dots = if p.kind.repeatable() { "…" } else { "" };
        let flag = format!("--{} {}{dots}", p.name, metavar(p.kind));
        match (p.location, p.required) {
            (ParamIn::Path, _) | (_, true) => out.push_str(&flag),
            (_, false) => {
                let _ = write!(out, "[{flag}]");
            }
        }
        out.push(' ');
    }
    if e.body {
        out.push_str("--data JSON|--file PATH ");
    }
    if e.pretty {
        out.push_str("[--pretty] ");
    }
    if e.paginated {
        out.push_str("[--all-pages]");
    }
    out.trim_end().to_owned()
}

/// The flags every operation takes, with what each does (`\n` continues the text on the next
/// line, at the same column).
const OTHER_FLAGS: &[(&str, &str)] = &[
    ("--data JSON", r#"request body, e.g. '{"username":"ada@example.com","roles":["GROUP_READ_ONLY"]}'"#),
    ("--file PATH", "request body from a file ('-' reads stdin)"),
    ("--envelope", "send envelope=true; the envelope is unwrapped, so the output is unchanged"),
    ("--pretty", "send pretty=true (only operations that take it) and pretty-print the output"),
    ("--version YYYY-MM-DD", "API version, one the operation lists (default: its newest stable one)"),
    (
        "--output FILE",
        "downloads (gzip, CSV): write the bytes to FILE (atomically); without it\n\
         they go to stdout, which must not be a terminal",
    ),
    (
        "--max-bytes N",
        "the largest answer read, in bytes (default 4194304, 4 MiB; 1073741824,\n\
         1 GiB, for downloads); a larger one fails (exit 1), nothing is written",
    ),
    (
        "--all-pages",
        "paginated lists: fetch every page (from --pageNum, default 1) and print\n\
         one JSON array of every result, a page at a time",
    ),
    (
        "--debug",
        "log each HTTP exchange on stderr (method, URL, status; never secrets);\n\
         not in a replay (nothing is exchanged)",
    ),
    ("-h, --help", "this help"),
];

/// The cassette flags (the modes follow `--record-mode`).
const CASSETTE_FLAGS: &[(&str, &str)] = &[
    (
        "--cassette FILE",
        "answer from the cassette FILE (no credentials, no network), or record\n\
         the exchanges into it (the environment's credentials; no secret is saved);\n\
         a recording prints what its replays will print (placeholders such\n\
         as PUBLIC-KEY for scrubbed values included)",
    ),
    ("--record-mode MODE", "(default: ATLAS_CASSETTE_MODE, else once; always replay when CI is set)"),
    (
        "--allow-unused",
        "recorded exchanges this command does not ask for are no failure (a\n\
         cassette holding several commands, grown with new-episodes)",
    ),
];

/// The credentials and base URL read from the environment.
const ENVIRONMENT: &[(&str, &str)] = &[
    ("MONGODB_ATLAS_PUBLIC_API_KEY + MONGODB_ATLAS_PRIVATE_API_KEY", "API key (HTTP Digest), or"),
    ("MONGODB_ATLAS_CLIENT_ID + MONGODB_ATLAS_CLIENT_SECRET", "service account (OAuth)"),
    ("MONGODB_ATLAS_BASE_URL", "default https://cloud.mongodb.com"),
];

/// Spaces between a label and its text in the help's two-column rows: never fewer.
const GAP: usize = 2;

/// One two-column row of the help: `label` after `indent` spaces, padded to `width`, then
/// [`GAP`] spaces and `text`, whose later lines start at the same column.
pub(crate) fn row(out: &mut String, indent: usize, width: usize, label: &str, text: &str) {
    for (i, line) in text.lines().enumerate() {
        let label = if i == 0 { label } else { "" };
        let _ = writeln!(out, "{:indent$}{label:<width$}{:GAP$}{line}", "", "");
    }
}

/// The widest label (in characters).
pub(crate) fn widest<'a>(labels: impl IntoIterator<Item = &'a str>) -> usize {
    labels.into_iter().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// The `--help` text: the tags of the catalog with their operation counts (`atlas-api <tag>
/// --help` lists a tag's operations, `atlas-api <tag> <operationId> --help` its flags).
pub(crate) fn usage() -> String {
    let mut out = String::from(
        "usage: atlas-api <tag> <operationId> [flags]\n\n\
         Calls one MongoDB Atlas Administration API v2 endpoint, like `atlas api <tag> <operationId>`,\n\
         and prints the response JSON on stdout. Parameter flags are named as in the spec\n\
         (--groupId, --clusterName, --itemsPerPage; repeated for arrays).\n\n",
    );
    out.push_str(&crate::catalog_help::tags_help());
    let modes: Vec<(&str, &str)> = crate::cassette::modes().collect();
    let width =
        widest(OTHER_FLAGS.iter().chain(CASSETTE_FLAGS).map(|r| r.0)).max(widest(modes.iter().map(|m| m.0)) + 2);
    out.push_str("\nother flags:\n");
    for (label, text) in OTHER_FLAGS {
        row(&mut out, 2, width, label, text);
    }
    out.push_str("\nrecord once, replay anywhere (operations and migrate):\n");
    for (label, text) in CASSETTE_FLAGS {
        row(&mut out, 2, width, label, text);
        if label.starts_with("--record-mode") {
            for (name, what) in &modes {
                row(&mut out, 4, width - 2, name, what);
            }
        }
    }
    out.push_str(
        "\n  A replay fails (exit 1) on a request FILE has no answer for (the nearest recorded request and
  the differences on stderr) and on recorded exchanges it did not use (unless --allow-unused).
",
    );
    out.push_str("\nenvironment (as Client::from_env):\n");
    let env_width = widest(ENVIRONMENT.iter().map(|r| r.0));
    for (label, text) in ENVIRONMENT {
        row(&mut out, 2, env_width, label, text);
    }
    out.push_str(
        "
output and exit status:
  0  success: the response JSON on stdout (compact, or pretty with --pretty);
     deletes (204 No Content) print nothing; --all-pages prints one array of every result
     (a failure after the first page leaves it unfinished, with exit status 1)
  1  Atlas answered with an error: its ApiError JSON on stderr;
     or another runtime failure (authentication, transport, undecodable answer): one line on stderr
  2  invalid input (operation, flag, id, e-mail, roles, JSON body, credentials settings):
     a message on stderr, and nothing is sent
  A deprecated endpoint or API version (a Sunset header) adds one line on stderr, once per run:
     atlas-api: warning: <operationId> is deprecated since <date>; its sunset is <date> (then Atlas answers 410)
",
    );
    out
}
