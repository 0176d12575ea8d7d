"""Standard error of the headline probabilities at equal paths, for each sampler.

Runs `simulate FILE --paths N --seed S --sampler X --format json` for seeds 1..R and each
sampler, and reports, for each threshold and break-even probability that is not 0 or 1, the
standard deviation of the estimate over the R seeds (the empirical standard error of one run),
the binomial standard error sqrt(p (1 - p) / N) that independent sampling would have, and
their ratio. Standard library only:

    python3 benches/sampler_se.py target/release/simulate scenarios/*.toml --paths 32768 --seeds 50
"""

import argparse
import json
import math
import statistics
import subprocess

SAMPLERS = ["mc", "lhs", "sobol"]


def probabilities(report):
    p = {t["name"]: t["probability"] for t in report["thresholds"]}
    p["operating break-even"] = report["break_even"]["operating"]["probability"]
    p["cash payback"] = report["break_even"]["cash_payback"]["probability"]
    return p


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("simulate")
    ap.add_argument("scenarios", nargs="+")
    ap.add_argument("--paths", type=int, default=32768)
    ap.add_argument("--seeds", type=int, default=50)
    args = ap.parse_args()
    n = args.paths
    for scenario in args.scenarios:
        estimates = {s: {} for s in SAMPLERS}
        for sampler in SAMPLERS:
            for seed in range(1, args.seeds + 1):
                out = subprocess.run(
                    [args.simulate, scenario, "--paths", str(n), "--seed", str(seed),
                     "--sampler", sampler, "--format", "json"],
                    check=True, capture_output=True,
                )
                for name, p in probabilities(json.loads(out.stdout)).items():
                    estimates[sampler].setdefault(name, []).append(p)
        print(f"\n{scenario}: {n} paths, {args.seeds} seeds per sampler")
        print(f"{'probability':<32} {'mean':>7} {'binomial se':>12}"
              + "".join(f" {s + ' sd':>10} {'ratio':>6}" for s in SAMPLERS))
        for name in estimates["mc"]:
            mean = statistics.fmean(estimates["mc"][name])
            if mean * n < 5 or (1 - mean) * n < 5:
                continue
            binomial = math.sqrt(mean * (1 - mean) / n)
            row = f"{name:<32} {mean:7.4f} {binomial:12.5f}"
            for s in SAMPLERS:
                sd = statistics.stdev(estimates[s][name])
                row += f" {sd:10.5f} {sd / binomial:6.2f}"
            print(row)


if __name__ == "__main__":
    main()
