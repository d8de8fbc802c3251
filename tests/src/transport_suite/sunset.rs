//! Sunset warnings from the spec: an answer without a `Sunset` header, for an API version the
//! spec gives a sunset date (`x-sunset`) or an operation it marks deprecated, still warns,
//! through the client's hook.

use super::{Transport, canned_client};
use crate::canned::*;
use atlas_admin_core::ops::{GetGroupInvite, ListOrgUsers};
use atlas_admin_core::{ApiVersion, HttpDate, SunsetWarning};
use std::sync::{Arc, Mutex};

/// `listOrgUsers` at its default version (2025-02-19, no sunset) does not warn; at 2023-01-01
/// (the spec's sunset 2027-07-01) it warns with the spec's date though Atlas sent no header,
/// once; a `Sunset` header wins over the spec's date (`getGroupInvite`: the header's 2027-01-01).
/// Every answer's metadata carries the spec's date of the version called.
pub fn a_sunset_date_in_the_spec_warns_without_the_header<T: Transport>() {
    let plain = |body: &[u8]| response("200 OK", &[("Content-Type", "application/vnd.atlas.2023-01-01+json")], body);
    let header = "Fri, 01 Jan 2027 00:00:00 GMT";
    let empty_page = br#"{"links":[],"results":[],"totalCount":0}"#;
    let server = Server::start(vec![
        challenge(),
        plain(empty_page),
        plain(empty_page),
        plain(empty_page),
        response(
            "200 OK",
            &[("Content-Type", "application/vnd.atlas.2023-01-01+json"), ("Sunset", header)],
            invitation_json("ada@example.com").as_bytes(),
        ),
    ]);
    let client = canned_client::<T>(&server.base_url(), |b| b);
    let seen: Arc<Mutex<Vec<SunsetWarning>>> = Arc::default();
    let sink = Arc::clone(&seen);
    T::on_sunset(&client, Arc::new(move |w: &SunsetWarning| sink.lock().unwrap().push(w.clone())));

    let current = T::execute(&client, &ListOrgUsers::new(ORG_ID).unwrap()).unwrap();
    assert_eq!((current.meta.sunset, current.meta.spec_sunset), (None, None));
    assert!(seen.lock().unwrap().is_empty(), "a version without a sunset date does not warn");

    let old = ListOrgUsers::new(ORG_ID).unwrap().api_version(ApiVersion::V2023_01_01);
    let spec_date = HttpDate::from_date("2027-07-01").unwrap();
    for _ in 0..2 {
        let r = T::execute(&client, &old).unwrap();
        assert_eq!((r.meta.sunset, r.meta.spec_sunset), (None, Some(spec_date)));
    }
    let invite = T::execute(&client, &GetGroupInvite::new(GROUP_ID, INVITATION_ID).unwrap()).unwrap();
    assert_eq!(invite.meta.spec_sunset, Some(spec_date));
    drop(server.finish());

    let seen = seen.lock().unwrap();
    let got: Vec<(&str, String, bool)> =
        seen.iter().map(|w| (w.operation, w.sunset.map(|s| s.to_string()).unwrap_or_default(), w.from_spec)).collect();
    assert_eq!(
        got,
        [
            ("listOrgUsers", "Thu, 01 Jul 2027 00:00:00 GMT".to_owned(), true),
            ("getGroupInvite", header.to_owned(), false),
        ]
    );
    assert!(seen[0].to_string().contains("the API spec's date"), "{}", seen[0]);
}

/// An operation the spec marks deprecated without a sunset date (one of 14, e.g.
/// `listGroupClusterBackupCheckpoints`) warns too, once, with no date, though Atlas sent no
/// header; its metadata says the spec marks it deprecated.
pub fn a_deprecated_operation_without_a_sunset_date_warns<T: Transport>() {
    let plain = |body: &[u8]| response("200 OK", &[("Content-Type", "application/vnd.atlas.2023-01-01+json")], body);
    let empty_page = br#"{"links":[],"results":[],"totalCount":0}"#;
    let server = Server::start(vec![challenge(), plain(empty_page), plain(empty_page)]);
    let client = canned_client::<T>(&server.base_url(), |b| b);
    let seen: Arc<Mutex<Vec<SunsetWarning>>> = Arc::default();
    let sink = Arc::clone(&seen);
    T::on_sunset(&client, Arc::new(move |w: &SunsetWarning| sink.lock().unwrap().push(w.clone())));

    let endpoint = atlas_admin_core::catalog::find("listGroupClusterBackupCheckpoints").unwrap();
    assert!(endpoint.deprecated && endpoint.sunsets.is_empty(), "deprecated without a date in the spec");
    let call = atlas_admin_core::catalog::call(endpoint.operation_id).unwrap();
    let call = call.param("groupId", GROUP_ID).unwrap().param("clusterName", "Cluster0").unwrap();
    for _ in 0..2 {
        let r = T::execute(&client, &call).unwrap();
        assert_eq!((r.meta.sunset, r.meta.spec_sunset, r.meta.spec_deprecated), (None, None, true));
    }
    drop(server.finish());

    let seen = seen.lock().unwrap();
    let got: Vec<(&str, Option<HttpDate>, bool)> = seen.iter().map(|w| (w.operation, w.sunset, w.from_spec)).collect();
    assert_eq!(got, [("listGroupClusterBackupCheckpoints", None, true)], "one warning");
    assert_eq!(
        seen[0].to_string(),
        "listGroupClusterBackupCheckpoints is deprecated (the API spec says so; no sunset date yet)"
    );
}
