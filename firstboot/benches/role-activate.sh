#!/bin/sh
# Wall time of the real `oqs-firstboot role activate --force` process (start-up, stick
# manifest check, site parse, lease, property file rewrite, no-op restart), three demo
# terminals taking over from each other on a local folder standing in for the share.
# Uses hyperfine when installed, else a shell loop timed with `date +%s%N`.
#
#   firstboot/benches/role-activate.sh [PATH-TO-oqs-firstboot] [RUNS]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-${CARGO_TARGET_DIR:-$root/target}/release/oqs-firstboot}
runs=${2:-60}
[ -x "$bin" ] || { echo "build it first: cargo build --release -p oqs-firstboot ($bin missing)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$here/demo-stick.sh"

# One takeover; the terminal is picked round-robin from a counter file.
cat > "$work/one.sh" <<SCRIPT
#!/bin/sh
n=\$(cat "$work/n" 2>/dev/null || echo 0); echo \$((n + 1)) > "$work/n"
set -- $terminals; shift \$((n % 3)); t=\$1
exec "$bin" --lang en role activate --force --stick "$stick" --terminal "\$t" \
  --property-file "$work/\$t.property" --lease-dir "$work/share" --restart-cmd true >/dev/null
SCRIPT
chmod +x "$work/one.sh"
"$work/one.sh" || { echo "role activate failed:" >&2; sh -x "$work/one.sh"; exit 1; }

if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --warmup 3 --runs "$runs" "$work/one.sh"
else
    start=$(date +%s%N)
    i=0
    while [ "$i" -lt "$runs" ]; do "$work/one.sh"; i=$((i + 1)); done
    end=$(date +%s%N)
    echo "role activate --force: $runs runs, mean $(( (end - start) / runs / 1000 )) us per run (wall, incl. process start; no hyperfine)"
fi
