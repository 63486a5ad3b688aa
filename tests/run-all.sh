#!/usr/bin/env bash
# Every check oqs-stick has, as CI runs it: formatting, clippy for Linux and
# Windows, the Windows build of oqs-firstboot, then all tests (unit, image tools,
# QEMU boot, WIM, Wine). Installs what it needs first (Debian 12).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/setup-debian.sh

# Tool-based tests fail instead of skipping when a tool is missing.
export OQS_REQUIRE_TOOLS=1

echo "== cargo fmt --check" >&2
cargo fmt --all --check
echo "== clippy (Linux)" >&2
cargo clippy --workspace --all-targets -- -D warnings
echo "== clippy (x86_64-pc-windows-gnu)" >&2
cargo clippy --workspace --all-targets --target x86_64-pc-windows-gnu -- -D warnings
echo "== build oqs-firstboot.exe" >&2
cargo build --release --target x86_64-pc-windows-gnu -p oqs-firstboot
echo "== tests" >&2
cargo test --workspace
