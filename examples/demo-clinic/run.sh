#!/usr/bin/env bash
# Builds the demo clinic's recovery stick from scratch on Debian 12:
# 1. installs the tools the demo inputs need (tests/setup-debian.sh),
# 2. generates fake installers, test certificates and a stand-in Windows media tree
#    into examples/demo-clinic/generated/ (nothing is downloaded),
# 3. builds oqs-firstboot.exe for Windows and oqs-builder,
# 4. checks the site, builds target/demo/stick.img and verifies it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

bash tests/setup-debian.sh

demo=examples/demo-clinic
cargo run --quiet --release -p oqs-e2e --bin make-demo-inputs -- "$demo/generated"
cargo build --quiet --release --target x86_64-pc-windows-gnu -p oqs-firstboot
cargo build --quiet --release -p oqs-builder
builder=target/release/oqs-builder

export OQS_VAULT_PASSPHRASE="${OQS_VAULT_PASSPHRASE:-demo vault passphrase, not for real use}"
"$builder" check --site "$demo/site.toml" --secrets "$demo/secrets.toml"
mkdir -p target/demo
"$builder" build --site "$demo/site.toml" --secrets "$demo/secrets.toml" \
  --media "$demo/generated/media" --out target/demo/stick.img \
  --firstboot target/x86_64-pc-windows-gnu/release/oqs-firstboot.exe
"$builder" verify target/demo/stick.img
"$builder" inspect target/demo/stick.img | head -n 20
echo
echo "demo stick: target/demo/stick.img (write it with dd, Rufus or Etcher; the Windows media in it is a stand-in)"
