//! [`Custom`]: an operation the table does not type, described at run time.

use crate::described::{Described, ResponseFormat};
use crate::error::InvalidInput;
use crate::operation::{CallOptions, Endpoint, Operation, ParamIn};
use crate::validate::ApiVersion;
use http::Method;
use std::fmt;
use std::marker::PhantomData;

/// An operation described at run time: method, path, query, JSON body, API version, and
/// optionally a name, success statuses, idempotency and a download format. For endpoints
/// newer than the vendored spec, and for an API version whose schema differs from the typed
/// operation's. Every client runs it like a typed operation: the same Digest (one round trip
/// once challenged) and OAuth, retries, `Sunset` warnings, exchange events and typed errors
/// (an Atlas error answer is an [`Error::Api`](crate::Error::Api) with its status and
/// `errorCode`).
///
/// Everything is validated as it is given, before anything is sent, with an
/// [`InvalidInput`] naming the field: the method (GET, POST, PUT, PATCH, DELETE), the path (it
/// starts with `/api/atlas/v2/`; no query, fragment, space, control character, empty, `.` or
/// `..` segment), each `{placeholder}` filled once by [`path_param`](Self::path_param) (the
/// value percent-encoded into one segment), query names and values (sent encoded), the body
/// (one JSON document of at most [`MAX_BODY_BYTES`](crate::ops::MAX_BODY_BYTES)) and the
/// success statuses (within 200..=299).
///
/// The output is the JSON answer as a [`serde_json::Value`] (`Null` for an empty answer such
/// as a 204), or, after [`download`](Self::download), the raw bytes (`Vec<u8>`) of a gzip,
/// CSV or JSON answer. With [`envelope`](Self::envelope) the answer is unwrapped, as for typed
/// operations, and the real status is in the metadata.
///
/// Any 2xx answer is a success, as for typed operations: a 2xx means Atlas did what was asked,
/// so turning an undeclared one into an error would report a create that happened as failed.
/// The declared [`success`](Self::success) statuses are kept as documentation of the call
/// ([`Described::success`]).
///
/// A POST is not retried once it may have reached Atlas (a gateway error, a connection lost
/// after sending) unless marked [`idempotent`](Self::idempotent); every other method is
/// (a 429, or a connection refused before sending, is retried for all).
///
/// ```
/// use atlas_admin_core::{ApiVersion, Config, unsigned_request};
/// use atlas_admin_core::ops::{Custom, ResponseFormat};
/// use http::Method;
///
/// // listGroupClusters, not typed by this crate, in its 2024-08-05 version.
/// let op = Custom::new(Method::GET, "/api/atlas/v2/groups/{groupId}/clusters", ApiVersion::new("2024-08-05")?)?
///     .path_param("groupId", "32b6e34b3d91647abb20e7b8")?
///     .query("itemsPerPage", "5")?
///     .named("listGroupClusters")?;
/// let req = unsigned_request(&Config::default(), &op)?;
/// assert_eq!(req.method(), "GET");
/// assert_eq!(
///     req.uri().to_string(),
///     "https://cloud.mongodb.com/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters?itemsPerPage=5"
/// );
/// assert_eq!(req.headers()["accept"], "application/vnd.atlas.2024-08-05+json");
///
/// // A POST with a JSON body.
/// let body = serde_json::json!({"name": "analytics", "roleNames": ["GROUP_READ_ONLY"]});
/// let op = Custom::new(Method::POST, "/api/atlas/v2/orgs/{orgId}/teams", ApiVersion::V2023_01_01)?
///     .path_param("orgId", "4888442a3354817a7320eb61")?
///     .json(&body)?;
/// let req = unsigned_request(&Config::default(), &op)?;
/// assert_eq!(req.headers()["content-type"], "application/vnd.atlas.2023-01-01+json");
/// assert_eq!(serde_json::from_slice::<serde_json::Value>(req.body())?, body);
///
/// // A gzip download, as bytes.
/// let logs = Custom::new(
///     Method::GET,
///     "/api/atlas/v2/groups/{groupId}/clusters/{hostName}/logs/{logName}.gz",
///     ApiVersion::V2023_01_01,
/// )?
/// .path_param("groupId", "32b6e34b3d91647abb20e7b8")?
/// .path_param("hostName", "cluster0-shard-00-00.abcde.mongodb.net")?
/// .path_param("logName", "mongodb")?
/// .download(ResponseFormat::Gzip);
/// let req = unsigned_request(&Config::default(), &logs)?;
/// assert_eq!(req.headers()["accept"], "application/vnd.atlas.2023-01-01+gzip");
///
/// // Bad input is refused before anything is sent, naming the field.
/// let e = Custom::new(Method::GET, "/api/atlas/v2/groups/../orgs", ApiVersion::V2023_01_01).unwrap_err();
/// assert_eq!(e.field(), "path");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Custom<T = serde_json::Value> {
    pub(super) described: Described,
    pub(super) options: CallOptions,
    /// The catalog entry it was made from ([`Custom::for_endpoint`]): its parameters are
    /// checked by the entry, and the call by the entry's versions, envelope and pretty.
    pub(super) entry: Option<&'static Endpoint>,
    /// The path parameters given, by the entry's names (a catalog operation's only): what
    /// [`Operation::path_params`] reports, e.g. to a recording double.
    pub(super) path_values: Vec<(&'static str, String)>,
    pub(super) output: PhantomData<fn() -> T>,
}

/// What a [`Custom`] operation answers with: a JSON value, or bytes.
pub trait CustomOutput: serde::de::DeserializeOwned + fmt::Debug + sealed::Sealed {
    /// The name of the [`Endpoint`] row standing for these operations.
    #[doc(hidden)]
    const FAMILY: &'static str;

    /// Decodes a success body.
    #[doc(hidden)]
    fn decode_body(body: &[u8]) -> Result<Self, serde_json::Error>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for serde_json::Value {}
    impl Sealed for Vec<u8> {}
    impl Sealed for crate::models::Page<serde_json::Value> {}
}

impl CustomOutput for serde_json::Value {
    const FAMILY: &'static str = "custom";

    /// An empty answer (a 204) is `Null`.
    fn decode_body(body: &[u8]) -> Result<Self, serde_json::Error> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_slice(body)
    }
}

/// One page of a list, its items as JSON: what [`Custom::paginated`] answers, walked by
/// `client.all(op)` / `client.pages(op)`.
impl CustomOutput for crate::models::Page<serde_json::Value> {
    const FAMILY: &'static str = "customPage";

    fn decode_body(body: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(body)
    }
}

impl CustomOutput for Vec<u8> {
    const FAMILY: &'static str = "customDownload";

    fn decode_body(body: &[u8]) -> Result<Self, serde_json::Error> {
        Ok(body.to_vec())
    }
}

impl Custom {
    /// An operation calling `method` on `path` in API version `version`, answering JSON.
    ///
    /// `path` is an API path (`/api/atlas/v2/...`), possibly with `{name}` placeholders to
    /// fill with [`path_param`](Self::path_param). Its name is `custom` until
    /// [`named`](Self::named).
    pub fn new(method: Method, path: &str, version: ApiVersion) -> Result<Custom, InvalidInput> {
        let described = Described::new(<serde_json::Value as CustomOutput>::FAMILY, method, path)?;
        let options = CallOptions { api_version: Some(version), ..CallOptions::default() };
        Ok(Custom { described, options, entry: None, path_values: Vec::new(), output: PhantomData })
    }

    /// The same operation answering the raw bytes of a `format` document: the `Accept` media
    /// type ends in `+gzip`, `+csv` or `+json` (the request body, if any, stays JSON).
    pub fn download(mut self, format: ResponseFormat) -> Custom<Vec<u8>> {
        self.described.set_format(format);
        // Unnamed, it goes by its family's name, as the row standing for it does.
        self.described.set_family(<Vec<u8> as CustomOutput>::FAMILY);
        Custom {
            described: self.described,
            options: self.options,
            entry: self.entry,
            path_values: self.path_values,
            output: PhantomData,
        }
    }
}

impl<T> Custom<T> {
    /// Fills the `{name}` placeholder of the path with `value`, given as meant (decoded) and
    /// percent-encoded once into one segment (a `/`, `?`, `%` or space in it is data). Each
    /// placeholder once; the value may not be empty, `.` or `..`, nor hold a control character.
    /// For a catalog parameter whose spec pattern writes a `/` as `%2F` (a CIDR block, an Azure
    /// endpoint path), `/` and `%2F` mean the same (both are sent as one `%2F`).
    pub fn path_param(mut self, name: &str, value: impl AsRef<str>) -> Result<Self, InvalidInput> {
        let value = self.check_param(name, ParamIn::Path, value.as_ref())?;
        self.described.fill(name, &value)?;
        if let Some(param) = self.entry.and_then(|e| e.param(name)) {
            self.path_values.push((param.name, value.into_owned()));
        }
        Ok(self)
    }

    /// Adds the query parameter `name=value` (sent encoded; call again to repeat a key).
    /// `envelope` and `pretty` are set with their own methods.
    pub fn query(mut self, name: &str, value: impl AsRef<str>) -> Result<Self, InvalidInput> {
        let value = self.check_param(name, ParamIn::Query, value.as_ref())?;
        self.described.push_query(name, &value)?;
        Ok(self)
    }

    /// Adds the request header `name: value` (call again to repeat one). The headers every
    /// call sets itself (`Authorization`, `Accept`, `Content-Type`, `User-Agent`, `Host`,
    /// `Content-Length`, `Transfer-Encoding`, `Connection`) are refused; the value may hold no
    /// control character. A header of a catalog operation is one its entry lists.
    pub fn header(mut self, name: &str, value: impl AsRef<str>) -> Result<Self, InvalidInput> {
        let value = self.check_param(name, ParamIn::Header, value.as_ref())?;
        self.described.push_header(name, &value)?;
        Ok(self)
    }

    /// Sets the JSON body from any serializable value.
    pub fn json(mut self, body: &impl serde::Serialize) -> Result<Self, InvalidInput> {
        let bytes =
            serde_json::to_vec(body).map_err(|e| InvalidInput::new("body", format!("cannot serialize: {e}")))?;
        self.described.set_body(bytes)?;
        Ok(self)
    }

    /// Sets the body from JSON text (checked to be one JSON document).
    pub fn json_bytes(mut self, body: impl Into<Vec<u8>>) -> Result<Self, InvalidInput> {
        self.described.set_body(body.into())?;
        Ok(self)
    }

    /// Names the call (the operationId, if it has one) in errors, exchanges, logs and
    /// `Sunset` warnings (which come once per name): 1 to 64 of `A-Z a-z 0-9 _ - .`.
    pub fn named(mut self, name: &'static str) -> Result<Self, InvalidInput> {
        self.described.set_name(name)?;
        Ok(self)
    }

    /// Marks whether repeating the request has the same effect as sending it once (by
    /// default every method but POST): only then is it retried after it may have reached
    /// Atlas.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.described.set_idempotent(idempotent);
        self
    }

    /// Declares the statuses the endpoint documents for success (each within 200..=299).
    /// Any 2xx is accepted all the same (see the type's docs).
    pub fn success(mut self, statuses: &[u16]) -> Result<Self, InvalidInput> {
        self.described.set_success(statuses)?;
        Ok(self)
    }

    /// Overrides the API version given at construction.
    pub fn api_version(mut self, version: ApiVersion) -> Self {
        self.options.api_version = Some(version);
        self
    }

    /// Asks Atlas to wrap the answer in `{"status", "content"}` (`envelope=true`); the result
    /// is unwrapped, with the real status in its metadata.
    pub fn envelope(mut self, on: bool) -> Self {
        self.options.envelope = on;
        self
    }

    /// Asks for pretty-printed JSON (`pretty=true`).
    pub fn pretty(mut self, on: bool) -> Self {
        self.options.pretty = on;
        self
    }
}

impl<T> Clone for Custom<T> {
    fn clone(&self) -> Self {
        Custom {
            described: self.described.clone(),
            options: self.options.clone(),
            entry: self.entry,
            path_values: self.path_values.clone(),
            output: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Custom<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Custom")
            .field("described", &self.described)
            .field("options", &self.options)
            .field("entry", &self.entry.map(|e| e.operation_id))
            .finish()
    }
}

impl<T: CustomOutput> Operation for Custom<T> {
    type Output = T;

    /// The row standing for every described operation; each value sends what it describes
    /// ([`Operation::described`]).
    const ENDPOINT: Endpoint = Endpoint::described(T::FAMILY);

    /// Empty: the path is filled as it is described.
    /// A catalog operation's path parameters as given (the path sent is the described one).
    fn path_params(&self) -> Vec<(&'static str, &str)> {
        self.path_values.iter().map(|(name, value)| (*name, value.as_str())).collect()
    }

    fn body(&self) -> Result<Option<Vec<u8>>, serde_json::Error> {
        Ok(self.described.body().map(<[u8]>::to_vec))
    }

    fn options(&self) -> &CallOptions {
        &self.options
    }

    fn decode(body: &[u8]) -> Result<T, serde_json::Error> {
        T::decode_body(body)
    }

    fn described(&self) -> Option<&Described> {
        Some(&self.described)
    }

    fn catalog_entry(&self) -> Option<&'static Endpoint> {
        self.entry
    }

    fn check_before_sending(&self, version: ApiVersion) -> Result<(), InvalidInput> {
        self.check_against_entry(version)
    }
}
