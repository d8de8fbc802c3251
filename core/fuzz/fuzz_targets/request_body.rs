//! Arbitrary bytes as a request body: the validating `Deserialize` of every request model must
//! never panic, and what it accepts must round-trip through JSON unchanged (still valid).
#![no_main]

use atlas_admin_core::{
    GroupInvitationRequest, GroupInvitationUpdateRequest, GroupRoleAssignment, OrganizationInvitationRequest,
    OrganizationInvitationUpdateRequest,
};
use libfuzzer_sys::fuzz_target;
use serde::{Serialize, de::DeserializeOwned};

fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        let text = serde_json::to_vec(&value).expect("a valid model serializes");
        let again: T = serde_json::from_slice(&text).expect("what was accepted is accepted again");
        assert_eq!(again, value);
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<GroupInvitationRequest>(data);
    round_trip::<GroupInvitationUpdateRequest>(data);
    round_trip::<OrganizationInvitationRequest>(data);
    round_trip::<OrganizationInvitationUpdateRequest>(data);
    round_trip::<GroupRoleAssignment>(data);
});
