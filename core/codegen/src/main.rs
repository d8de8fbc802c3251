//! `cargo run -p atlas-admin-codegen [-- --check]`: writes the endpoint catalog and the typed
//! operations of atlas-admin-core (`core/src/catalog/gen/`, `core/src/ops/gen/`), the tag features of the core and
//! transport manifests and the coverage table of `README.md` from the vendored spec (`core/codegen/spec/atlas-admin-v2.yaml`, checked against the
//! sha256 in `spec/SOURCE.md`) and `core/codegen/overrides.toml`.
//!
//! Offline and deterministic: the output depends only on those files (sorted maps, no clock).
//! `--check` writes nothing and exits 1, naming each file that would change.

mod coverage;
mod emit;
mod fake_spec;
mod model;
mod overrides;
mod schemas;
mod spec;
mod typed;

use atlas_admin_testing::files;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

/// The transports whose manifests forward every feature to the core.
const TRANSPORTS: &[&str] = &["transport-ureq", "transport-hyper"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = match args.as_slice() {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => {
            eprintln!("usage: cargo run -p atlas-admin-codegen [-- --check]");
            return ExitCode::from(2);
        }
    };
    match run(check) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("atlas-admin-codegen: {e}");
            ExitCode::from(2)
        }
    }
}

/// The workspace root (this crate is `core/codegen`).
fn root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// Generates everything; with `check`, compares instead of writing. Returns how many files
/// differ(ed).
fn run(check: bool) -> Result<usize, String> {
    let root = root();
    let codegen = root.join("core/codegen");
    let bytes = spec::read_verified(&codegen.join("spec/atlas-admin-v2.yaml"), &codegen.join("spec/SOURCE.md"))?;
    let spec = spec::parse(&bytes)?;
    let overrides_text =
        std::fs::read_to_string(codegen.join("overrides.toml")).map_err(|e| format!("overrides.toml: {e}"))?;
    let overrides = overrides::parse(&overrides_text)?;
    let tags = model::tags(&spec, &overrides)?;
    let models =
        schemas::build(&spec, &overrides::parse_schemas(&overrides_text)?, &overrides::parse_unions(&overrides_text)?)?;

    // Everything generated: path -> content.
    let mut files: BTreeMap<PathBuf, String> = BTreeMap::new();
    let gen_dir = root.join("core/src/catalog/gen");
    files.insert(gen_dir.join("mod.rs"), rustfmt(&root, &emit::gen_mod(&tags))?);
    files.insert(root.join("tests/src/fake/spec.json"), fake_spec::file(&spec)?);
    let schemas_dir = root.join("core/src/schemas/gen");
    for (name, text) in models.files() {
        files.insert(schemas_dir.join(name), rustfmt(&root, &text)?);
    }
    typed::generate(&root, &spec, &tags, &models, &mut files)?;
    let manifests = std::iter::once(("core", None)).chain(TRANSPORTS.iter().map(|t| (*t, Some("atlas-admin-core"))));
    for (dir, forward) in manifests {
        let path = root.join(dir).join("Cargo.toml");
        let current = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        files.insert(
            path.clone(),
            emit::splice(&current, &emit::features(&tags, forward), &path.display().to_string())?,
        );
    }

    files.insert(root.join("README.md"), readme_coverage(&root, &tags)?);

    // Generated files no longer produced (a tag that left the spec).
    let ops_dir = root.join("core/src/ops/gen");
    let stale: Vec<PathBuf> = [&gen_dir, &schemas_dir, &ops_dir]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten())
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| !files.contains_key(p))
        .collect();

    let mut differ = 0;
    for (path, content) in &files {
        if std::fs::read_to_string(path).ok().as_deref() == Some(content.as_str()) {
            continue;
        }
        differ += 1;
        if check {
            eprintln!("would change: {}", shown(&root, path));
        } else {
            write_atomically(path, content)?;
            eprintln!("wrote {}", shown(&root, path));
        }
    }
    for path in &stale {
        differ += 1;
        if check {
            eprintln!("would remove: {}", shown(&root, path));
        } else {
            std::fs::remove_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
            eprintln!("removed {}", shown(&root, path));
        }
    }
    let operations: usize = tags.iter().map(|t| t.ops.len()).sum();
    let paginated = tags.iter().flat_map(|t| &t.ops).filter(|o| o.paginated).count();
    let (keepers, aliases) = models.counts();
    eprintln!("{keepers} models and {aliases} aliases of the same shapes");
    eprintln!(
        "{operations} operations ({paginated} paginated) in {} tags; {differ} file(s) {}",
        tags.len(),
        if check { "differ" } else { "written" }
    );
    if check && differ > 0 {
        eprintln!("the generated catalog is out of date: run `cargo run -p atlas-admin-codegen` and commit the result");
    }
    Ok(if check { differ } else { 0 })
}

/// README.md with its coverage table (between the markers) regenerated.
fn readme_coverage(root: &Path, tags: &[model::Tag]) -> Result<String, String> {
    let path = root.join("README.md");
    let current = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    emit::splice_between(&current, coverage::BEGIN, coverage::END, &coverage::table(tags), "README.md")
}

fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

/// Formats Rust text as `cargo fmt` would (the workspace's rustfmt.toml, edition 2024).
fn rustfmt(root: &Path, text: &str) -> Result<String, String> {
    let mut child = Command::new(std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_owned()))
        .args(["--edition", "2024", "--emit", "stdout", "--config-path"])
        .arg(root.join("rustfmt.toml"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("rustfmt has no stdin")?;
    let input = text.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().map_err(|e| format!("rustfmt: {e}"))?;
    writer.join().map_err(|_| "rustfmt input thread panicked")?.map_err(|e| format!("rustfmt input: {e}"))?;
    if !out.status.success() {
        return Err(format!("rustfmt failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("rustfmt output: {e}"))
}

/// Writes `path` whole or not at all, creating its directory: the workspace's one atomic
/// writer (`atlas_admin_testing::files`: a temporary name unique to the process and call,
/// synced, renamed; removed on failure).
fn write_atomically(path: &Path, content: &str) -> Result<(), String> {
    let dir = path.parent().ok_or_else(|| format!("{} has no parent", path.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    files::write_atomically(path, |w| w.write_all(content.as_bytes())).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A file is written whole, its directory made; a write that fails (the target is a
    /// directory) leaves no temporary file behind.
    #[test]
    fn writes_whole_and_leaves_no_temporary_file_on_failure() {
        let dir = std::env::temp_dir().join(format!("atlas-codegen-write-{}", std::process::id()));
        let file = dir.join("gen").join("a.rs");
        write_atomically(&file, "// one\n").unwrap();
        write_atomically(&file, "// two\n").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "// two\n");
        let taken = dir.join("gen").join("taken");
        std::fs::create_dir_all(taken.join("inside")).unwrap();
        assert!(write_atomically(&taken, "x").is_err());
        let mut names: Vec<String> = std::fs::read_dir(dir.join("gen"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["a.rs", "taken"], "no temporary file is left");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
