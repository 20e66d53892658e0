#!/usr/bin/env bash
# Organisation-scale timing: fsx-guard against the typed-parse floor, alternating run by run, on
# an inventory from the benchmark kit's seeded generator (issue 12's table).
#
#   benches/org-scale.sh GEN_INVENTORY_PY PARSEFLOOR_BINARY [SIZE] [RUNS]
#
# GEN_INVENTORY_PY: the kit's gen_inventory.py; PARSEFLOOR_BINARY: its parsefloor, built with
# `cargo build --release`; SIZE: small|medium|large|xl (default large); RUNS: pairs (default 3).
# Prints each run's wall time, peak memory, system and user time (GNU time), then min/median/max
# and the ratio. System time is mostly the kernel handing out fresh pages: when it moves between
# sessions with no code change, the machine moved (see the README's performance section); user
# time is the CPU work itself (fsx-guard's is spread over both cores, the floor's is one core's).
set -euo pipefail
gen=${1:?GEN_INVENTORY_PY}
floor=${2:?PARSEFLOOR_BINARY}
size=${3:-large}
runs=${4:-3}
cd "$(dirname "$0")/.."
dir="${TMPDIR:-/tmp}/fsx-guard-org-scale"
mkdir -p "$dir"
raw="$dir/$size-raw.json"
doc="$dir/$size.json"
if [ ! -f "$raw" ]; then
  python3 "$gen" --size "$size" -o "$raw" >/dev/null
fi
if [ ! -f "$doc" ]; then
  # The generator writes {"regions": ...}; an inventory document wraps it in one account.
  python3 - "$raw" "$doc" <<'PY'
import json, sys
raw_path, doc_path = sys.argv[1], sys.argv[2]
account = json.load(open(raw_path + ".truth.json"))["generator"]["account"]
text = open(raw_path).read()
assert text.startswith('{"regions":')
inner = text[len('{"regions":'):text.rstrip().rindex("}")]
with open(doc_path, "w") as out:
    out.write('{"version":1,"collected_at":"2025-06-01T12:00:00Z","accounts":[{"account_id":"%s","partition":"aws","regions":' % account)
    out.write(inner)
    out.write("}]}")
PY
fi
cargo build --release --locked --quiet
bin=target/release/fsx-guard
# fsx-guard exits 1 on failures: that is a result here, not an error of the script.
measure() { { /usr/bin/time -f "%e %M %S %U" "$@" 2>&1 >/dev/null || true; } | tail -1; }
floor_runs=() ; guard_runs=()
for i in $(seq 1 "$runs"); do
  floor_runs+=("$(measure "$floor" check "$raw")")
  guard_runs+=("$(measure "$bin" check --inventory "$doc" --policy benches/data/org-policy.yaml \
    --format "sarif=$dir/out.sarif" --format "pretty=$dir/out.txt")")
  echo "run $i: floor ${floor_runs[-1]}  fsx-guard ${guard_runs[-1]}  (seconds, peak KB, system seconds, user seconds)"
done
python3 - "${floor_runs[@]}" -- "${guard_runs[@]}" <<'PY'
import statistics, sys
args = sys.argv[1:]
cut = args.index("--")
floor = [tuple(map(float, a.split())) for a in args[:cut]]
guard = [tuple(map(float, a.split())) for a in args[cut + 1:]]
def row(name, runs):
    wall = sorted(r[0] for r in runs); mem = sorted(r[1] / 1024 for r in runs)
    system = sorted(r[2] for r in runs)
    user = sorted(r[3] for r in runs)
    print(f"{name:10} wall s min {wall[0]:.2f} median {statistics.median(wall):.2f} max {wall[-1]:.2f}"
          f"   peak MiB median {statistics.median(mem):.0f}   system s median {statistics.median(system):.2f}"
          f"   user s median {statistics.median(user):.2f}")
row("floor", floor)
row("fsx-guard", guard)
ratios = sorted(g[0] / f[0] for f, g in zip(floor, guard))
print(f"ratio (pair by pair) min {ratios[0]:.2f} median {statistics.median(ratios):.2f} max {ratios[-1]:.2f}")
PY
