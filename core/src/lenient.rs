//! Lenient decoding of responses, shared by the models and the error bodies.

use serde::Deserialize;

/// Deserializes a list or object that may be `null` as empty (lenient decoding of responses:
/// Atlas sends `null` where it has nothing).
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
