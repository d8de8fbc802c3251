//! [`Scripted`]: a ready test double for code generic over [`Execute`] or [`ExecuteAsync`].
//!
//! It answers per operation from queued results (each used once, in order) and then from a
//! handler (used for every further call), records every call it was asked, and panics on a
//! call it has no answer for: a test never passes on an answer nobody scripted.
//!
//! ```
//! use atlas_admin_core::ops::{GetOrgUser, RemoveOrgUser};
//! use atlas_admin_core::{ApiResponse, Error, ErrorCode, Execute, OrgUser};
//! use atlas_admin_testing::doubles::Scripted;
//! use http::StatusCode;
//!
//! let atlas = Scripted::new();
//! atlas
//!     .ok::<GetOrgUser>(OrgUser::active("ada@example.com"))
//!     .err::<GetOrgUser>(Error::api(StatusCode::NOT_FOUND, ErrorCode::ResourceNotFound))
//!     .on::<RemoveOrgUser>(|_call| Ok(ApiResponse::new(())));
//!
//! let op = GetOrgUser::new("a0123456789abcdef012345a", "5f8d0a1b2c3d4e5f6a7b8c9d")?;
//! assert_eq!(Execute::execute(&atlas, &op)?.value.username.as_deref(), Some("ada@example.com"));
//! assert!(Execute::execute(&atlas, &op).unwrap_err().is_not_found());
//! assert_eq!(atlas.calls_to::<GetOrgUser>().len(), 2);
//! assert_eq!(atlas.calls()[0].param("userId"), Some("5f8d0a1b2c3d4e5f6a7b8c9d"));
//! atlas.assert_done();
//! # Ok::<(), Error>(())
//! ```

use atlas_admin_core::{ApiResponse, ApiVersion, Config, Error, Execute, ExecuteAsync, Operation, unsigned_request};
use http::Method;
use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

/// What an operation's answer is: its decoded body with metadata, or an error.
type Answer<T> = Result<ApiResponse<T>, Error>;

/// A handler answering every call of one operation (after its queue is empty).
type Handler<T> = Arc<dyn Fn(&Called) -> Answer<T> + Send + Sync>;

/// A thread-safe scripted double implementing both [`Execute`] and [`ExecuteAsync`].
///
/// Answers are keyed by operation (`O::ENDPOINT.operation_id`); the queued ones of an
/// operation are used first, in order, then its handler. A call with neither panics, naming
/// the call and what is scripted. Clones share the script and the record of calls.
/// A direct call on it names the trait (`Execute::execute(&double, &op)`), since it has both;
/// code generic over one trait calls `execute` as usual.
#[derive(Clone, Default)]
pub struct Scripted {
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    /// Per operation id: boxed `Answer<O::Output>` values.
    queued: HashMap<&'static str, VecDeque<Box<dyn Any + Send>>>,
    /// Per operation id: a boxed `Handler<O::Output>`.
    handlers: HashMap<&'static str, Box<dyn Any + Send>>,
    calls: Vec<Called>,
}

/// One call the double was asked: the operation and the request it would have sent (before
/// authentication, under the default base URL).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Called {
    /// The `operationId`, e.g. `getOrgUser`.
    pub operation_id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path with its parameters filled in.
    pub path: String,
    /// The query pairs, in the order the operation sends them.
    pub query: Vec<(String, String)>,
    /// The API version the call asked for, if it overrode the default.
    pub api_version: Option<ApiVersion>,
    /// The JSON body, if any (a body that is not JSON is kept as a string).
    pub body: Option<serde_json::Value>,
    /// The path parameters by name (`groupId`, `userId`...).
    pub params: Vec<(&'static str, String)>,
}

impl Called {
    /// A path parameter's value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// The first value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// What `op` sends, or the error a real client would return before sending anything.
    fn of<O: Operation>(op: &O) -> Result<Called, Error> {
        let request = unsigned_request(&Config::default(), op)?;
        let body = match request.body().as_slice() {
            [] => None,
            bytes => Some(
                serde_json::from_slice(bytes)
                    .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(bytes).into_owned())),
            ),
        };
        let query = form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Ok(Called {
            operation_id: O::ENDPOINT.operation_id,
            method: request.method().clone(),
            path: request.uri().path().to_owned(),
            query,
            api_version: op.options().api_version,
            body,
            params: op.path_params().into_iter().map(|(n, v)| (n, v.to_owned())).collect(),
        })
    }
}

impl fmt::Display for Called {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} {}", self.operation_id, self.method, self.path)?;
        for (i, (k, v)) in self.query.iter().enumerate() {
            write!(f, "{}{k}={v}", if i == 0 { '?' } else { '&' })?;
        }
        match &self.body {
            Some(body) => write!(f, " {body})"),
            None => write!(f, ")"),
        }
    }
}

impl Scripted {
    /// A double with nothing scripted: every call panics until answers are added.
    pub fn new() -> Self {
        Scripted::default()
    }

    /// Queues one answer for the next call of `O` not yet answered.
    pub fn answer<O>(&self, answer: Answer<O::Output>) -> &Self
    where
        O: Operation,
        O::Output: Send + 'static,
    {
        self.lock().queued.entry(O::ENDPOINT.operation_id).or_default().push_back(Box::new(answer));
        self
    }

    /// Queues a success carrying `value` ([`ApiResponse::new`]: 200, one exchange).
    pub fn ok<O>(&self, value: O::Output) -> &Self
    where
        O: Operation,
        O::Output: Send + 'static,
    {
        self.answer::<O>(Ok(ApiResponse::new(value)))
    }

    /// Queues an error (e.g. `Error::api(StatusCode::NOT_FOUND, ErrorCode::ResourceNotFound)`).
    pub fn err<O>(&self, error: Error) -> &Self
    where
        O: Operation,
        O::Output: Send + 'static,
    {
        self.answer::<O>(Err(error))
    }

    /// Answers every call of `O` left when its queue is empty with `handler`, which sees the
    /// call (path parameters, query, body). Replaces an earlier handler of `O`.
    pub fn on<O>(&self, handler: impl Fn(&Called) -> Answer<O::Output> + Send + Sync + 'static) -> &Self
    where
        O: Operation,
        O::Output: Send + 'static,
    {
        let handler: Handler<O::Output> = Arc::new(handler);
        self.lock().handlers.insert(O::ENDPOINT.operation_id, Box::new(handler));
        self
    }

    /// Every call so far, in the order they were made.
    pub fn calls(&self) -> Vec<Called> {
        self.lock().calls.clone()
    }

    /// The calls of `O` so far.
    pub fn calls_to<O: Operation>(&self) -> Vec<Called> {
        self.lock().calls.iter().filter(|c| c.operation_id == O::ENDPOINT.operation_id).cloned().collect()
    }

    /// Panics if a queued answer was never used (a call the test expected did not happen).
    pub fn assert_done(&self) {
        let left = self.lock().unused();
        assert!(left.is_empty(), "Scripted: queued answers never used: {}", left.join(", "));
    }

    /// The answer to `op`: its next queued one, else its handler's; panics if there is none.
    fn respond<O>(&self, op: &O) -> Answer<O::Output>
    where
        O: Operation,
        O::Output: Send + 'static,
    {
        let called = Called::of(op)?;
        let id = O::ENDPOINT.operation_id;
        let mut state = self.lock();
        state.calls.push(called.clone());
        if let Some(next) = state.queued.get_mut(id).and_then(VecDeque::pop_front) {
            return *next.downcast::<Answer<O::Output>>().unwrap_or_else(|_| mistyped(id));
        }
        let handler = state.handlers.get(id).map(|h| h.downcast_ref::<Handler<O::Output>>().cloned());
        match handler {
            Some(Some(handler)) => {
                // Unlocked while the handler runs: it may call the double itself.
                drop(state);
                handler(&called)
            }
            Some(None) => mistyped(id),
            None => {
                let scripted = state.scripted();
                drop(state);
                panic!("Scripted: unexpected call {called}; scripted: [{}]", scripted.join(", "))
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic in a test thread (an unexpected call) must not hide the next failure.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Two operation types cannot share an `operationId`: reaching this is a bug in the table.
fn mistyped(id: &str) -> ! {
    panic!("Scripted: the answer queued for {id} has another output type")
}

impl State {
    /// Queued answers left, as `operationId xN`.
    fn unused(&self) -> Vec<String> {
        let mut left: Vec<String> =
            self.queued.iter().filter(|(_, q)| !q.is_empty()).map(|(id, q)| format!("{id} x{}", q.len())).collect();
        left.sort();
        left
    }

    /// What can still answer: queued answers and handlers.
    fn scripted(&self) -> Vec<String> {
        let mut all = self.unused();
        let mut handlers: Vec<String> = self.handlers.keys().map(|id| format!("{id} (handler)")).collect();
        handlers.sort();
        all.extend(handlers);
        all
    }
}

impl fmt::Debug for Scripted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Scripted").field("scripted", &state.scripted()).field("calls", &state.calls.len()).finish()
    }
}

impl Execute for Scripted {
    fn execute<O>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O: Operation,
        O::Output: Send + 'static,
    {
        self.respond(op)
    }
}

/// Answers when called, not when polled: the future is ready at once.
impl ExecuteAsync for Scripted {
    fn execute<O>(&self, op: &O) -> impl Future<Output = Result<ApiResponse<O::Output>, Error>> + Send
    where
        O: Operation + Sync,
        O::Output: Send + 'static,
    {
        std::future::ready(self.respond(op))
    }
}
