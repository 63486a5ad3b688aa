#!/usr/bin/env bash
# Throughput of fatimg's image writer on ~2 GiB of media-like input, against
#   - mkfs.fat + mcopy -s of the same tree into a volume of the same size, and
#   - cat of every input to /dev/null: the read limit, what no writer can beat.
# Every run starts after `sync` (no writeback left from the previous run) and a warm-up
# read, so all three measure with the inputs in the page cache: the figures are CPU and
# memory bound, not disk bound. Outputs go to the same temp folder, and neither writer
# waits for the disk (mkimage --no-sync, no sync after mcopy). fatimg's figure includes
# SHA-256 of every file, which the manifest needs and mcopy does not compute.
# A last line shows `write_image` as the builder calls it (temp name, fsync, rename),
# which on a slow disk is bound by the disk.
#
# Usage: benches/fat-bench.sh   (needs mkfs.fat, mcopy, /usr/bin/time, cargo; ~6 GiB
# free in $TMPDIR)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fat-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
SRC=$WORK/src

echo "== building mkimage (release)"
cargo build --quiet --release --manifest-path "$ROOT/Cargo.toml" -p fatimg --example mkimage
MKIMAGE=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/mkimage

echo "== generating input in $SRC"
mkdir -p "$SRC/sources" "$SRC/video" "$SRC/photos/2024" "$SRC/photos/2025" "$SRC/docs"
# A few large files (install images, videos) ...
head -c 700M /dev/urandom > "$SRC/sources/install.swm"
head -c 500M /dev/urandom > "$SRC/video/clinic-tour.mp4"
head -c 300M /dev/urandom > "$SRC/video/training.mp4"
# ... some medium ones ...
for i in $(seq -w 1 20); do head -c 20M /dev/urandom > "$SRC/docs/manual-$i.pdf"; done
# ... and many small ones (photos, 64 KiB and 256 KiB).
head -c 64M /dev/urandom | split -b 64K -d -a 4 --additional-suffix=.jpg - "$SRC/photos/2024/IMG_"
head -c 64M /dev/urandom | split -b 256K -d -a 4 --additional-suffix=.jpg - "$SRC/photos/2025/写真_"
BYTES=$(find "$SRC" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
FILES=$(find "$SRC" -type f | wc -l)
echo "   $FILES files, $BYTES bytes"

export SRC WORK MKIMAGE
WARM='find "$SRC" -type f -print0 | xargs -0 cat > /dev/null'
settle() { rm -f "$WORK"/*.img; sync; bash -c "$WARM"; }
# Runs a shell command; prints "wall user sys" seconds. CPU seconds are reported too:
# on a busy machine wall time says more about the neighbours than about the writer.
timed() { /usr/bin/time -f "%e %U %S" -o "$WORK/time" bash -c "$1" > /dev/null; cat "$WORK/time"; }
rate() {
    awk -v b="$BYTES" -v w="$1" -v u="$2" -v s="$3" \
        'BEGIN { printf "%7.0f MB/s  (%.2f s wall, %.2f s CPU = %.2f user + %.2f sys)", b / w / 1e6, w, u + s, u, s }'
}

echo "== 1. fatimg (mkimage --no-sync: plan, read, SHA-256, write)"
settle
OURS=$(timed '"$MKIMAGE" "$SRC" "$WORK/fatimg.img" --no-sync')
SIZE=$(stat -c %s "$WORK/fatimg.img")
# The FAT partition of our image: everything after the first MiB.
export PART=$(( SIZE - 1048576 ))

echo "== 2. mkfs.fat -F 32 + mcopy -s into a same-size ($PART bytes) volume"
settle
MTOOLS=$(timed 'truncate -s "$PART" "$WORK/mtools.img" &&
    mkfs.fat -F 32 -n BENCH "$WORK/mtools.img" &&
    MTOOLS_SKIP_CHECK=1 LC_ALL=C.UTF-8 mcopy -s -i "$WORK/mtools.img" "$SRC"/* ::/')

echo "== 3. cat of all inputs to /dev/null (read limit)"
settle
READ=$(timed "$WARM")

echo "== 4. fatimg write_image (as the builder calls it: fsync, rename)"
settle
SYNCED=$(timed '"$MKIMAGE" "$SRC" "$WORK/fatimg.img"')
rm -f "$WORK"/*.img

echo
echo "input: $FILES files, $BYTES bytes (warm page cache)"
# shellcheck disable=SC2086 # word splitting of "wall user sys" is intended
{
    echo "fatimg writer      : $(rate $OURS)"
    echo "mkfs.fat + mcopy   : $(rate $MTOOLS)"
    echo "cat > /dev/null    : $(rate $READ)"
    echo "fatimg with fsync  : $(rate $SYNCED)"
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
awk -v o="${OURS%% *}" -v m="${MTOOLS%% *}" -v r="${READ%% *}" \
    'BEGIN { printf "wall time: fatimg is %.2fx the speed of mkfs.fat+mcopy and takes %.2fx the read time\n", m / o, o / r }'
