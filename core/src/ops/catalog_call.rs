//! A [`Custom`] made from a catalog entry ([`Custom::for_endpoint`], `catalog::call`): every
//! parameter named and checked as the spec says, the call checked against the entry's versions,
//! `envelope`/`pretty`, body and download kind before anything is sent, and the lists walked
//! page by page like the typed ones.

use super::custom::Custom;
use crate::described::{Described, ResponseFormat};
use crate::error::InvalidInput;
use crate::models::Page;
use crate::operation::{Endpoint, ParamIn, SuccessBody};
use crate::paginate::Paginated;
use crate::validate::ApiVersion;
use std::borrow::Cow;
use std::marker::PhantomData;

impl Custom {
    /// The catalog operation `entry` ([`crate::catalog::find`]), answering JSON: its method,
    /// path, name (the operationId), idempotency (a POST is not retried once it may have
    /// reached Atlas), success statuses and authentication (the one operation that takes none
    /// is sent without credentials) come from the entry.
    ///
    /// Its parameters are set by their spec names with [`param`](Self::param) (or
    /// [`path_param`](Self::path_param), [`query`](Self::query), [`header`](Self::header)), each
    /// value checked by the entry ([`Param::check`](crate::Param::check)); a name the entry
    /// does not list is refused. Before sending, the call checks that the required parameters
    /// are given, a parameter is repeated only if it is an array (then as repeated keys, within
    /// the spec's bounds), the API version is one the entry lists (by default the entry's
    /// [default](Endpoint::default_version), unless the client sets one), `envelope` and
    /// `pretty` only where the spec lists them, and the body as the entry takes it.
    ///
    /// A download ([`SuccessBody::Bytes`]) is sent by [`into_download`](Self::into_download),
    /// a list walked by [`paginated`](Self::paginated).
    ///
    /// ```
    /// use atlas_admin_core::{Config, catalog, unsigned_request};
    /// let op = catalog::call("listOrgUsers")?
    ///     .param("orgId", "4888442a3354817a7320eb61")?
    ///     .param("itemsPerPage", "5")?;
    /// let req = unsigned_request(&Config::default(), &op)?;
    /// assert_eq!(req.uri().path_and_query().unwrap(), "/api/atlas/v2/orgs/4888442a3354817a7320eb61/users?itemsPerPage=5");
    /// assert_eq!(req.headers()["accept"], "application/vnd.atlas.2025-02-19+json");
    /// // Checked by the spec's rules, naming the parameter.
    /// assert_eq!(catalog::call("listOrgUsers")?.param("itemsPerPage", "501").unwrap_err().field(), "itemsPerPage");
    /// assert_eq!(catalog::call("listOrgUsers")?.param("itemsPerPag", "5").unwrap_err().field(), "itemsPerPag");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_endpoint(entry: &'static Endpoint) -> Result<Custom, InvalidInput> {
        let mut described = Described::of_spec(entry.operation_id, entry.method.clone(), entry.path)?;
        described.set_name(entry.operation_id)?;
        described.set_idempotent(entry.idempotent);
        if !entry.statuses.is_empty() {
            described.set_success(entry.statuses)?;
        }
        described.set_authenticated(entry.auth);
        // The version: the call's, else the client's, else the entry's default (checked).
        Ok(Custom {
            described,
            options: Default::default(),
            entry: Some(entry),
            path_values: Vec::new(),
            output: PhantomData,
        })
    }

    /// The same catalog operation answering the raw bytes of its download (`Accept` ending in
    /// the entry's `+gzip` or `+csv`). Refused for an entry that answers only JSON, and for an
    /// operation not made from the catalog (give it a format with [`download`](Self::download)).
    pub fn into_download(self) -> Result<Custom<Vec<u8>>, InvalidInput> {
        let format = match self.entry.map(|e| e.output) {
            Some(SuccessBody::Bytes { suffix } | SuccessBody::JsonOrBytes { suffix }) => format_of(suffix),
            _ => None,
        };
        match format {
            Some(format) => Ok(self.download(format)),
            None => Err(InvalidInput::new("format", format!("{} answers no download", self.described.name()))),
        }
    }

    /// The same list answering one [`Page`] of JSON items, so `client.all(op)` and
    /// `client.pages(op)` walk every page. Refused for a catalog entry that is not a paginated
    /// list.
    pub fn paginated(self) -> Result<Custom<Page<serde_json::Value>>, InvalidInput> {
        if let Some(entry) = self.entry.filter(|e| !e.paginated) {
            return Err(InvalidInput::new("pages", format!("{} is not a paginated list", entry.operation_id)));
        }
        Ok(Custom {
            described: self.described,
            options: self.options,
            entry: self.entry,
            path_values: self.path_values,
            output: PhantomData,
        })
    }
}

/// The download format of a media type suffix.
fn format_of(suffix: &str) -> Option<ResponseFormat> {
    [ResponseFormat::Gzip, ResponseFormat::Csv].into_iter().find(|f| f.suffix() == suffix)
}

impl<T> Custom<T> {
    /// Sets the parameter `name` of the catalog entry (path, query or header, as the entry
    /// says) to `value`, checked by the entry; call again to repeat an array parameter. Refused
    /// for an operation not made from the catalog (it has no parameter list).
    pub fn param(self, name: &str, value: impl AsRef<str>) -> Result<Self, InvalidInput> {
        let Some(entry) = self.entry else {
            return Err(InvalidInput::new(
                "param",
                "only a catalog operation has named parameters: use path_param, query or header",
            ));
        };
        match entry.param(name).map(|p| p.location) {
            Some(ParamIn::Path) => self.path_param(name, value),
            Some(ParamIn::Header) => self.header(name, value),
            Some(_) => self.query(name, value),
            None => Err(unknown(entry, name)),
        }
    }

    /// The catalog entry it was made from, if any.
    pub fn entry(&self) -> Option<&'static Endpoint> {
        self.entry
    }

    /// For a catalog operation: `name` is a parameter of the entry in `location`, and `value`
    /// one it takes. Answers the value as meant, to send ([`ParamKind::decoded`](crate::ParamKind::decoded)).
    pub(super) fn check_param<'v>(
        &self,
        name: &str,
        location: ParamIn,
        value: &'v str,
    ) -> Result<Cow<'v, str>, InvalidInput> {
        let Some(entry) = self.entry else { return Ok(Cow::Borrowed(value)) };
        let Some(param) = entry.param(name) else { return Err(unknown(entry, name)) };
        if param.location != location {
            let place = match param.location {
                ParamIn::Path => "a path",
                ParamIn::Header => "a header",
                _ => "a query",
            };
            return Err(InvalidInput::new(name, format!("is {place} parameter of {}", entry.operation_id)));
        }
        param.check(value)?;
        Ok(param.kind.decoded(value))
    }

    /// For a catalog operation, what the entry asks of the whole call in API version
    /// `version` (see [`Custom::for_endpoint`]).
    pub(super) fn check_against_entry(&self, version: ApiVersion) -> Result<(), InvalidInput> {
        let Some(entry) = self.entry else { return Ok(()) };
        let op = entry.operation_id;
        entry.check_version(version)?;
        for (on, listed, name) in
            [(self.options.envelope, entry.envelope, "envelope"), (self.options.pretty, entry.pretty, "pretty")]
        {
            if on && !listed {
                return Err(InvalidInput::new(name, format!("{op} does not take the {name} parameter")));
            }
        }
        let format = self.described.format();
        let format_ok = match entry.output {
            SuccessBody::Bytes { suffix } => format.suffix() == suffix,
            SuccessBody::JsonOrBytes { suffix } => format == ResponseFormat::Json || format.suffix() == suffix,
            _ => format == ResponseFormat::Json,
        };
        if !format_ok {
            let why = match entry.output {
                SuccessBody::Bytes { suffix } => format!("{op} answers {suffix} bytes: use .into_download()"),
                _ => format!("{op} answers no {} download", format.suffix()),
            };
            return Err(InvalidInput::new("format", why));
        }
        match (self.described.body().is_some(), entry.body, entry.body_required) {
            (true, false, _) => return Err(InvalidInput::new("body", format!("{op} takes no request body"))),
            (false, _, true) => return Err(InvalidInput::new("body", format!("{op} needs a request body"))),
            _ => {}
        }
        for param in entry.params {
            let values: Vec<&str> = match param.location {
                ParamIn::Path => continue,
                ParamIn::Header => self
                    .described
                    .headers()
                    .iter()
                    .filter(|(n, _)| n.as_str().eq_ignore_ascii_case(param.name))
                    .filter_map(|(_, v)| v.to_str().ok())
                    .collect(),
                _ => self.described.query().iter().filter(|(n, _)| n == param.name).map(|(_, v)| v.as_str()).collect(),
            };
            if values.is_empty() {
                if param.required {
                    return Err(InvalidInput::new(param.name, format!("is required by {op}")));
                }
                continue;
            }
            if !param.exists_in(version) {
                return Err(InvalidInput::new(
                    param.name,
                    format!("is not supported by {op} in API version {version}"),
                ));
            }
            param.kind.check_values(param.name, &values)?;
        }
        Ok(())
    }
}

/// `name` is not a parameter of `entry`.
fn unknown(entry: &Endpoint, name: &str) -> InvalidInput {
    let why = format!("is not a parameter of {}", entry.operation_id);
    // (The name is the field only if it is a plain word: it is printed.)
    match !name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        true => InvalidInput::new(name, why),
        false => InvalidInput::with_value("param", why, name),
    }
}

impl Custom<Page<serde_json::Value>> {
    /// The value of query parameter `name` read as a number.
    fn number(&self, name: &str) -> Option<u32> {
        self.described.query().iter().rev().find(|(n, _)| n == name).and_then(|(_, v)| v.parse().ok())
    }
}

/// A catalog list (or any described one) walked by the same paginator as the typed lists.
impl Paginated for Custom<Page<serde_json::Value>> {
    type Item = serde_json::Value;

    fn current_page(&self) -> u32 {
        self.number("pageNum").unwrap_or(1)
    }

    fn at_page(&self, page_num: u32) -> Self {
        let mut op = self.clone();
        op.described.replace_query("pageNum", page_num.max(1).to_string());
        op
    }

    fn page(output: &Page<serde_json::Value>) -> &Page<serde_json::Value> {
        output
    }

    fn into_page(output: Page<serde_json::Value>) -> Page<serde_json::Value> {
        output
    }

    fn requested_page_size(&self) -> Option<u32> {
        self.number("itemsPerPage")
    }
}
