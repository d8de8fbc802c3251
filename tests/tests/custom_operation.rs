//! Operations described at run time (`ops::Custom`) through what takes any operation besides
//! the real clients: a cassette records and replays them (and a typed call sending the same
//! request replays the same answer), and the scripted double answers and records them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use atlas_admin_core::ops::{Custom, ListGroupInvites};
use atlas_admin_core::{
    ApiResponse, ApiVersion, Config, Error, ErrorCode, Execute, ExecuteAsync, OrgRole, OrgUserRequest,
    OrgUserRolesRequest,
};
use atlas_admin_testing::cassette::{Auth, Player};
use atlas_admin_testing::doubles::Scripted;
use atlas_admin_testing::fake::{FakeAtlas, FakeConfig};
use http::{Method, StatusCode};
use serde_json::{Value, json};

fn list_invites(group: &str) -> Custom {
    Custom::new(Method::GET, "/api/atlas/v2/groups/{groupId}/invites", ApiVersion::V2023_01_01)
        .unwrap()
        .path_param("groupId", group)
        .unwrap()
        .named("listGroupInvites")
        .unwrap()
}

fn create_org_user(org: &str) -> Custom {
    let body =
        OrgUserRequest::new("cassette.user@example.com", OrgUserRolesRequest::new([OrgRole::OrgMember]).unwrap())
            .unwrap();
    Custom::new(Method::POST, "/api/atlas/v2/orgs/{orgId}/users", ApiVersion::V2025_02_19)
        .unwrap()
        .path_param("orgId", org)
        .unwrap()
        .json(&body)
        .unwrap()
        .named("createOrgUser")
        .unwrap()
}

fn missing(group: &str) -> Custom {
    Custom::new(Method::GET, "/api/atlas/v2/groups/{groupId}/invites/{invitationId}", ApiVersion::V2023_01_01)
        .unwrap()
        .path_param("groupId", group)
        .unwrap()
        .path_param("invitationId", "5f8d0a1b2c3d4e5f6a7b8c9d")
        .unwrap()
}

/// What a caller sees of an answer: status, exchanges and the value.
fn seen(r: Result<ApiResponse<Value>, Error>) -> (u16, u32, Value) {
    let r = r.unwrap();
    (r.meta.status.as_u16(), r.meta.exchanges, r.value)
}

#[test]
fn a_cassette_records_and_replays_described_calls() {
    let fake = FakeAtlas::start_with(FakeConfig { serve_past_sunset: true, ..FakeConfig::recognisable() }).unwrap();
    let (group, org) = (fake.config().group_id.clone(), fake.config().org_id.clone());
    let client = fake.recording(Auth::ApiKey, Config::default()).unwrap();
    let created = seen(client.execute(&create_org_user(&org)));
    let listed = seen(client.execute(&list_invites(&group)));
    let not_found = client.execute(&missing(&group)).unwrap_err();
    assert_eq!((created.0, created.1), (201, 2), "the Digest challenge, then the signed create");
    assert_eq!(created.2["username"], "cassette.user@example.com");
    assert_eq!((listed.0, listed.1, &listed.2), (200, 1, &json!([])));
    assert!(not_found.is_not_found());
    let cassette = client.recorder().cassette().unwrap();
    assert_eq!(cassette.interactions.len(), 4);
    let text = cassette.to_json_string();
    for secret in FakeConfig::recognisable().forbidden_in_cassettes() {
        assert!(!text.contains(&secret), "the cassette holds {secret}");
    }
    drop(fake); // nothing listens any more

    let player = Player::new(cassette.clone()).unwrap();
    // The same answer, but for the public key, which the cassette holds as a placeholder.
    let mut scrubbed = created.clone();
    scrubbed.2["inviterUsername"] = json!("PUBLIC-KEY");
    assert_eq!(seen(Execute::execute(&player, &create_org_user(&org))), scrubbed);
    // A typed call sending the same request replays the described call's answer.
    let typed = Execute::execute(&player, &ListGroupInvites::new(&group).unwrap()).unwrap();
    assert!(typed.value.is_empty());
    let again = Execute::execute(&player, &missing(&group)).unwrap_err();
    assert_eq!((again.is_not_found(), again.error_code()), (true, not_found.error_code()));
    player.assert_done();

    // Async code replays it as well; a described call that differs is a miss, not a guess.
    let player = Player::new(cassette).unwrap();
    let create = create_org_user(&org);
    let replayed = futures_executor::block_on(ExecuteAsync::execute(&player, &create)).unwrap();
    assert_eq!(replayed.meta.status.as_u16(), 201);
    let other = list_invites(&group).query("username", "someone@example.com").unwrap();
    let miss = Execute::execute(&player, &other).unwrap_err();
    assert!(miss.to_string().contains("username"), "{miss}");
}

#[test]
fn the_scripted_double_answers_and_records_described_calls() {
    let atlas = Scripted::new();
    atlas
        .ok::<Custom>(json!([{"id": "5f8d0a1b2c3d4e5f6a7b8c9d"}]))
        .err::<Custom>(Error::api(StatusCode::NOT_FOUND, ErrorCode::ResourceNotFound));
    let group = "32b6e34b3d91647abb20e7b8";
    let op = list_invites(group).query("username", "ada@example.com").unwrap();
    assert_eq!(Execute::execute(&atlas, &op).unwrap().value[0]["id"], "5f8d0a1b2c3d4e5f6a7b8c9d");
    assert!(Execute::execute(&atlas, &missing(group)).unwrap_err().is_not_found());
    let calls = atlas.calls_to::<Custom>();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].path, format!("/api/atlas/v2/groups/{group}/invites"));
    assert_eq!(calls[0].query_param("username"), Some("ada@example.com"));
    assert_eq!(calls[0].api_version, Some(ApiVersion::V2023_01_01));
    assert_eq!(calls[1].method, Method::GET);
    atlas.assert_done();
}
