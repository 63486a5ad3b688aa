#!/usr/bin/env bash
# Installs what the demo and the tests need on Debian 12: the tools that check our
# images and WIMs (dosfstools, mtools, gdisk, fdisk, wimtools, qemu + OVMF), the
# Windows toolchain and Wine, tiny-installer makers (wixl, msitools), openssl for
# test certificates, and the Rust targets. Safe to run again: it only adds what is missing.
set -euo pipefail

packages=(
  gcc-mingw-w64-x86-64 wine wine64
  dosfstools mtools gdisk fdisk
  wimtools wixl msitools
  qemu-system-x86 ovmf
  openssl nasm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

for target in x86_64-pc-windows-gnu x86_64-unknown-uefi; do
  rustup target list --installed | grep -qx "$target" || rustup target add "$target"
done
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
