//! Building responses: Atlas error JSON, `envelope`/`pretty` rendering, the headers Atlas puts
//! on invitation responses.

use super::body::FakeBody;
use atlas_admin_core::ApiVersion;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use http::{Response, StatusCode};
use serde_json::{Value, json};

/// Content type of error bodies (observed).
pub(crate) const ERROR_JSON: &str = "application/json";

pub(crate) const X_ERROR_CODE: HeaderName = HeaderName::from_static("x-error-code");

/// The answer to an API request before rendering: status, JSON body, error code.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) status: StatusCode,
    pub(crate) body: Option<Value>,
    pub(crate) error_code: Option<String>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    /// A body that is not JSON (a download) and its content type; `body` is then `None`.
    pub(crate) raw: Option<Box<(Vec<u8>, String)>>,
}

impl Outcome {
    pub(crate) fn ok(body: Value) -> Self {
        Outcome { status: StatusCode::OK, body: Some(body), error_code: None, headers: Vec::new(), raw: None }
    }

    /// 201 with `body` (Cloud Users create and add).
    pub(crate) fn created(body: Value) -> Self {
        Outcome { status: StatusCode::CREATED, body: Some(body), error_code: None, headers: Vec::new(), raw: None }
    }

    /// `status` with `body` (none for an empty answer).
    pub(crate) fn with_status(status: StatusCode, body: Option<Value>) -> Self {
        Outcome { status, body, error_code: None, headers: Vec::new(), raw: None }
    }

    /// `status` with bytes of `content_type` (a download).
    pub(crate) fn bytes(status: StatusCode, bytes: Vec<u8>, content_type: String) -> Self {
        Outcome {
            status,
            body: None,
            error_code: None,
            headers: Vec::new(),
            raw: Some(Box::new((bytes, content_type))),
        }
    }

    pub(crate) fn no_content() -> Self {
        Outcome { status: StatusCode::NO_CONTENT, body: None, error_code: None, headers: Vec::new(), raw: None }
    }

    /// An Atlas error: `{"detail","error","errorCode","parameters","reason"}`.
    pub(crate) fn error(status: StatusCode, code: &str, detail: impl Into<String>, parameters: Vec<Value>) -> Self {
        Outcome {
            status,
            body: Some(error_body(status, code, &detail.into(), parameters)),
            error_code: Some(code.to_owned()),
            headers: Vec::new(),
            raw: None,
        }
    }

    /// 400 `VALIDATION_ERROR` with `badRequestDetail.fields`.
    pub(crate) fn validation(fields: Vec<(String, String)>) -> Self {
        let detail = match fields.first() {
            Some((field, why)) => format!("Invalid request body: {field} {why}"),
            None => "Invalid request body.".to_owned(),
        };
        let mut out = Outcome::error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", detail, Vec::new());
        let fields: Vec<Value> = fields.into_iter().map(|(f, d)| json!({"field": f, "description": d})).collect();
        if let Some(Value::Object(map)) = out.body.as_mut() {
            map.insert("badRequestDetail".to_owned(), json!({ "fields": fields }));
        }
        out
    }

    pub(crate) fn not_found(detail: impl Into<String>) -> Self {
        Outcome::error(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND", detail, Vec::new())
    }

    pub(crate) fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }
}

/// Atlas's error JSON (keys sorted, as Atlas sends them).
pub(crate) fn error_body(status: StatusCode, code: &str, detail: &str, parameters: Vec<Value>) -> Value {
    json!({
        "detail": detail,
        "error": status.as_u16(),
        "errorCode": code,
        "parameters": parameters,
        "reason": status.canonical_reason().unwrap_or("Error"),
    })
}

/// Query flags that change how a body is written.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Style {
    /// `envelope=true`: answer 200 with `{"status": …, "content": …}`.
    pub(crate) envelope: bool,
    /// `pretty=true`: indent the JSON.
    pub(crate) pretty: bool,
    /// The negotiated API version: the content type of success bodies (observed:
    /// `application/vnd.atlas.<date>+json;charset=utf-8`).
    pub(crate) version: ApiVersion,
}

/// Writes an outcome as an HTTP response.
pub(crate) fn render(outcome: Outcome, style: Style) -> Response<FakeBody> {
    let Outcome { status, body, error_code, headers, raw } = outcome;
    if let Some((bytes, content_type)) = raw.map(|r| *r) {
        let mut r = Response::new(FakeBody::full(bytes));
        *r.status_mut() = status;
        if let Ok(ct) = HeaderValue::from_str(&content_type) {
            r.headers_mut().insert(CONTENT_TYPE, ct);
        }
        for (name, value) in headers {
            r.headers_mut().append(name, value);
        }
        return r;
    }
    let vnd = format!("{};charset=utf-8", style.version.media_type());
    let content_type = if status.is_success() { vnd.as_str() } else { ERROR_JSON };
    let (status, body) = if style.envelope {
        let mut env = serde_json::Map::new();
        env.insert("status".to_owned(), json!(status.as_u16()));
        if let Some(b) = body {
            env.insert("content".to_owned(), b);
        }
        (StatusCode::OK, Some(Value::Object(env)))
    } else {
        (status, body)
    };
    let mut resp = match body {
        Some(v) => json_response(status, &v, style.pretty, content_type),
        None => {
            let mut r = Response::new(FakeBody::empty());
            *r.status_mut() = status;
            if let Ok(ct) = HeaderValue::from_str(content_type) {
                r.headers_mut().insert(CONTENT_TYPE, ct);
            }
            r
        }
    };
    if let Some(code) = error_code.and_then(|c| HeaderValue::from_str(&c).ok()) {
        resp.headers_mut().insert(X_ERROR_CODE, code);
    }
    for (name, value) in headers {
        resp.headers_mut().append(name, value);
    }
    resp
}

/// A JSON response with the given content type.
pub(crate) fn json_response(status: StatusCode, body: &Value, pretty: bool, content_type: &str) -> Response<FakeBody> {
    let bytes = if pretty { serde_json::to_vec_pretty(body) } else { serde_json::to_vec(body) }.unwrap_or_default();
    let mut r = Response::new(FakeBody::full(bytes));
    *r.status_mut() = status;
    if let Ok(ct) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(CONTENT_TYPE, ct);
    }
    r
}

/// A bare Atlas error response (outside the invitation routes: unknown paths, OAuth limits).
pub(crate) fn plain_error(status: StatusCode, code: &str, detail: &str) -> Response<FakeBody> {
    render(Outcome::error(status, code, detail, Vec::new()), Style::default())
}

/// Whether a query flag is set (`envelope=true`, case-insensitive).
pub(crate) fn flag(query: &[(String, String)], name: &str) -> bool {
    query.iter().any(|(k, v)| k == name && v.eq_ignore_ascii_case("true"))
}
