//! The ready double `Scripted`: answers in queued order then from a handler, records calls,
//! panics on what nobody scripted, and serves threads and async code alike.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use atlas_admin_core::ops::{CreateOrgUser, GetOrgUser, ListOrgUsers, RemoveOrgUser};
use atlas_admin_core::{
    ApiError, ApiResponse, Error, ErrorCode, Execute, ExecuteAsync, OrgRole, OrgUser, OrgUserRequest,
    OrgUserRolesRequest, Page, ResponseMeta,
};
use atlas_admin_testing::doubles::Scripted;
use http::StatusCode;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

const ORG: &str = "a0123456789abcdef012345a";
const USER: &str = "5f8d0a1b2c3d4e5f6a7b8c9d";

fn get() -> GetOrgUser {
    GetOrgUser::new(ORG, USER).unwrap()
}

/// The message of a panic caught from `f`.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    payload.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[test]
fn queued_answers_come_in_order_then_the_handler() {
    let atlas = Scripted::new();
    let calls = std::sync::Arc::new(AtomicU32::new(0));
    let seen = calls.clone();
    atlas
        .ok::<GetOrgUser>(OrgUser::active("first@example.com"))
        .err::<GetOrgUser>(Error::api(StatusCode::NOT_FOUND, ErrorCode::ResourceNotFound));
    atlas.on::<GetOrgUser>(move |call| {
        seen.fetch_add(1, Ordering::SeqCst);
        Ok(ApiResponse::new(OrgUser::pending("handler@example.com").with_id(call.param("userId").unwrap())))
    });
    let first = Execute::execute(&atlas, &get()).unwrap();
    assert_eq!(first.value.username.as_deref(), Some("first@example.com"));
    assert_eq!(first.meta.status, StatusCode::OK);
    assert!(Execute::execute(&atlas, &get()).unwrap_err().is_not_found());
    for _ in 0..2 {
        let user = Execute::execute(&atlas, &get()).unwrap().value;
        assert_eq!((user.username.as_deref(), user.id.as_deref()), (Some("handler@example.com"), Some(USER)));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(atlas.calls_to::<GetOrgUser>().len(), 4);
    atlas.assert_done();
}

#[test]
fn calls_are_recorded_with_path_query_and_json_body() {
    let atlas = Scripted::new();
    atlas.ok::<CreateOrgUser>(OrgUser::pending("new@example.com")).ok::<ListOrgUsers>(Page::new(vec![]));
    let body = OrgUserRequest::new("new@example.com", OrgUserRolesRequest::new([OrgRole::OrgMember]).unwrap()).unwrap();
    Execute::execute(&atlas, &CreateOrgUser::new(ORG, body).unwrap()).unwrap();
    let list = ListOrgUsers::new(ORG).unwrap().username("a+b@example.com").unwrap();
    Execute::execute(&atlas, &list).unwrap();

    let calls = atlas.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!((calls[0].operation_id, calls[0].method.as_str()), ("createOrgUser", "POST"));
    assert_eq!(calls[0].path, format!("/api/atlas/v2/orgs/{ORG}/users"));
    assert_eq!(calls[0].body.as_ref().unwrap()["username"], "new@example.com");
    assert_eq!(calls[0].body.as_ref().unwrap()["roles"]["orgRoles"][0], "ORG_MEMBER");
    assert_eq!(calls[1].query_param("username"), Some("a+b@example.com"));
    assert_eq!(calls[1].param("orgId"), Some(ORG));
    assert_eq!(calls[1].body, None);
    assert_eq!(
        calls[1].to_string(),
        format!("listOrgUsers (GET /api/atlas/v2/orgs/{ORG}/users?username=a+b@example.com)")
    );
}

#[test]
fn an_unexpected_call_panics_naming_it_and_what_is_scripted() {
    let atlas = Scripted::new();
    atlas.ok::<ListOrgUsers>(Page::new(vec![])).on::<RemoveOrgUser>(|_| Ok(ApiResponse::new(())));
    let message = panic_message(|| {
        let _ = Execute::execute(&atlas, &get());
    });
    assert!(message.contains("unexpected call getOrgUser (GET /api/atlas/v2/orgs/"), "{message}");
    assert!(message.contains("listOrgUsers x1, removeOrgUser (handler)"), "{message}");
    // The call is still recorded, and the double still works after the panic.
    assert_eq!(atlas.calls_to::<GetOrgUser>().len(), 1);
    assert!(Execute::execute(&atlas, &RemoveOrgUser::new(ORG, USER).unwrap()).is_ok());
}

#[test]
fn assert_done_names_the_answers_never_used() {
    let atlas = Scripted::new();
    atlas.ok::<GetOrgUser>(OrgUser::default()).ok::<GetOrgUser>(OrgUser::default());
    Execute::execute(&atlas, &get()).unwrap();
    let message = panic_message(|| atlas.assert_done());
    assert!(message.contains("never used: getOrgUser x1"), "{message}");
}

#[test]
fn errors_and_metadata_built_by_hand_reach_the_caller() {
    let atlas = Scripted::new();
    let meta = ResponseMeta::default()
        .with_status(StatusCode::TOO_MANY_REQUESTS)
        .with_retry_after(Duration::from_secs(7))
        .with_error_code("RATE_LIMITED");
    atlas
        .err::<GetOrgUser>(ApiError::new(StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited).with_meta(meta).into());
    let err = Execute::execute(&atlas, &get()).unwrap_err();
    assert!(err.is_rate_limited() && err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
}

#[test]
fn threads_share_one_double_and_every_call_is_recorded() {
    let atlas = Scripted::new();
    let n = AtomicU32::new(0);
    atlas.on::<GetOrgUser>(move |_| {
        let i = n.fetch_add(1, Ordering::SeqCst);
        Ok(ApiResponse::new(OrgUser::active(format!("u{i}@example.com"))))
    });
    let names: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> =
            (0..8).map(|_| s.spawn(|| Execute::execute(&atlas, &get()).unwrap().value.username.unwrap())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 8, "each call got its own answer: {names:?}");
    assert_eq!(atlas.calls().len(), 8);
}

#[test]
fn the_async_twin_answers_from_the_same_script() {
    fn spawnable<F: std::future::Future + Send>(f: F) -> F {
        f
    }
    let atlas = Scripted::new();
    atlas.ok::<GetOrgUser>(OrgUser::active("async@example.com"));
    let op = get();
    let user = futures_executor::block_on(spawnable(ExecuteAsync::execute(&atlas, &op))).unwrap().value;
    assert_eq!(user.username.as_deref(), Some("async@example.com"));
    assert_eq!(atlas.calls().len(), 1);
}

/// A generated typed operation reports its path parameters, so a double's `Called::param`
/// finds them as it does for the hand-written ones.
#[cfg(feature = "fake-full")]
#[test]
fn a_generated_operation_s_path_parameters_are_recorded() {
    use atlas_admin_core::ops::DeleteGroupCluster;
    const GROUP: &str = "32b6e34b3d91647abb20e7b8";
    let atlas = Scripted::new();
    atlas.ok::<DeleteGroupCluster>(());
    Execute::execute(&atlas, &DeleteGroupCluster::new(GROUP, "Cluster0").unwrap()).unwrap();
    let calls = atlas.calls();
    assert_eq!(calls[0].path, format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0"));
    assert_eq!(calls[0].param("groupId"), Some(GROUP));
    assert_eq!(calls[0].param("clusterName"), Some("Cluster0"));
}
