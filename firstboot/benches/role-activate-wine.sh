#!/bin/sh
# `role activate --force` of the cross-compiled oqs-firstboot.exe under Wine: three
# demo terminals taking over from each other on a folder standing in for the share.
# Reports the switch time the command itself measures (lease + settings, excluding
# OQSComApp's restart, as issue #7 asks) from its --json output, and the wall time
# of the whole process (Wine start-up included, which a real Windows does not pay).
#
#   firstboot/benches/role-activate-wine.sh [PATH-TO-oqs-firstboot.exe] [RUNS]
# Needs wine and x86_64-w64-mingw32-gcc (tests/setup-debian.sh installs both).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
exe=${1:-${CARGO_TARGET_DIR:-$root/target}/x86_64-pc-windows-gnu/release/oqs-firstboot.exe}
runs=${2:-60}
[ -f "$exe" ] || { echo "build it first: cargo build --release --target x86_64-pc-windows-gnu -p oqs-firstboot ($exe missing)" >&2; exit 1; }

work=$(mktemp -d)
export WINEPREFIX="$work/prefix" WINEDEBUG=-all
trap 'wineserver -k 2>/dev/null || true; rm -rf "$work"' EXIT
echo "== wine prefix (wineboot, ProcessPrng stub)" >&2
wineboot --init >/dev/null 2>&1
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    "$root/tests/wine/processprng.c" -ladvapi32

. "$here/demo-stick.sh"
# Wine maps / to Z:, so a Unix path is a Windows one without asking winepath.
w() { printf 'Z:%s' "$1" | tr / '\\'; }

i=0
: > "$work/ms"
start=$(date +%s%N)
while [ "$i" -lt "$runs" ]; do
    set -- $terminals; shift $((i % 3)); t=$1
    wine "$exe" --lang en role activate --force --json --stick "$(w "$stick")" --terminal "$t" \
        --property-file "$(w "$work/$t.property")" --lease-dir "$(w "$work/share")" \
        --restart-cmd 'C:\windows\system32\hostname.exe' > "$work/out.json" 2>"$work/err" \
        || { cat "$work/out.json" "$work/err" >&2; exit 1; }
    sed -n 's/.*"switch_time": *\([0-9.]*\).*/\1/p' "$work/out.json" >> "$work/ms"
    i=$((i + 1))
done
end=$(date +%s%N)
[ "$(wc -l < "$work/ms")" -eq "$runs" ] || { echo "no switch_time in the output" >&2; cat "$work/out.json" >&2; exit 1; }
sort -n "$work/ms" | awk -v runs="$runs" -v wall="$(( (end - start) / runs / 1000000 ))" '
    { v[NR] = $1 }
    END {
        printf "role activate under Wine, %d takeovers: switch (lease + settings, no restart) median %.1f ms, p95 %.1f ms, max %.1f ms; whole process %d ms mean (Wine start-up included)\n",
            runs, v[int((NR + 1) / 2)], v[int(NR * 0.95 + 0.5)], v[NR], wall
    }'
