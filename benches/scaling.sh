#!/usr/bin/env bash
# Throughput and scaling figures of BENCHMARKS.md: for each bundled scenario, paths per second
# and nanoseconds per path-year on 1 and 2 threads; openai.toml's time from 10^5 to 10^7 paths
# and with the horizon; instruction counts (valgrind, stable under load) for the horizon series.
# Prints the machine and the load average before each figure, since other work on the machine
# changes wall times.
#
#   benches/scaling.sh            (needs valgrind for the instruction counts)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
sim=target/release/simulate
load() { cut -d' ' -f1-3 /proc/loadavg; }
cpu() { # user+system seconds and wall seconds of one run
    /usr/bin/time -f "%U %S %e" "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.2f %.2f\n", $1 + $2, $3}'
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo
echo "## throughput, 10^6 paths (cpu s, wall s, paths/s and ns per path-year by wall time)"
for f in scenarios/*.toml; do
    years=$($sim check "$f" | sed -n '1s/.*(\([0-9]*\)–\([0-9]*\)).*/\1 \2/p' | awk '{print $2 - $1 + 1}')
    for t in 1 2; do
        read -r c w < <(cpu $sim "$f" --paths 1000000 --threads $t --format json)
        awk -v f="$f" -v t=$t -v c=$c -v w=$w -v y=$years -v l="$(load)" 'BEGIN {
            printf "%-28s threads %d  cpu %6.2f s  wall %6.2f s  %9.0f paths/s  %6.1f ns/path-year  load %s\n",
                f, t, c, w, 1e6 / w, w * 1e9 / (1e6 * y), l }'
    done
done
echo
echo "## paths, openai.toml, 1 thread"
for n in 100000 1000000 10000000; do
    read -r c w < <(cpu $sim scenarios/openai.toml --paths $n --threads 1 --format json)
    echo "paths $n  cpu $c s  wall $w s  $(awk -v c=$c -v n=$n 'BEGIN{printf "%.0f ns/path", c*1e9/n}')  load $(load)"
done
echo
echo "## horizon, openai.toml, 10^6 paths, 1 thread; instructions for 20,000 paths"
for h in 2030 2035 2045 2055; do
    years=$((h - 2025 + 1))
    read -r c w < <(cpu $sim scenarios/openai.toml --set scenario.horizon=$h --paths 1000000 --threads 1 --format json)
    ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null $sim scenarios/openai.toml \
        --set scenario.horizon=$h --paths 20000 --threads 1 --format json 2>&1 >/dev/null |
        sed -n 's/.*refs: *//p' | tr -d ,)
    ir0=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null $sim scenarios/openai.toml \
        --set scenario.horizon=$h --paths 1024 --threads 1 --format json 2>&1 >/dev/null |
        sed -n 's/.*refs: *//p' | tr -d ,)
    awk -v h=$h -v y=$years -v c=$c -v ir=$ir -v ir0=$ir0 -v l="$(load)" 'BEGIN {
        printf "horizon %d (%2d years)  cpu %6.2f s  %5.1f ns/path-year  %6.0f instructions/path  %4.0f per path-year  load %s\n",
            h, y, c, c * 1e9 / (1e6 * y), (ir - ir0) / 18976, (ir - ir0) / 18976 / y, l }'
done
