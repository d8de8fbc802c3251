//! The support of the generated models (`atlas_admin_core::schemas`): open enums, unions'
//! fallback, the three states of `Nullable`, exact 64-bit integers, secrets, decode errors.
//! Through real generated models (the tests build with every tag).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use atlas_admin_core::schemas::{
    AWSCloudProviderSettingsVolumeType, ApiSearchDeploymentRequestSpecView, DecodeError, EventViewForNdsGroup,
    FederationIdentityProvider, Json, Nullable, SearchIndexDefinitionVersion, StreamsConnection,
};
use serde_json::{Value, json};

#[test]
fn an_open_enum_keeps_an_unknown_value_and_reads_known_ones() {
    let unknown: AWSCloudProviderSettingsVolumeType = serde_json::from_value(json!("SUPER_FAST")).unwrap();
    assert_eq!(unknown, AWSCloudProviderSettingsVolumeType::Other("SUPER_FAST".to_owned()));
    assert_eq!(serde_json::to_value(&unknown).unwrap(), json!("SUPER_FAST"));
    let known: AWSCloudProviderSettingsVolumeType = serde_json::from_value(json!("PROVISIONED")).unwrap();
    assert_eq!(known, AWSCloudProviderSettingsVolumeType::Provisioned);
    assert_eq!(known.as_str(), "PROVISIONED");
    assert!(serde_json::from_value::<AWSCloudProviderSettingsVolumeType>(json!(3)).is_err());
}

#[test]
fn a_tagged_union_keeps_an_unknown_member_as_sent() {
    let body = json!({"type": "Quantum", "name": "q", "extra": {"n": [1, 2]}});
    let decoded: StreamsConnection = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(decoded, StreamsConnection::Other(body.clone()));
    assert_eq!(serde_json::to_value(&decoded).unwrap(), body);
    // A known tag picks its member, and encoding writes the tag.
    let sample: StreamsConnection = serde_json::from_value(json!({"type": "Sample", "name": "s"})).unwrap();
    assert!(matches!(sample, StreamsConnection::Sample(_)), "{sample:?}");
    assert_eq!(serde_json::to_value(&sample).unwrap()["type"], "Sample");
}

#[test]
fn a_union_told_apart_by_enum_values_dispatches_and_keeps_the_unknown() {
    // SEARCH_DEPLOYMENT_CREATED is listed by the "any other" member too: the more specific wins.
    let event = json!({"eventTypeName": "SEARCH_DEPLOYMENT_CREATED", "id": "5f8d0a1b2c3d4e5f6a7b8c9d", "created": "2024-01-01T00:00:00Z"});
    let decoded = EventViewForNdsGroup::from_json(event.clone()).unwrap();
    assert!(matches!(decoded, EventViewForNdsGroup::SearchDeploymentAuditView(_)), "{decoded:?}");
    let unknown = json!({"eventTypeName": "SOMETHING_NEW", "id": "x"});
    assert_eq!(EventViewForNdsGroup::from_json(unknown.clone()).unwrap(), EventViewForNdsGroup::Other(unknown));
}

#[test]
fn an_untagged_union_tries_the_member_that_declares_the_body_first() {
    // OIDC workforce and SAML providers share every enum; the OIDC-only field decides.
    let oidc = json!({"id": "a", "oktaIdpId": "b", "protocol": "OIDC", "authorizationType": "GROUP"});
    let decoded = FederationIdentityProvider::from_json(oidc.clone()).unwrap();
    assert!(matches!(decoded, FederationIdentityProvider::FederationOidcWorkforceIdentityProvider(_)), "{decoded:?}");
    assert_eq!(decoded.to_json(), oidc);
    // What no member decodes is kept.
    let odd = json!([1, 2]);
    assert_eq!(FederationIdentityProvider::from_json(odd.clone()).unwrap(), FederationIdentityProvider::Other(odd));
}

#[test]
fn an_oidc_workload_provider_decodes_as_a_workload_provider() {
    // Every field of a workload provider is a workforce provider's too: idpType decides.
    let workload = json!({"id": "a", "oktaIdpId": "b", "protocol": "OIDC", "idpType": "WORKLOAD", "audience": "x"});
    let decoded = FederationIdentityProvider::from_json(workload.clone()).unwrap();
    assert!(matches!(decoded, FederationIdentityProvider::FederationOidcWorkloadIdentityProvider(_)), "{decoded:?}");
    assert_eq!(decoded.to_json(), workload);
}

#[test]
fn a_minimal_oidc_provider_is_not_decoded_as_saml() {
    let oidc = json!({"protocol": "OIDC", "idpType": "WORKFORCE", "displayName": "d", "id": "a", "oktaIdpId": "b"});
    let decoded = FederationIdentityProvider::from_json(oidc.clone()).unwrap();
    assert!(matches!(decoded, FederationIdentityProvider::FederationOidcWorkforceIdentityProvider(_)), "{decoded:?}");
    assert_eq!(decoded.to_json(), oidc);
}

#[test]
fn a_union_never_decodes_as_a_member_that_drops_fields() {
    // Only SAML declares acsUrl/ssoUrl/audienceUri; its ssoDebugEnabled is off type, so it does
    // not decode: the body is kept whole, never decoded as a member that drops those fields.
    let saml = json!({"id": "a", "oktaIdpId": "b", "protocol": "SAML", "acsUrl": "https://a", "ssoUrl": "https://s",
        "audienceUri": "urn:x", "ssoDebugEnabled": "yes"});
    let decoded = FederationIdentityProvider::from_json(saml.clone()).unwrap();
    assert_eq!(decoded, FederationIdentityProvider::Other(saml.clone()));
    assert_eq!(decoded.to_json(), saml);
}

#[test]
fn a_value_several_members_list_goes_to_the_member_declaring_the_body() {
    // STREAM_PROCESSOR_STARTED is listed by the "any other" member, which declares username,
    // userId and remoteAddress, and by the stream processor member, which does not.
    let event = json!({"eventTypeName": "STREAM_PROCESSOR_STARTED", "id": "5f8d0a1b2c3d4e5f6a7b8c9d",
        "created": "2024-01-01T00:00:00Z", "username": "u@example.com", "userId": "5f8d0a1b2c3d4e5f6a7b8c9e",
        "remoteAddress": "10.0.0.1"});
    let decoded = EventViewForNdsGroup::from_json(event.clone()).unwrap();
    assert!(matches!(decoded, EventViewForNdsGroup::DefaultEventViewForNdsGroup(_)), "{decoded:?}");
    assert_eq!(decoded.to_json(), event);
    // A body with the stream processor's own fields is that member.
    let event = json!({"eventTypeName": "STREAM_PROCESSOR_STARTED", "id": "5f8d0a1b2c3d4e5f6a7b8c9d",
        "created": "2024-01-01T00:00:00Z", "processorName": "p", "instanceName": "i"});
    let decoded = EventViewForNdsGroup::from_json(event.clone()).unwrap();
    assert!(matches!(decoded, EventViewForNdsGroup::StreamProcessorEventViewForNdsGroup(_)), "{decoded:?}");
    assert_eq!(decoded.to_json(), event);
}

#[test]
fn nullable_is_absent_null_or_a_value_both_ways() {
    let mut spec = ApiSearchDeploymentRequestSpecView::new(serde_json::from_value(json!("S20_HIGHCPU_NVME")).unwrap());
    assert_eq!(spec.to_json(), json!({"instanceSize": "S20_HIGHCPU_NVME"}), "absent: left out");
    spec.node_count = Nullable::Null;
    assert_eq!(spec.to_json()["nodeCount"], Value::Null, "null: sent as null");
    assert!(spec.to_json().as_object().unwrap().contains_key("nodeCount"));
    spec.node_count = Nullable::Value(3);
    assert_eq!(spec.to_json()["nodeCount"], json!(3));
    for (body, expected) in [
        (json!({"instanceSize": "S20_HIGHCPU_NVME"}), Nullable::Absent),
        (json!({"instanceSize": "S20_HIGHCPU_NVME", "nodeCount": null}), Nullable::Null),
        (json!({"instanceSize": "S20_HIGHCPU_NVME", "nodeCount": 2}), Nullable::Value(2)),
    ] {
        assert_eq!(ApiSearchDeploymentRequestSpecView::from_json(body.clone()).unwrap().node_count, expected);
    }
}

#[test]
fn a_64_bit_integer_beyond_2_pow_53_round_trips_exactly() {
    let text = r#"{"version":9007199254740993}"#;
    let v: SearchIndexDefinitionVersion = serde_json::from_str(text).unwrap();
    assert_eq!(v.version, Some(9_007_199_254_740_993));
    assert_eq!(serde_json::to_string(&v).unwrap(), text);
    let max = format!(r#"{{"version":{}}}"#, i64::MAX);
    assert_eq!(
        serde_json::to_string(&serde_json::from_str::<SearchIndexDefinitionVersion>(&max).unwrap()).unwrap(),
        max
    );
    // A whole float is read; a fraction or a float past 2^53 is an error, not a rounded value.
    assert_eq!(SearchIndexDefinitionVersion::from_json(json!({"version": 3.0})).unwrap().version, Some(3));
    assert!(SearchIndexDefinitionVersion::from_json(json!({"version": 1.5})).is_err());
    assert!(SearchIndexDefinitionVersion::from_json(json!({"version": 1.0e17})).is_err());
}

#[test]
fn unknown_fields_are_ignored_and_errors_name_the_path_not_the_value() {
    let v = SearchIndexDefinitionVersion::from_json(json!({"version": 1, "future": true})).unwrap();
    assert_eq!(v.to_json(), json!({"version": 1}));
    let e: DecodeError = SearchIndexDefinitionVersion::from_json(json!({"version": "\u{1b}[31mred"})).unwrap_err();
    assert_eq!(e.path(), "version");
    let shown = e.to_string();
    assert!(shown.contains("expected a 64-bit integer, found a string") && !shown.contains('\u{1b}'), "{shown}");
}

#[test]
fn secrets_do_not_show_in_debug() {
    let body = json!({"apiKeyId": "k", "secret": "s3cr3t-value"});
    let key = atlas_admin_core::schemas::AiModelApiKeyResponse::from_json(body.clone()).unwrap();
    let shown = format!("{key:?}");
    assert!(!shown.contains("s3cr3t-value"), "{shown}");
    assert!(shown.starts_with("AiModelApiKeyResponse {") && shown.contains("api_key_id: Some(\"k\")"), "{shown}");
    assert_eq!(format!("{:?}", AWSCloudProviderSettingsVolumeType::Provisioned), "Provisioned");
    assert_eq!(key.to_json()["secret"], "s3cr3t-value", "sent as given");
}

#[test]
fn integration_keys_do_not_show_in_debug() {
    let body = json!({"type": "NEW_RELIC", "accountId": "a", "licenseKey": "lic-value-1", "readToken": "read-value-2",
        "writeToken": "write-value-3"});
    let shown = format!("{:?}", atlas_admin_core::schemas::ThirdPartyIntegration::from_json(body).unwrap());
    assert!(shown.contains("NewRelic") && shown.contains("account_id"), "{shown}");
    for secret in ["lic-value-1", "read-value-2", "write-value-3"] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[test]
fn raw_json_in_debug_masks_secret_named_keys_at_any_depth() {
    // An integration this version does not know: kept as sent, its keys masked in Debug.
    let body = json!({"type": "NEW_THING", "apiKey": "api-value-1", "nested": {"list": [{"RoutingKey": 7}]},
        "apiKeyObject": {"privateKey": "pk-value-2"}, "name": "shown"});
    let decoded = atlas_admin_core::schemas::ThirdPartyIntegration::from_json(body.clone()).unwrap();
    let shown = format!("{decoded:?}");
    assert!(shown.starts_with("Other(") && shown.contains("\"shown\"") && shown.contains("NEW_THING"), "{shown}");
    for secret in ["api-value-1", "pk-value-2", ": 7"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert_eq!(decoded.to_json(), body, "sent as given");
    // A map of raw JSON field.
    let analyzer = json!({"name": "a", "tokenizer": {"type": "standard", "secret": "tok-value-3"}});
    let shown = format!("{:?}", atlas_admin_core::schemas::AtlasSearchAnalyzer::from_json(analyzer).unwrap());
    assert!(shown.contains("standard") && !shown.contains("tok-value-3"), "{shown}");
}

#[test]
fn a_hand_written_model_error_quotes_no_value_sent() {
    use atlas_admin_core::GroupInvitation;
    for body in [
        json!({"id": "5f8d0a1b2c3d4e5f6a7b8c9d", "username": "u@example.com", "groupName": 917_263}),
        json!({"id": "5f8d0a1b2c3d4e5f6a7b8c9d", "username": "u@example.com", "links": "SENT-VALUE-1"}),
        json!({"id": "5f8d0a1b2c3d4e5f6a7b8c9d", "username": ["SENT-VALUE-1"]}),
    ] {
        let shown = GroupInvitation::from_json(body).unwrap_err().to_string();
        assert!(!shown.contains("SENT-VALUE") && !shown.contains("917263"), "{shown}");
        assert!(shown.contains("expected"), "{shown}");
    }
}

#[test]
fn a_required_list_sent_as_null_is_empty_not_a_failed_page() {
    use atlas_admin_core::schemas::PaginatedAtlasAiModelApiKeysResponse;
    let page = PaginatedAtlasAiModelApiKeysResponse::from_json(json!({"results": null, "totalCount": 0})).unwrap();
    assert!(page.results.is_empty());
    // Absent is still an error naming the field, and so is null where the type is no list.
    let absent = PaginatedAtlasAiModelApiKeysResponse::from_json(json!({"totalCount": 0})).unwrap_err();
    assert_eq!(absent.path(), "results");
}

#[test]
fn an_integer_beyond_i64_is_a_clear_error_naming_the_field() {
    let e = SearchIndexDefinitionVersion::from_json(json!({"version": u64::MAX})).unwrap_err();
    assert_eq!(e.path(), "version");
    let shown = e.to_string();
    assert!(shown.contains("above its largest") && !shown.contains(&u64::MAX.to_string()), "{shown}");
}
