#!/usr/bin/env bash
# Compile-time benchmark of the generated catalog (issue 15): what enabling tags adds to a user's build.
#
#   bash core/codegen/compile-bench.sh [RUNS]      # RUNS rounds (default 1); each variant's median is reported
#
# A small user crate (generated into a temp dir, one `Client::from_env()` and one `execute` of a typed
# operation) depends on atlas-admin-ureq by path and is built, debug, once per variant:
#   base     atlas-admin-ureq's default features, at the commit before the catalog was merged (the parent of
#            the "Merge work-d" commit; BENCH_BASE=<rev> names another, BENCH_BASE=none skips it)
#   default  atlas-admin-ureq's default features (no tag: nothing generated is compiled)
#   median   + the median tag, largest + the largest tag, by number of operations (core/Cargo.toml's
#            generated block; ties by name), the tag's generated lines printed alongside
#   full     + `full` (every tag)
# Each build is clean for the workspace crates and the user crate (`cargo clean -p` of them before it) and
# reuses the compiled third-party dependencies: one target dir, target/compile-bench, whose dependencies are
# built once by a warm-up build of each variant first. The build is a user's default debug build (the
# environment's CARGO_PROFILE_DEV_DEBUG, CARGO_INCREMENTAL and RUSTFLAGS are unset). So the figures are what our crates cost, not the
# dependency tree. Wall time is noisy on a shared machine; the CPU time (user + sys) of the build is less
# so (its minimum over the rounds least of all), and all three are printed, as seconds and as ratios to
# `default`. Then `full` is built once more, clean,
# with `cargo build --timings`: the HTML report's path and the slowest units in text.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-1}
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [RUNS]" >&2; exit 2; }
export CARGO_TARGET_DIR="${BENCH_TARGET_DIR:-$repo/target/compile-bench}"
export CARGO_TERM_COLOR=never
# A user's default debug build: none of the settings that change it from the environment.
unset CARGO_PROFILE_DEV_DEBUG CARGO_INCREMENTAL CARGO_BUILD_RUSTFLAGS RUSTFLAGS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The tags by number of operations, from the comments of the generated block: "# Name (N operations)".
sizes=$(sed -n '/^# BEGIN features generated/,/^# END features generated/p' "$repo/core/Cargo.toml" \
  | awk '/^# .* \([0-9]+ operations\)$/ { n = $(NF-1); sub(/^\(/, "", n); getline; split($0, f, " "); print n, f[1] }' \
  | sort -k1,1n -k2,2)
count=$(echo "$sizes" | wc -l)
[ "$count" -ge 2 ] || { echo "no tags found in core/Cargo.toml's generated block" >&2; exit 1; }
median=$(echo "$sizes" | sed -n "$(((count + 1) / 2))p" | cut -d' ' -f2)
largest=$(echo "$sizes" | tail -1 | cut -d' ' -f2)
lines_of() { wc -l <"$repo/core/src/ops/gen/${1//-/_}.rs"; }
ops_of() { echo "$sizes" | awk -v t="$1" '$2 == t { print $1 }'; }
echo "tags: $count; median by operations: $median ($(ops_of "$median") operations, $(lines_of "$median") generated lines);" \
  "largest: $largest ($(ops_of "$largest") operations, $(lines_of "$largest") lines)"

# The commit before the catalog, exported (git archive: no worktree is registered) into the temp dir.
base=${BENCH_BASE:-}
if [ -z "$base" ]; then
  merge=$(git -C "$repo" log --format=%H --grep='^Merge work-d' -1)
  [ -n "$merge" ] && base=$(git -C "$repo" rev-parse "$merge^1")
fi
[ "$base" = none ] && base=
if [ -n "$base" ]; then
  mkdir -p "$work/base-src"
  git -C "$repo" archive "$base" | tar -xf - -C "$work/base-src"
  echo "base: $(git -C "$repo" log --format='%h %s' -1 "$base" | cut -c1-100)"
fi

# user_crate NAME UREQ_DIR LOCKFILE FEATURES: a user crate of its own workspace, with the repo's lockfile
# (so the dependencies' versions are the ones the repo tests).
user_crate() {
  local dir="$work/$1" feats=""
  [ -n "$4" ] && feats=", features = [\"$4\"]"
  mkdir -p "$dir/src"
  cat >"$dir/Cargo.toml" <<EOF
[package]
name = "bench-$1"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
atlas-admin-ureq = { path = "$2"$feats }

[workspace]
EOF
  cat >"$dir/src/main.rs" <<'EOF'
//! A user of the blocking client: one typed call (never run by the benchmark, only built).
use atlas_admin_ureq::Client;
use atlas_admin_ureq::ops::ListGroupInvites;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let invitations = client.execute(&ListGroupInvites::new("32b6e34b3d91647abb20e7b8")?)?;
    println!("{:?}", invitations.value);
    Ok(())
}
EOF
  cp "$3" "$dir/Cargo.lock"
}

variants=()
if [ -n "$base" ]; then
  user_crate base "$work/base-src/transport-ureq" "$work/base-src/Cargo.lock" ""
  variants+=(base)
fi
user_crate default "$repo/transport-ureq" "$repo/Cargo.lock" ""
user_crate median "$repo/transport-ureq" "$repo/Cargo.lock" "$median"
user_crate largest "$repo/transport-ureq" "$repo/Cargo.lock" "$largest"
user_crate full "$repo/transport-ureq" "$repo/Cargo.lock" "full"
variants+=(default median largest full)

clean_ours() { (cd "$work/$1" && cargo clean -q -p atlas-admin-core -p atlas-admin-ureq -p "bench-$1"); }

echo "warm-up: the dependencies of every variant (not measured)"
for v in "${variants[@]}"; do
  (cd "$work/$v" && cargo build -q)
done

# One round builds every variant once, clean; rounds interleave the variants so load drifts hit all alike.
declare -A wall cpu
for ((r = 1; r <= runs; r++)); do
  for v in "${variants[@]}"; do
    clean_ours "$v"
    (cd "$work/$v" && /usr/bin/time -f '%e %U %S' -o "$work/time" cargo build -q)
    read -r e u s <"$work/time"
    wall[$v]+="$e "
    cpu[$v]+="$(echo "$u + $s" | bc) "
  done
done

min_of() { tr ' ' '\n' | sed '/^$/d' | sort -n | head -1; }
median_of() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo
echo "clean debug build of the user crate and our crates ($runs round(s), median; load average: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-8s %-30s %8s %6s %8s %6s %8s %6s\n' variant features wall-s ratio cpu-s ratio min-cpu ratio
w0=$(echo "${wall[default]}" | median_of)
c0=$(echo "${cpu[default]}" | median_of)
m0=$(echo "${cpu[default]}" | min_of)
for v in "${variants[@]}"; do
  case $v in
    base) f="default, at ${base:0:9}" ;; default) f="default" ;; median) f="default + $median" ;;
    largest) f="default + $largest" ;; full) f="default + full" ;;
  esac
  w=$(echo "${wall[$v]}" | median_of)
  c=$(echo "${cpu[$v]}" | median_of)
  m=$(echo "${cpu[$v]}" | min_of)
  printf '%-8s %-30s %8.2f %6.3f %8.2f %6.3f %8.2f %6.3f\n' "$v" "$f" "$w" "$(echo "$w / $w0" | bc -l)" \
    "$c" "$(echo "$c / $c0" | bc -l)" "$m" "$(echo "$m / $m0" | bc -l)"
done

echo
echo "cargo build --timings of 'full' (clean for our crates):"
clean_ours full
(cd "$work/full" && cargo build -q --timings)
report=$(ls -t "$CARGO_TARGET_DIR"/cargo-timings/cargo-timing-*.html | head -1)
echo "report: $report"
# The report embeds its units as `const UNIT_DATA = [...]` (name, version, target, duration in s).
python3 - "$report" <<'EOF'
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S).group(1))
built = [u for u in units if u["duration"] >= 0.005]  # the others were fresh: only our crates are rebuilt
for u in sorted(built, key=lambda u: -u["duration"])[:8]:
    print(f'  {u["duration"]:7.2f} s  {u["name"]} {u["version"]}{u["target"]}')
EOF
