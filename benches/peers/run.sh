#!/usr/bin/env bash
# Times schedsim against the peers on the peers' model, side by side, in one run:
# a dispatcher over 100 FIFO nodes, Poisson arrivals at load 0.9, exponential sizes,
# power of two choices. Three programs, each a whole process, timed in alternation
# (bare, DSLab, schedsim, bare, ...) so that the machine's load hits all three alike:
#
#   - bare-loop: ../shared/peers/bare-loop, a minimal binary-heap loop (the speed limit);
#   - simcore-dispatch: ../shared/peers/simcore-dispatch, the model on DSLab's engine;
#   - schedsim: `schedsim run -j 1` on the same model, as a user runs it, with every
#     metric, the CSVs, the charts and the report.
#
# The peers are built here from ../shared/peers (into a temporary target folder, as
# shared/ is read-only), never by the project's build.
#
# Usage: benches/peers/run.sh [TASKS] [ROUNDS] [--callgrind]
#   TASKS   tasks per run (default 10,000,000)
#   ROUNDS  alternations (default 5); medians are reported
#   --callgrind  also count instructions per task (valgrind): the difference between
#                runs of 200,000 and 100,000 tasks, divided by 100,000, which the
#                machine's load does not move.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
peers="${PEERS:-$root/../shared/peers}"
tasks="${1:-10000000}"
rounds="${2:-5}"
callgrind="${3:-}"
if [ ! -d "$peers/bare-loop" ]; then
  echo "no peers at $peers (set PEERS=path/to/shared/peers)" >&2
  exit 2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "building the peers and schedsim (release)..." >&2
for p in bare-loop simcore-dispatch; do
  cp -r "$peers/$p" "$work/$p"
  (cd "$work/$p" && CARGO_TARGET_DIR="$work/target-$p" cargo build --release -q)
done
bare="$(find "$work/target-bare-loop/release" -maxdepth 1 -type f -executable -name 'bare-loop')"
dslab="$(find "$work/target-simcore-dispatch/release" -maxdepth 1 -type f -executable -name 'simcore_dispatch')"
(cd "$root" && cargo build --release -q --bin schedsim)
schedsim="$root/target/release/schedsim"

scenario() { # scenario N FILE: the peers' model with N tasks
  cat > "$2" <<TOML
name = "peers-model"
description = "The peers' model: one dispatcher, 100 FIFO nodes, Poisson load 0.9, power of two"
[run]
tasks = $1
warmup = 0.0
[[nodes]]
count = 100
[workload]
arrival = { process = "poisson", rate = 90.0 }
size = { dist = "exponential", mean = 1.0 }
[policies]
balancers = [{ name = "power_of_d", d = 2 }]
TOML
}
scenario "$tasks" "$work/peers-model.toml"

now() { date +%s.%N; }
time_one() { # time_one NAME CMD...: appends the wall seconds of one whole process
  local name="$1"; shift
  local t0 t1
  t0=$(now); "$@" > /dev/null; t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }' >> "$work/times-$name"
}
median() { sort -g "$1" | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "timing $rounds rounds of $tasks tasks each (load average before: $(cut -d' ' -f1 /proc/loadavg))..." >&2
for r in $(seq "$rounds"); do
  time_one bare "$bare" --n "$tasks" --policy po2
  time_one dslab "$dslab" --n "$tasks" --policy po2
  time_one schedsim "$schedsim" run -q -j 1 -o "$work/out" "$work/peers-model.toml"
done

printf '| program | median wall (s) | tasks/s | vs bare loop | vs DSLab |\n|---|---|---|---|---|\n'
b=$(median "$work/times-bare"); d=$(median "$work/times-dslab")
for name in bare dslab schedsim; do
  m=$(median "$work/times-$name")
  awk -v n="$name" -v m="$m" -v t="$tasks" -v b="$b" -v d="$d" \
    'BEGIN { printf "| %s | %.3f | %.2f M | %.2fx | %.2fx |\n", n, m, t / m / 1e6, b / m, d / m }'
done

if [ "$callgrind" = "--callgrind" ]; then
  scenario 100000 "$work/small.toml"; scenario 200000 "$work/large.toml"
  count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | awk '/Collected/ { print $4 }'; }
  printf '\n| program | instructions per task |\n|---|---|\n'
  for name in bare dslab schedsim; do
    case $name in
      bare) small=$(count "$bare" --n 100000 --policy po2); large=$(count "$bare" --n 200000 --policy po2) ;;
      dslab) small=$(count "$dslab" --n 100000 --policy po2); large=$(count "$dslab" --n 200000 --policy po2) ;;
      schedsim) small=$(count "$schedsim" run -q -j 1 -o "$work/out" "$work/small.toml")
                large=$(count "$schedsim" run -q -j 1 -o "$work/out" "$work/large.toml") ;;
    esac
    echo "| $name | $(( (large - small) / 100000 )) |"
  done
fi
