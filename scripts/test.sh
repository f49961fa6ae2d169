#!/usr/bin/env bash
# The whole test suite of runlx, runnable on a fresh Debian machine:
# installs the Debian packages the tests need, checks formatting and
# lints, builds the release binary, and runs every crate's tests (unit,
# conformance against native Linux, end to end).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
echo "== installing test dependencies (apt-get)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    build-essential libc6-dev busybox-static strace sqlite3 python3 openjdk-17-jdk-headless golang-go >/dev/null

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo build --release"
cargo build --release -p runlx
echo "== cargo test"
cargo test --release --workspace
