#!/usr/bin/env bash
# Runs the README's command-line examples against the fake-atlas binary, so none can rot: the
# `atlas-api` block of "A command line like `atlas api`" (each must exit 0) and the record/replay
# pair of "Record once, replay anywhere" (the replay, with no credentials and the server gone,
# must print what the recording printed). The commands are the README's, except that the
# cassette lives in a temporary directory. Run by .ci/run; by hand: bash .ci/readme_cli.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p atlas-admin-testing --bin fake-atlas
tmp=$(mktemp -d)
exec 3< <(exec "${CARGO_TARGET_DIR:-target}/debug/fake-atlas" --port 0 2>/dev/null)
fake=$!
trap 'kill "$fake" 2>/dev/null || true; rm -rf "$tmp"' EXIT
# The binary prints eight NAME=value lines, then serves (a dead binary is an early end of file).
mapfile -t -n 8 -u 3 settings
[ "${#settings[@]}" -eq 8 ] || { echo "fake-atlas did not start" >&2; exit 1; }
set -a; eval "${settings[*]}"; set +a
# .ci/run sets CI, which makes every cassette replay: recording needs it unset.
unset CI

# Set-up (not in the README): the pending invitation its first command updates.
cargo run -q -p atlas-admin-ureq --features cli --bin atlas-api -- projects createGroupInvite \
    --groupId 32b6e34b3d91647abb20e7b8 --data '{"roles":["GROUP_READ_ONLY"],"username":"hello@example.com"}' >/dev/null

# README: A command line like `atlas api`
cargo run -q -p atlas-admin-ureq --features cli --bin atlas-api -- projects updateGroupInvites \
    --groupId 32b6e34b3d91647abb20e7b8 --data '{"roles":["GROUP_BACKUP_MANAGER"],"username":"hello@example.com"}'
cargo run -q -p atlas-admin-ureq --features cli --bin atlas-api -- mongoDbCloudUsers createOrgUser \
    --orgId 4888442a3354817a7320eb61 --data '{"username":"hello@example.com","roles":{"orgRoles":["ORG_MEMBER"]}}'
cargo run -q -p atlas-admin-ureq --features cli --bin atlas-api -- mongoDbCloudUsers listOrgUsers --orgId 4888442a3354817a7320eb61 \
    --orgMembershipStatuses PENDING --orgMembershipStatuses ACTIVE --itemsPerPage 500 --all-pages
echo

# README: Record once, replay anywhere
cd "$tmp"
recorded=$(cargo run -q --manifest-path "$OLDPWD/Cargo.toml" -p atlas-admin-ureq --features cli --bin atlas-api -- \
    projects listGroupInvites --groupId "$MONGODB_ATLAS_GROUP_ID" --cassette invites.json --record-mode record)
kill "$fake"
replayed=$(env -u MONGODB_ATLAS_PUBLIC_API_KEY -u MONGODB_ATLAS_PRIVATE_API_KEY -u MONGODB_ATLAS_CLIENT_ID \
    -u MONGODB_ATLAS_CLIENT_SECRET CI=1 cargo run -q --manifest-path "$OLDPWD/Cargo.toml" -p atlas-admin-ureq \
    --features cli --bin atlas-api -- projects listGroupInvites --groupId "$MONGODB_ATLAS_GROUP_ID" --cassette invites.json)
[ -n "$recorded" ] && [ "$recorded" = "$replayed" ] || {
  printf 'the replay printed something else:\n--- recorded\n%s\n--- replayed\n%s\n' "$recorded" "$replayed" >&2; exit 1
}
echo "record/replay: the replay printed the recording's output"
