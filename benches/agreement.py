#!/usr/bin/env python3
"""Do two builds of the simulator agree within Monte Carlo error?

Runs every bundled scenario (scenarios/*.toml and scenarios/published/*.toml; those the old
build cannot read are skipped and listed) with both binaries on the same number of paths and compares every threshold probability and the
operating break-even and cash payback probabilities (for a network, each entity's break-even,
payback and default probabilities). Two independent estimates p1, p2 of the
same probability from n paths each differ by more than 4 combined standard errors,
4 sqrt(p1 (1 - p1) / n + p2 (1 - p2) / n), with probability about 6e-5. Prints one line per
probability and exits non-zero if any differs by more.

    benches/agreement.py OLD_SIMULATE NEW_SIMULATE [--paths 1000000] [--threads 2]
"""
import argparse
import glob
import json
import math
import os
import subprocess
import sys


def probabilities(simulate, scenario, paths, threads):
    out = subprocess.run(
        [simulate, scenario, "--paths", str(paths), "--threads", str(threads), "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    report = json.loads(out)
    found = {t["name"]: t["probability"] for t in report["thresholds"]}
    if "entities" in report:
        # A network: each entity's break-even, payback and default.
        for name, entity in report["entities"].items():
            for event in ("break_even", "payback", "default"):
                found[f"{name}.{event}"] = entity[event]["probability"]
    else:
        found["break_even"] = report["break_even"]["operating"]["probability"]
        found["payback"] = report["break_even"]["cash_payback"]["probability"]
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--paths", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    scenarios = sorted(glob.glob(os.path.join(root, "scenarios", "*.toml")))
    scenarios += sorted(glob.glob(os.path.join(root, "scenarios", "published", "*.toml")))
    n = args.paths
    worst, count, failures = 0.0, 0, 0
    for scenario in scenarios:
        rel = os.path.relpath(scenario, root)
        try:
            old = probabilities(args.old, scenario, n, args.threads)
        except subprocess.CalledProcessError as e:
            print(f"skip {rel}: the old build refuses it: {e.stderr.strip().splitlines()[0]}")
            continue
        new = probabilities(args.new, scenario, n, args.threads)
        for name in old:
            p1, p2 = old[name], new[name]
            se = math.sqrt(p1 * (1 - p1) / n + p2 * (1 - p2) / n)
            z = abs(p1 - p2) / se if se > 0 else (0.0 if p1 == p2 else math.inf)
            worst = max(worst, z)
            count += 1
            ok = z <= 4.0
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {rel:45} {name:28} {p1:.6f} {p2:.6f}  {z:5.2f} SE")
    print(f"{count} probabilities, {failures} beyond 4 SE, largest difference {worst:.2f} SE")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
