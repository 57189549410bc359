#!/usr/bin/env bash
# Builder benchmark: wall time, packages/s, peak memory and bytes per package.
# Usage: bash benches/build.sh [runs]   (from the repository root)
# Prints a Markdown table for BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-15}"
cargo build --release --quiet
bin=target/release/pecyn
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A synthetic library of N copies of the shipped modules, to show memory does not grow with modules.
make_library() {
  local copies="$1" dir="$2"
  mkdir -p "$dir"
  for i in $(seq 1 "$copies"); do
    for m in modules/*/; do
      id="$(basename "$m")"
      new="${id}-copy${i}"
      cp -r "$m" "$dir/$new"
      sed -i "s/^id = \"$id\"/id = \"$new\"/" "$dir/$new/module.toml"
    done
  done
}

# median of a list of numbers
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# run_case NAME MODULES_DIR EXTRA_ARGS... → median wall ms (whole process), median in-process ms, peak RSS KiB (max), packages, mean bytes
run_case() {
  local name="$1" mods="$2"; shift 2
  local walls=() inproc=() rss=0 pkgs=0 bytes=0
  for r in $(seq 1 "$runs"); do
    rm -rf "$work/out"
    local start end
    start=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$work/time" "$bin" build --modules "$mods" --templates templates --out "$work/out" --json "$@" > "$work/report.json"
    end=$(date +%s%N)
    walls+=($(( (end - start) / 1000000 )))
    inproc+=("$(python3 -c "import json;print(json.load(open('$work/report.json'))['elapsed_ms'])")")
    local m; m=$(cat "$work/time"); [ "$m" -gt "$rss" ] && rss=$m
  done
  pkgs=$(python3 -c "import json;print(len(json.load(open('$work/out/catalogue.json'))['packages']))")
  bytes=$(python3 -c "import json;p=json.load(open('$work/out/catalogue.json'))['packages'];print(sum(x['bytes'] for x in p)//len(p))")
  local wall_med in_med
  wall_med=$(printf '%s\n' "${walls[@]}" | median)
  in_med=$(printf '%s\n' "${inproc[@]}" | median)
  local pps; pps=$(python3 -c "print(round($pkgs/($wall_med/1000.0)))")
  printf '| %s | %s | %s ms | %s ms | %s | %s MiB | %s |\n' "$name" "$pkgs" "$wall_med" "$in_med" "$pps" "$(python3 -c "print(round($rss/1024,1))")" "$bytes"
}

shipped=$(ls -d modules/*/ | wc -l)
make_library 5 "$work/lib"
echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%Y-%m-%d); runs per case: $runs (median)"
echo
echo "| case | packages | wall (whole process) | wall (build only) | packages/s | peak RSS | mean bytes/package |"
echo "|---|---|---|---|---|---|---|"
run_case "one module (passwords), full matrix" modules --only passwords
run_case "one module, 1 thread" modules --only passwords --jobs 1
run_case "shipped library ($shipped modules)" modules
run_case "synthetic library ($((shipped * 5)) modules)" "$work/lib"
