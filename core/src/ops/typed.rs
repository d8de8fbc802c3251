//! What the generated typed operations (`ops/gen/`, one per catalog entry the table does not
//! type) are built on: each is a [`Custom`] made from its catalog entry
//! ([`Custom::for_endpoint`]), so a value is checked by one path (the entry's kinds and
//! patterns, versions, `envelope`/`pretty`, body) and sent by one request builder. Here: the
//! setters the generated methods call, how each kind of answer is decoded, and the macro that
//! writes the `Operation` (and `Paginated`) impl of a generated type.
//!
//! (A build with no tag enabled compiles no generated module, hence the `dead_code` allowance.)
#![allow(dead_code, unused_macros)]

use super::custom::Custom;
use crate::error::InvalidInput;
use crate::operation::{Endpoint, ParamIn, Preview};
use crate::validate::ApiVersion;
use serde::de::DeserializeOwned;

impl<T> Custom<T> {
    /// Sets the query or header parameter `name` of the catalog entry to `values` (one, or
    /// several for an array parameter), replacing what it held: each value is checked by the
    /// entry before anything is sent.
    pub(super) fn set<V: ToString>(
        mut self,
        name: &'static str,
        values: impl IntoIterator<Item = V>,
    ) -> Result<Self, InvalidInput> {
        let location = self.entry.and_then(|e| e.param(name)).map_or(ParamIn::Query, |p| p.location);
        self.described.remove_param(name, location == ParamIn::Header);
        for value in values {
            let value = value.to_string();
            self = match location {
                ParamIn::Header => self.header(name, value)?,
                _ => self.query(name, value)?,
            };
        }
        Ok(self)
    }
}

/// Refuses a `version` that `entry` does not list ([`Endpoint::check_version`]) or whose request
/// or answer schema is not the one the typed operation was generated for (`typed`: its
/// `TYPED_VERSIONS`), naming the way to call it in that version. Checked by the `api_version`
/// setter and before sending (where a client-wide version applies).
pub(crate) fn check_typed_version(
    entry: &Endpoint,
    typed: &[ApiVersion],
    version: ApiVersion,
) -> Result<(), InvalidInput> {
    entry.check_version(version)?;
    if typed.contains(&version) {
        return Ok(());
    }
    let id = entry.operation_id;
    let listed: Vec<&str> = typed.iter().map(ApiVersion::as_str).collect();
    let why = format!(
        "{id} sends or answers other schemas in this version than its typed operation (typed for {}); \
         call it with catalog::call(\"{id}\") or a Custom",
        listed.join(", ")
    );
    Err(InvalidInput::with_value("api_version", why, version.as_str()))
}

/// Decodes a JSON answer; an empty one reads as `null` (a `serde_json::Value` answers `Null`).
#[inline]
pub(crate) fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return serde_json::from_slice(b"null");
    }
    serde_json::from_slice(body)
}

/// An answer the spec gives no body (a 204, or a 202 without schema): whatever came is ignored.
#[inline]
pub(crate) fn decode_empty(_body: &[u8]) -> Result<(), serde_json::Error> {
    Ok(())
}

/// A download, as the bytes that came.
#[inline]
pub(crate) fn decode_bytes(body: &[u8]) -> Result<Vec<u8>, serde_json::Error> {
    Ok(body.to_vec())
}

/// The `x-xgen-preview` details of a version: only with the `preview` feature, which brings
/// preview versions.
pub(crate) const fn preview(details: Preview) -> Option<Preview> {
    if cfg!(feature = "preview") { Some(details) } else { None }
}

/// Each method is `#[inline]`: compiled to machine code only where a program calls it, so the
/// decoders of the models it answers are not compiled for the operations nobody calls.
///
/// `typed_operation!(Type, ENTRY, Output, decode_fn)` (`, paginated: Item` for a list): the
/// `Operation` impl of a generated type wrapping a [`Custom`] made from the catalog entry
/// `ENTRY`, answering `Output`; a paginated list also gets its `Paginated` impl, walked like
/// the catalog's (`pageNum` replaced, `itemsPerPage` read back).
macro_rules! typed_operation {
    ($Type:ident, $entry:ident, $Out:ty, $decode:ident $(, paginated: $Item:ty)?) => {
        impl $crate::Operation for $Type {
            type Output = $Out;
            const ENDPOINT: $crate::Endpoint = $entry;

            /// The path parameters the constructor was given.
            #[inline]
            fn path_params(&self) -> Vec<(&'static str, &str)> {
                $crate::Operation::path_params(&self.0)
            }

            #[inline]

            fn body(&self) -> Result<Option<Vec<u8>>, serde_json::Error> {
                $crate::Operation::body(&self.0)
            }

            #[inline]

            fn options(&self) -> &$crate::CallOptions {
                $crate::Operation::options(&self.0)
            }

            #[inline]

            fn decode(body: &[u8]) -> Result<$Out, serde_json::Error> {
                $crate::ops::typed::$decode(body)
            }

            #[inline]

            fn described(&self) -> Option<&$crate::ops::Described> {
                $crate::Operation::described(&self.0)
            }

            #[inline]

            fn catalog_entry(&self) -> Option<&'static $crate::Endpoint> {
                $crate::Operation::catalog_entry(&self.0)
            }

            #[inline]

            fn check_before_sending(&self, version: $crate::ApiVersion) -> Result<(), $crate::InvalidInput> {
                $crate::ops::typed::check_typed_version(&$entry, $Type::TYPED_VERSIONS, version)?;
                $crate::Operation::check_before_sending(&self.0, version)
            }
        }

        $(
            impl $crate::paginate::Paginated for $Type {
                type Item = $Item;

                #[inline]

                fn current_page(&self) -> u32 {
                    $crate::paginate::Paginated::current_page(&self.0)
                }

                #[inline]

                fn at_page(&self, page_num: u32) -> Self {
                    $Type($crate::paginate::Paginated::at_page(&self.0, page_num))
                }

                #[inline]

                fn page(output: &$Out) -> &$crate::Page<$Item> {
                    output
                }

                #[inline]

                fn into_page(output: $Out) -> $crate::Page<$Item> {
                    output
                }

                #[inline]

                fn requested_page_size(&self) -> Option<u32> {
                    $crate::paginate::Paginated::requested_page_size(&self.0)
                }
            }
        )?
    };
}
pub(crate) use typed_operation;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::catalog;
    use crate::ops::{ALL, GENERATED};

    /// (The tests build with every tag and `preview`: the whole spec.)
    #[test]
    #[inline]
    fn every_catalog_entry_has_exactly_one_typed_operation_and_each_generated_one_is_its_entry() {
        let spec_ops: usize = catalog::tags().iter().map(|t| t.operations).sum();
        assert_eq!(catalog::all().count(), spec_ops, "every tag and preview are enabled here");
        for entry in catalog::all() {
            let hand = ALL.iter().filter(|e| e.operation_id == entry.operation_id).count();
            let generated: Vec<_> = GENERATED.iter().filter(|e| e.operation_id == entry.operation_id).collect();
            assert_eq!(hand + generated.len(), 1, "{}", entry.operation_id);
            for g in generated {
                assert_eq!(*g, entry, "{}: the type's ENDPOINT is its catalog entry", entry.operation_id);
            }
        }
        assert_eq!(ALL.len() + GENERATED.len(), spec_ops);
    }

    #[test]
    #[inline]
    fn setters_replace_and_versions_are_checked() {
        use crate::ApiVersion;
        use crate::operation::Operation;
        use crate::ops::ListGroupDatabaseUsers;
        let op = ListGroupDatabaseUsers::new("32b6e34b3d91647abb20e7b8").unwrap();
        let op = op.items_per_page(5).unwrap().items_per_page(7).unwrap();
        let query: Vec<_> = op.described().unwrap().query().to_vec();
        assert_eq!(query, [("itemsPerPage".to_owned(), "7".to_owned())]);
        assert_eq!(op.clone().items_per_page(501).unwrap_err().field(), "itemsPerPage");
        let e = op.clone().api_version(ApiVersion::V2025_02_19).unwrap_err();
        assert_eq!((e.field(), e.value()), ("api_version", Some("2025-02-19")));
        assert!(op.api_version(ApiVersion::V2023_01_01).is_ok());
        assert_eq!(ListGroupDatabaseUsers::new("nope").unwrap_err().field(), "groupId");
    }
}
