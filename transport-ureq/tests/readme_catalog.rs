//! The README's catalog snippets, run so they cannot rot: a catalog operation through
//! `catalog::call` ("Calling an operation the crate does not type") against the fake Atlas, and
//! the one `Cargo.toml` line that enables tags ("Generated from the spec"), whose features must
//! exist in both transports' manifests. The README shows them verbatim (checked here).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::print_stdout, missing_docs)]

use atlas_admin_testing::fake::FakeAtlas;
use atlas_admin_ureq::Client;
use serde_json::json;

const README: &str = include_str!("../../README.md");

fn list_clusters(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
    // README: begin catalog call
    use atlas_admin_ureq::core::catalog; // with the `clusters` feature (or `full`)

    let op = catalog::call("listGroupClusters")?
        .param("groupId", "32b6e34b3d91647abb20e7b8")?
        .param("itemsPerPage", "100")?
        .param("Use-Effective-Instance-Fields", "true")? // a header parameter
        .paginated()?;
    for cluster in client.all(op) {
        println!("{}", cluster?["name"]); // serde_json::Value
    }
    // README: end
    Ok(())
}

/// The lines between `// README: begin NAME` and `// README: end` in this file, one level of
/// indentation removed.
fn snippet(name: &str) -> String {
    let source = include_str!("readme_catalog.rs");
    let begin = format!("// README: begin {name}\n");
    let start = source.find(&begin).expect("the snippet's begin marker") + begin.len();
    let len = source[start..].find("    // README: end").expect("the snippet's end marker");
    source[start..start + len].lines().map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l))).collect()
}

#[test]
fn the_readme_catalog_call_runs_against_the_fake() {
    let fake = FakeAtlas::start();
    let c = fake.config().clone();
    assert_eq!(c.group_id, "32b6e34b3d91647abb20e7b8", "the README's project is the fake's");
    fake.seed_resource(&format!("/api/atlas/v2/groups/{}/clusters", c.group_id), json!({"name": "Cluster0"})).unwrap();
    let client = Client::builder().base_url(&fake.base_url()).api_key(c.public_key, c.private_key).build().unwrap();
    list_clusters(&client).unwrap();
    assert_eq!(fake.counters().by_operation["listGroupClusters"], 1);
    let shown = snippet("catalog call");
    assert!(shown.contains("catalog::call(\"listGroupClusters\")"), "{shown}");
    assert!(README.contains(&shown), "README.md must show this snippet verbatim:\n{shown}");
}

/// The README's line enabling tags names features both transports forward to the core, and
/// this workspace's version.
#[test]
fn the_readme_feature_line_names_real_features() {
    let line = README
        .lines()
        .find(|l| l.trim_start().starts_with("atlas-admin-ureq = { version ="))
        .expect("the README shows a dependency line with features");
    let version = line.split('"').nth(1).unwrap();
    assert!(env!("CARGO_PKG_VERSION").starts_with(&format!("{version}.")), "{line}");
    let features: Vec<&str> =
        line.split("features = [").nth(1).unwrap().split(']').next().unwrap().split('"').skip(1).step_by(2).collect();
    assert!(!features.is_empty(), "{line}");
    for manifest in [include_str!("../Cargo.toml"), include_str!("../../transport-hyper/Cargo.toml")] {
        for feature in &features {
            assert!(
                manifest.lines().any(|l| l.starts_with(&format!("{feature} = [\"atlas-admin-core/{feature}\"]"))),
                "{feature} is a feature of both transports"
            );
        }
    }
}
