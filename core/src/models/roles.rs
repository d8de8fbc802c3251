//! Project (`GROUP_…`) and organization (`ORG_…`) roles.
//!
//! Atlas removed the project-role enum from its spec in 2026, so unknown well-formed project
//! roles are accepted as [`ProjectRole::Other`]. The 7 organization roles are still an enum in
//! the spec: unknown ones decode (Atlas may add roles) but are refused when sent.

use crate::error::InvalidInput;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

macro_rules! role_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$doc])*
        ///
        /// A role is its text: `Other("…")` spelling a known role equals that variant.
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// A role this version of the client does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// Every role this client knows, in spec order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant,)*];

            /// The role as Atlas spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(s) => s,
                }
            }

            /// Reads a role; unknown text becomes `Other` (use the validating constructors of
            /// the request types to refuse it).
            pub fn parse(text: &str) -> Self {
                match text {
                    $($text => $name::$variant,)*
                    other => $name::Other(other.to_owned()),
                }
            }

            /// Whether this is one of [`Self::KNOWN`] (by text).
            pub fn is_known(&self) -> bool {
                Self::KNOWN.iter().any(|k| k.as_str() == self.as_str())
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl Eq for $name {}

        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.as_str().hash(state);
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl fmt::Display for $name {
            /// The text; an unknown role from a server has its control characters escaped.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                crate::sanitize::Sanitized(self.as_str()).fmt(f)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                $name::parse(text)
            }
        }

        /// Never fails: unknown text becomes `Other`, as with [`Self::parse`].
        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok($name::parse(text))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<str>::deserialize(d)?;
                Ok($name::parse(&text))
            }
        }
    };
}

role_enum!(
    /// A project-level role (`GROUP_…`).
    ///
    /// ```
    /// use atlas_admin_core::ProjectRole;
    /// assert_eq!(ProjectRole::parse("GROUP_READ_ONLY"), ProjectRole::GroupReadOnly);
    /// assert_eq!(ProjectRole::parse("GROUP_NEW_THING"), ProjectRole::Other("GROUP_NEW_THING".into()));
    /// assert_eq!("GROUP_OWNER".parse::<ProjectRole>(), Ok(ProjectRole::GroupOwner));
    /// ```
    ProjectRole {
        /// `GROUP_BACKUP_MANAGER`
        GroupBackupManager => "GROUP_BACKUP_MANAGER",
        /// `GROUP_CLUSTER_MANAGER`
        GroupClusterManager => "GROUP_CLUSTER_MANAGER",
        /// `GROUP_DATA_ACCESS_ADMIN`
        GroupDataAccessAdmin => "GROUP_DATA_ACCESS_ADMIN",
        /// `GROUP_DATA_ACCESS_READ_ONLY`
        GroupDataAccessReadOnly => "GROUP_DATA_ACCESS_READ_ONLY",
        /// `GROUP_DATA_ACCESS_READ_WRITE`
        GroupDataAccessReadWrite => "GROUP_DATA_ACCESS_READ_WRITE",
        /// `GROUP_DATABASE_ACCESS_ADMIN`
        GroupDatabaseAccessAdmin => "GROUP_DATABASE_ACCESS_ADMIN",
        /// `GROUP_OBSERVABILITY_VIEWER`
        GroupObservabilityViewer => "GROUP_OBSERVABILITY_VIEWER",
        /// `GROUP_OWNER`
        GroupOwner => "GROUP_OWNER",
        /// `GROUP_READ_ONLY`
        GroupReadOnly => "GROUP_READ_ONLY",
        /// `GROUP_SEARCH_INDEX_EDITOR`
        GroupSearchIndexEditor => "GROUP_SEARCH_INDEX_EDITOR",
        /// `GROUP_STREAM_PROCESSING_OWNER`
        GroupStreamProcessingOwner => "GROUP_STREAM_PROCESSING_OWNER",
    }
);

role_enum!(
    /// An organization-level role (`ORG_…`); the spec's 7 values.
    OrgRole {
        /// `ORG_OWNER`
        OrgOwner => "ORG_OWNER",
        /// `ORG_MEMBER`
        OrgMember => "ORG_MEMBER",
        /// `ORG_GROUP_CREATOR`
        OrgGroupCreator => "ORG_GROUP_CREATOR",
        /// `ORG_BILLING_ADMIN`
        OrgBillingAdmin => "ORG_BILLING_ADMIN",
        /// `ORG_BILLING_READ_ONLY`
        OrgBillingReadOnly => "ORG_BILLING_READ_ONLY",
        /// `ORG_STREAM_PROCESSING_ADMIN`
        OrgStreamProcessingAdmin => "ORG_STREAM_PROCESSING_ADMIN",
        /// `ORG_READ_ONLY`
        OrgReadOnly => "ORG_READ_ONLY",
    }
);

/// Checks a role list the user sends: non-empty, each role accepted by `check`, no duplicates
/// (a role is its text, so the texts are compared).
fn check_roles<R>(
    field: &str,
    roles: &[R],
    check: impl Fn(&R) -> Result<(), String>,
    text: impl Fn(&R) -> &str,
) -> Result<(), InvalidInput> {
    if roles.is_empty() {
        return Err(InvalidInput::new(field, "must name at least one role"));
    }
    for (i, role) in roles.iter().enumerate() {
        check(role).map_err(|why| InvalidInput::with_value(format!("{field}[{i}]"), why, text(role)))?;
    }
    super::check_unique(field, roles, &text, |r| text(r).to_owned())
}

/// Project roles to send: non-empty, unique, each `GROUP_` followed by `[A-Z0-9_]+`.
pub(crate) fn check_project_roles(field: &str, roles: &[ProjectRole]) -> Result<(), InvalidInput> {
    check_roles(
        field,
        roles,
        |r| {
            let text = r.as_str();
            let rest = text.strip_prefix("GROUP_").unwrap_or("");
            if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') {
                Ok(())
            } else {
                Err("must be a project role: GROUP_ followed by A-Z, 0-9 or _".into())
            }
        },
        ProjectRole::as_str,
    )
}

/// Organization roles to send: non-empty, unique, each one of the 7 known values.
pub(crate) fn check_org_roles(field: &str, roles: &[OrgRole]) -> Result<(), InvalidInput> {
    check_roles(
        field,
        roles,
        |r| {
            if r.is_known() {
                Ok(())
            } else {
                let known: Vec<&str> = OrgRole::KNOWN.iter().map(OrgRole::as_str).collect();
                Err(format!("must be one of {}", known.join(", ")))
            }
        },
        OrgRole::as_str,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_roles_round_trip_through_text_and_json() {
        for r in ProjectRole::KNOWN {
            assert_eq!(&ProjectRole::parse(r.as_str()), r);
            let json = serde_json::to_string(r).unwrap();
            assert_eq!(&serde_json::from_str::<ProjectRole>(&json).unwrap(), r);
        }
        assert_eq!(ProjectRole::KNOWN.len(), 11);
        assert_eq!(OrgRole::KNOWN.len(), 7);
        assert_eq!(OrgRole::parse("ORG_NEW"), OrgRole::Other("ORG_NEW".into()));
        assert_eq!(ProjectRole::Other("GROUP_OWNER".into()), ProjectRole::GroupOwner);
        assert!(OrgRole::Other("ORG_MEMBER".into()).is_known());
        assert!(!OrgRole::Other("ORG_EMPEROR".into()).is_known());
        assert_eq!("ORG_MEMBER".parse::<OrgRole>(), Ok(OrgRole::OrgMember));
        assert_eq!("ORG_NEW".parse::<OrgRole>(), Ok(OrgRole::Other("ORG_NEW".into())));
        assert_eq!("GROUP_READ_ONLY".parse::<ProjectRole>(), Ok(ProjectRole::GroupReadOnly));
        assert_eq!(ProjectRole::parse("GROUP_\u{1b}[2J").to_string(), r"GROUP_\u{1b}[2J");
    }

    #[test]
    fn project_role_rules() {
        assert!(check_project_roles("roles", &[ProjectRole::GroupOwner]).is_ok());
        assert!(check_project_roles("roles", &[ProjectRole::parse("GROUP_FUTURE_ROLE_2")]).is_ok());
        let e = check_project_roles("roles", &[]).unwrap_err();
        assert_eq!(e.field(), "roles");
        let e = check_project_roles("roles", &[ProjectRole::GroupOwner, ProjectRole::GroupOwner]).unwrap_err();
        assert_eq!(e.field(), "roles[1]");
        assert!(e.reason().contains("duplicate"));
        let spelled_out = [ProjectRole::GroupOwner, ProjectRole::Other("GROUP_OWNER".into())];
        assert_eq!(check_project_roles("roles", &spelled_out).unwrap_err().field(), "roles[1]");
        let org = [OrgRole::Other("ORG_MEMBER".into()), OrgRole::OrgMember];
        assert_eq!(check_org_roles("roles", &org).unwrap_err().field(), "roles[1]");
        for bad in ["ORG_OWNER", "GROUP_", "group_owner", "GROUP_OWNER ", "GROUP-OWNER", ""] {
            let e = check_project_roles("roles", &[ProjectRole::parse(bad)]).unwrap_err();
            assert_eq!(e.field(), "roles[0]", "{bad:?}");
        }
    }

    #[test]
    fn org_role_rules() {
        assert!(check_org_roles("roles", &[OrgRole::OrgMember, OrgRole::OrgBillingAdmin]).is_ok());
        let e = check_org_roles("roles", &[OrgRole::OrgMember, OrgRole::parse("ORG_EMPEROR")]).unwrap_err();
        assert_eq!(e.field(), "roles[1]");
        assert!(e.reason().contains("ORG_READ_ONLY"));
        assert!(check_org_roles("roles", &[]).is_err());
    }
}
