//! Property tests of the Cloud Users models and the paginator: any JSON decodes or fails
//! cleanly (never panics), any status text decodes (an open enum), decoded users round-trip
//! through JSON, and any script of pages ends within the page cap with each page asked once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use atlas_admin_core::ops::ListOrgUsers;
use atlas_admin_core::paginate::{Paginated, PaginationError, Paginator};
use atlas_admin_core::{GroupUser, OrgMembershipStatus, OrgUser, Page};
use proptest::prelude::*;
use serde_json::{Value, json};

const ORG: &str = "4888442a3354817a7320eb61";

fn config() -> ProptestConfig {
    ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() }
}

/// Any JSON value, with the field names of users and pages over-represented.
fn any_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("id".to_owned()),
        Just("orgMembershipStatus".to_owned()),
        Just("roles".to_owned()),
        Just("orgRoles".to_owned()),
        Just("groupRoleAssignments".to_owned()),
        Just("groupRoles".to_owned()),
        Just("teamIds".to_owned()),
        Just("results".to_owned()),
        Just("links".to_owned()),
        Just("totalCount".to_owned()),
        Just("roleName".to_owned()),
        Just("invitationExpiresAt".to_owned()),
        "[a-z]{1,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![Just("ACTIVE".to_owned()), Just("ORG_OWNER".to_owned()), ".{0,12}"].prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_json_decodes_or_fails_without_panicking(value in any_json()) {
        let text = value.to_string();
        let _ = serde_json::from_str::<OrgUser>(&text);
        let _ = serde_json::from_str::<GroupUser>(&text);
        let _ = serde_json::from_str::<Page<OrgUser>>(&text);
        let _ = serde_json::from_str::<Page<GroupUser>>(&text);
    }

    #[test]
    fn any_status_decodes_and_decoded_users_round_trip(status in ".{0,20}", first in "[A-Za-z]{0,8}") {
        let user = json!({"id": "5e4bc367c6b0f41bb9bbb178", "orgMembershipStatus": status, "firstName": first,
                          "roles": {"orgRoles": ["ORG_MEMBER"], "groupRoleAssignments": null}});
        let decoded: OrgUser = serde_json::from_value(user).unwrap();
        prop_assert_eq!(decoded.status.as_str(), status.as_str());
        prop_assert_eq!(OrgMembershipStatus::parse(&status), decoded.status.clone());
        let again: OrgUser = serde_json::from_value(serde_json::to_value(&decoded).unwrap()).unwrap();
        prop_assert_eq!(again, decoded);
    }

    /// Pages of random sizes with random `next` links (forward, backward, missing, without a
    /// number): the walk ends, never asks past the cap, and never asks a page twice.
    #[test]
    fn any_script_of_pages_ends_within_the_cap(
        script in prop::collection::vec((0usize..4, prop::option::of(0u32..12), any::<bool>()), 1..30),
        cap in 1u32..20,
    ) {
        let mut pages = Paginator::new(ListOrgUsers::new(ORG).unwrap()).max_pages(cap);
        let mut asked = Vec::new();
        let mut script = script.into_iter();
        while let Some(next) = pages.next_op() {
            let op = match next {
                Ok(op) => op,
                Err(PaginationError::TooManyPages { max }) => {
                    prop_assert_eq!((max, asked.len() as u32), (cap, cap));
                    break;
                }
                Err(_) => break,
            };
            let page_num = op.current_page();
            prop_assert!(!asked.contains(&page_num), "page {} asked twice: {:?}", page_num, asked);
            asked.push(page_num);
            // Past the script: an empty page, which ends any walk.
            let (n, link, numbered) = script.next().unwrap_or((0, None, false));
            let results: Vec<Value> = (0..n).map(|_| json!({"orgMembershipStatus": "ACTIVE"})).collect();
            let links = match (link, numbered) {
                (Some(p), true) => json!([{"rel": "next", "href": format!("http://h/x?pageNum={p}")}]),
                (Some(_), false) => json!([{"rel": "next", "href": "http://h/x"}]),
                (None, _) => json!([{"rel": "self", "href": "http://h/x"}]),
            };
            let page: Page<OrgUser> = serde_json::from_value(json!({"links": links, "results": results})).unwrap();
            pages.handle(&page);
        }
        prop_assert!(asked.len() as u32 <= cap);
        prop_assert!(pages.next_op().is_none(), "the walk is over for good");
    }
}
