//! Regression tests for inputs that used to take quadratic time: each must finish far inside
//! a generous bound (the quadratic code took over a minute here in a debug build).
#![allow(missing_docs, clippy::unwrap_used)]

use atlas_admin_core::digest::Challenge;
use atlas_admin_core::{GroupInvitationRequest, OrgRole, OrganizationInvitationUpdateRequest, ProjectRole, TeamId};
use std::time::{Duration, Instant};

/// Far above the linear code's time (well under 0.5 s in a debug build on a loaded machine), far
/// below the quadratic code's (77-109 s): a bound that cannot pass by luck either way.
const BOUND: Duration = Duration::from_secs(5);

/// A repeated-name check rescanned every earlier directive (50,000 took 2.4 s in release).
#[test]
fn many_challenge_directives_parse_in_linear_time() {
    let mut h = String::from(r#"Digest realm="MMS Public API", nonce="669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed", qop="auth""#);
    for i in 0..50_000 {
        h.push_str(&format!(", x{i}=1, REALM=\"later\""));
    }
    let started = Instant::now();
    let c = Challenge::parse(&h).unwrap();
    let took = started.elapsed();
    assert_eq!(c.realm, "MMS Public API", "the first of repeated names wins");
    assert!(took < BOUND, "took {took:?}");
}

/// Each role was compared with every earlier one (100,000 roles took 18 s in release).
#[test]
fn many_roles_validate_in_linear_time() {
    let mut roles: Vec<ProjectRole> = (0..30_000).map(|i| ProjectRole::parse(&format!("GROUP_R{i}"))).collect();
    let started = Instant::now();
    assert!(GroupInvitationRequest::new("a@example.com", roles.clone()).is_ok());
    roles.push(ProjectRole::parse("GROUP_R0"));
    let e = GroupInvitationRequest::new("a@example.com", roles).unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.field(), "roles[30000]");
    assert!(took < BOUND, "took {took:?}");
}

/// Id-list uniqueness compared each id with every earlier one.
#[test]
fn many_team_ids_validate_in_linear_time() {
    let mut ids: Vec<TeamId> = (0..30_000u32).map(|i| TeamId::new(format!("{i:024x}")).unwrap()).collect();
    let body = OrganizationInvitationUpdateRequest::new([OrgRole::OrgMember]).unwrap();
    let started = Instant::now();
    assert!(body.clone().with_team_ids(ids.clone()).is_ok());
    ids.push(TeamId::new(format!("{:024x}", 7)).unwrap());
    let e = body.with_team_ids(ids).unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.field(), "teamIds[30000]");
    assert!(took < BOUND, "took {took:?}");
}
