//! # atlas-admin-core
//!
//! The sans-IO core of a client for the MongoDB Atlas Administration API v2: the project and
//! organization invitation endpoints (deprecated) and the Cloud Users API that replaces them
//! (`mongoDbCloudUsers`, API version `2025-02-19`, paginated lists walked by [`paginate`], a few pages at a time by [`ahead`]). It builds `http::Request<Vec<u8>>`
//! values, reads `http::Response<Vec<u8>>` values, and runs Digest and OAuth as state
//! machines. It never opens a socket or file, reads the clock, draws randomness, sleeps or
//! spawns a thread: time and a seed come in as inputs, so every request is reproducible.
//!
//! Transports (`atlas-admin-ureq`, `atlas-admin-hyper`) drive a [`Call`] with the core's
//! [`driver`]s, which run on any runtime given a `send` and a `sleep` function. The
//! crate root holds the protocol (operations, calls, sessions, models, errors); what only a
//! transport needs (the shared [`ClientBuilder`](transport::ClientBuilder), the
//! [`Connect`](transport::Connect) trait, pool, proxy and limit settings) is in [`transport`].
//!
//! Moving off the deprecated invitations: `transport-ureq/MIGRATING.md` (rendered as
//! `atlas_admin_ureq::migrating`) pairs each invitation operation with its Cloud Users
//! replacement, and [`migrate`] plans and applies the move.
//!
//! ```
//! use atlas_admin_core::{Config, Credentials, GroupInvitationRequest, Now, ProjectRole, Purpose, Session, Step};
//! use atlas_admin_core::ops::UpdateGroupInvites;
//! use std::time::{Instant, SystemTime};
//!
//! let session = Session::new(Config::default(), Credentials::api_key("pub", "priv")?, 7)?;
//! let body = GroupInvitationRequest::new("hello@example.com", [ProjectRole::GroupBackupManager])?;
//! let op = UpdateGroupInvites::new("32b6e34b3d91647abb20e7b8", body)?;
//! let mut call = session.begin(&op);
//! let Step::Send(out) = call.next(Now::new(Instant::now(), SystemTime::now())) else { unreachable!() };
//! assert_eq!(out.purpose, Purpose::DigestProbe { attempt: 1 }); // no challenge cached yet
//! let request = out.request;
//! assert_eq!(request.method(), "PATCH");
//! assert_eq!(request.uri(), "https://cloud.mongodb.com/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/invites");
//! assert_eq!(request.body(), br#"{"roles":["GROUP_BACKUP_MANAGER"],"username":"hello@example.com"}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod ahead;
mod auth;
mod call;
pub mod catalog;
mod config;
mod credentials;
mod described;
pub mod digest;
pub mod driver;
mod entropy;
pub mod env;
mod error;
mod exchange;
mod execute;
mod lenient;
mod meta;
pub mod migrate;
mod models;
mod now;
mod operation;
pub mod ops;
pub mod paginate;
mod param_check;
mod pattern;
mod response;
mod retry;
mod sanitize;
pub mod schemas;
mod secret;
mod session;
mod testing;
mod timestamp;
pub mod transport;
mod validate;

pub use auth::oauth;
pub use call::{Call, Step};
pub use config::{Config, DEFAULT_BASE_URL, default_user_agent};
pub use credentials::Credentials;
pub use described::{Described, ResponseFormat};
pub use error::{
    ApiError, ApiErrorBody, AuthError, AuthFailure, BadRequestDetail, ChallengeError, DecodeError, EXCERPT_BYTES,
    Error, ErrorCode, FieldViolation, INVITATIONS_RATE_LIMITED_IP, InvalidInput, TransportError, TransportErrorKind,
};
pub use exchange::{
    Exchange, ExchangeOutcome, ExchangeStart, Observer, Outgoing, Purpose, SunsetHook, SunsetWarning, SunsetWarnings,
};
pub use execute::{Blocking, Execute, ExecuteAsync};
pub use meta::ResponseMeta;
pub use models::{
    CloudUser, GroupInvitation, GroupInvitationRequest, GroupInvitationUpdateRequest, GroupRole, GroupRoleAssignment,
    GroupRoleChange, GroupRoles, GroupRolesRequest, GroupUser, GroupUserRequest, Invitation, Link, Membership,
    OrgMembershipStatus, OrgRole, OrgRoleChange, OrgUser, OrgUserRequest, OrgUserRoles, OrgUserRolesRequest,
    OrgUserUpdateRequest, OrganizationInvitation, OrganizationInvitationRequest, OrganizationInvitationUpdateRequest,
    Page, Profile, ProjectRole, TeamMember,
};
pub use now::Now;
pub use operation::{
    CallOptions, Endpoint, IntFormat, Operation, Param, ParamIn, ParamKind, PathParam, Preview, SuccessBody, Sunset,
};
pub use pattern::{PERMISSIVE_MAX_LEN, Pattern};
pub use response::{ApiResponse, parse_response};
pub use retry::RetryPolicy;
pub use sanitize::Sanitized;
pub use secret::{SECRET_FIELDS, Secret, is_secret_field};
pub use session::{Revocation, Session};
pub use testing::unsigned_request;
pub use timestamp::{HttpDate, Timestamp, format_rfc3339};
pub use validate::{ApiVersion, GroupId, IntoId, InvitationId, MAX_TEXT_LEN, OrgId, TeamId, UserId};

/// What a transport crate re-exports at its root, so users of either transport import the
/// same names: `pub use atlas_admin_core::prelude::*;`. Glob-import it yourself to get the
/// operations' trait, request and response types, dates, errors and settings without naming
/// each one.
pub mod prelude {
    pub use crate::transport::{BuildError, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT};
    pub use crate::{
        ApiError, ApiResponse, ApiVersion, AuthError, AuthFailure, Config, Credentials, DecodeError, Error, GroupId,
        GroupInvitation, GroupInvitationRequest, GroupInvitationUpdateRequest, GroupRole, GroupRoleAssignment,
        InvalidInput, InvitationId, OrgId, OrgRole, OrganizationInvitation, OrganizationInvitationRequest,
        OrganizationInvitationUpdateRequest, ProjectRole, ResponseMeta, RetryPolicy, Secret, TransportError,
        TransportErrorKind,
    };
    pub use crate::{
        CloudUser, GroupRoleChange, GroupRoles, GroupRolesRequest, GroupUser, GroupUserRequest, Invitation, Link,
        Membership, OrgMembershipStatus, OrgRoleChange, OrgUser, OrgUserRequest, OrgUserRoles, OrgUserRolesRequest,
        OrgUserUpdateRequest, Page, Profile, TeamMember, UserId,
    };
    pub use crate::{ErrorCode, Sanitized};
    pub use crate::{Exchange, ExchangeOutcome, Observer, Purpose, SunsetWarning};
    pub use crate::{Execute, ExecuteAsync, HttpDate, Operation, Timestamp, parse_response};
    pub use crate::{env, ops, paginate};
    pub use http::StatusCode;
    // The method of an operation described at run time (`ops::Custom`).
    pub use http::Method;
}

#[cfg(test)]
mod tests {
    /// What users reach for is in the prelude, which both transports re-export at their root.
    #[test]
    fn the_prelude_has_what_users_reach_for() {
        use crate::prelude::*;
        fn is_operation<O: Operation>() {}
        is_operation::<ops::DeleteGroupInvite>();
        let _parse = parse_response::<ops::DeleteGroupInvite>;
        assert_eq!(StatusCode::NOT_FOUND.as_u16(), 404);
        let sunset = HttpDate::parse("Thu, 1 Jul 2027 00:00:00 GMT").map(|d| d.unix_seconds());
        assert_eq!(sunset, Some(1_814_400_000));
        assert_eq!(Timestamp::parse("2026-08-10T03:04:53Z").unix_seconds(), Some(1_786_331_093));
        assert_eq!(DEFAULT_TIMEOUT, crate::transport::DEFAULT_TIMEOUT);
        let _: fn(&BuildError) -> String = ToString::to_string;
    }
}
