#!/usr/bin/env bash
# Times our WIM splitter (wim/examples/wimsplit.rs, release build) against
# `wimlib-imagex split` on the same ~1 GiB WIM with the same part size.
# Both run with a warm page cache; each is run RUNS times and the best time
# counts, so a stray writeback burst does not decide the result.
#
#   benches/wim-bench.sh            # 1024 MiB WIM, 300 MiB parts, 3 runs
#   WIM_BENCH_MIB=256 RUNS=5 PART_MIB=100 benches/wim-bench.sh
#   CHECK=1 benches/wim-bench.sh    # source with an integrity table: both
#                                   # tools then compute one per part
#
# Needs: wimlib-imagex (Debian: wimtools), cargo. Uses a temporary folder
# (BENCH_DIR to choose one) that is removed afterwards.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZE_MIB=${WIM_BENCH_MIB:-1024}
PART_MIB=${PART_MIB:-300}
RUNS=${RUNS:-3}
CAPTURE_FLAGS=(--compress=none)
[[ ${CHECK:-0} == 1 ]] && CAPTURE_FLAGS+=(--check)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}

command -v wimlib-imagex >/dev/null || { echo "wimlib-imagex not found (apt install wimtools)" >&2; exit 1; }

WORK=${BENCH_DIR:-$(mktemp -d /tmp/wim-bench.XXXXXX)}
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

echo "building wimsplit (release)..."
(cd "$ROOT" && cargo build --quiet --release -p wim --example wimsplit)
WIMSPLIT=$TARGET/release/examples/wimsplit

echo "creating a ${SIZE_MIB} MiB tree of mostly random data..."
mkdir -p "$WORK/tree/text"
FILE_MIB=16
for ((i = 0; i < SIZE_MIB / FILE_MIB; i++)); do
    head -c $((FILE_MIB * 1024 * 1024)) /dev/urandom >"$WORK/tree/data$i.bin"
done
for ((i = 0; i < 200; i++)); do
    seq $((i * 1000)) $((i * 1000 + 999)) >"$WORK/tree/text/file$i.txt"
done

echo "capturing install.wim (${CAPTURE_FLAGS[*]})..."
wimlib-imagex capture "$WORK/tree" "$WORK/install.wim" "Windows 11 Pro" "${CAPTURE_FLAGS[@]}" >/dev/null
rm -rf "$WORK/tree"
ls -l "$WORK/install.wim"

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
less() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

run_ours() {
    rm -rf "$WORK/ours" && mkdir "$WORK/ours"
    local t0 t1
    t0=$(now)
    "$WIMSPLIT" split "$WORK/install.wim" "$WORK/ours" "$PART_MIB" install.swm >/dev/null
    t1=$(now)
    sub "$t1" "$t0"
}

run_wimlib() {
    rm -rf "$WORK/wimlib" && mkdir "$WORK/wimlib"
    local t0 t1
    t0=$(now)
    wimlib-imagex split "$WORK/install.wim" "$WORK/wimlib/install.swm" "$PART_MIB" >/dev/null
    t1=$(now)
    sub "$t1" "$t0"
}

# Warm the cache and the output paths once for each tool.
cat "$WORK/install.wim" >/dev/null
run_ours >/dev/null
run_wimlib >/dev/null

best_ours=""
best_wimlib=""
for ((r = 1; r <= RUNS; r++)); do
    sync
    o=$(run_ours)
    sync
    w=$(run_wimlib)
    printf 'run %d: ours %.3f s, wimlib %.3f s\n' "$r" "$o" "$w"
    if [[ -z $best_ours ]] || less "$o" "$best_ours"; then best_ours=$o; fi
    if [[ -z $best_wimlib ]] || less "$w" "$best_wimlib"; then best_wimlib=$w; fi
done

echo "parts: ours $(ls "$WORK/ours" | wc -l), wimlib $(ls "$WORK/wimlib" | wc -l)"
wimlib-imagex verify "$WORK/ours/install.swm" --ref="$WORK/ours/install*.swm" >/dev/null 2>&1
echo "our split set verifies with wimlib-imagex verify"
printf 'best of %d: ours %.3f s, wimlib-imagex split %.3f s, ratio ours/wimlib %.2f\n' \
    "$RUNS" "$best_ours" "$best_wimlib" "$(awk -v a="$best_ours" -v b="$best_wimlib" 'BEGIN { print a / b }')"
