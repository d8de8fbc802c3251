//! Reading the vendored spec: its checksum against `spec/SOURCE.md`, then the YAML as JSON.

use sha2::{Digest, Sha256};
use std::path::Path;
use yaml_rust2::{Yaml, YamlLoader};

/// The spec's bytes, after checking their sha256 against the one `SOURCE.md` records.
pub(crate) fn read_verified(spec: &Path, source_md: &Path) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(spec).map_err(|e| format!("cannot read {}: {e}", spec.display()))?;
    let source = std::fs::read_to_string(source_md).map_err(|e| format!("cannot read {}: {e}", source_md.display()))?;
    let recorded = recorded_sha256(&source)
        .ok_or_else(|| format!("{} has no `| sha256 | `<64 hex>` |` line", source_md.display()))?;
    let actual: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    if actual != recorded {
        return Err(format!(
            "{} has sha256 {actual}, but {} records {recorded}: the spec is not the reviewed one. \
             If you replaced it on purpose, update SOURCE.md (size, sha256, where it comes from) and run again.",
            spec.display(),
            source_md.display()
        ));
    }
    Ok(bytes)
}

/// The hex digest of the table row `| sha256 | `…` |`.
fn recorded_sha256(source_md: &str) -> Option<String> {
    let line = source_md.lines().find(|l| l.trim_start().starts_with("| sha256 |"))?;
    let hex = line.split('`').nth(1)?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| hex.to_ascii_lowercase())
}

/// Parses the YAML text into JSON values (mapping keys become strings).
pub(crate) fn parse(bytes: &[u8]) -> Result<serde_json::Value, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("the spec is not UTF-8: {e}"))?;
    let docs = YamlLoader::load_from_str(text).map_err(|e| format!("the spec is not YAML: {e}"))?;
    match docs.as_slice() {
        [doc] => to_json(doc),
        _ => Err(format!("the spec has {} YAML documents, not one", docs.len())),
    }
}

fn to_json(y: &Yaml) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    Ok(match y {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Real(r) => {
            let f: f64 = r.parse().map_err(|_| format!("not a number: {r}"))?;
            serde_json::Number::from_f64(f).map(Value::Number).ok_or_else(|| format!("not a finite number: {r}"))?
        }
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        Yaml::Hash(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                let key = match k {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                out.insert(key, to_json(v)?);
            }
            Value::Object(out)
        }
        Yaml::Alias(_) | Yaml::BadValue => return Err(format!("unsupported YAML node {y:?}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A spec whose sha256 is not the recorded one is refused, with a message saying what to do.
    #[test]
    fn the_recorded_sha256_is_checked() {
        let dir = std::env::temp_dir().join(format!("atlas-admin-codegen-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (spec, source) = (dir.join("spec.yaml"), dir.join("SOURCE.md"));
        std::fs::write(&spec, b"openapi: 3.0.1\n").unwrap();
        let digest: String = Sha256::digest(b"openapi: 3.0.1\n").iter().map(|b| format!("{b:02x}")).collect();
        std::fs::write(&source, format!("| field | value |\n| sha256 | `{digest}` |\n")).unwrap();
        assert_eq!(read_verified(&spec, &source).unwrap(), b"openapi: 3.0.1\n");
        std::fs::write(&spec, b"openapi: 3.0.2\n").unwrap();
        let e = read_verified(&spec, &source).unwrap_err();
        assert!(e.contains("not the reviewed one") && e.contains(&digest), "{e}");
        std::fs::write(&source, "no checksum here\n").unwrap();
        assert!(read_verified(&spec, &source).unwrap_err().contains("sha256"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn yaml_becomes_json_with_text_keys() {
        let v = parse(b"a: 1\n'200': {b: [true, null, 1.5, x]}\n").unwrap();
        assert_eq!(v, serde_json::json!({"a": 1, "200": {"b": [true, null, 1.5, "x"]}}));
        assert!(parse(b"a: [").is_err());
    }
}
