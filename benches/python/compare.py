"""The openai.toml model in vectorised NumPy, run side by side with the Rust simulator.

This is an independent implementation of the model the Rust simulator runs (README, "The
model, per path and year"), for the features scenarios/openai.toml uses: a ramp capex programme
with GPU and facility vintages, fractional lives, refresh at falling cost and partner rent;
subscriptions with logistic users, churn, conversion and price response; growth streams with
fading growth and lognormal shocks; competitive price shocks; a fixed commitment; costs,
accounts, break-even and payback; and the rank correlations of its [correlations] table, by
the same Gaussian copula (Pearson r = 2 sin(pi rho / 6), then each marginal's inverse CDF,
from scipy). It reads its inputs from the same TOML file. Paths are processed in batches of
2^17, vectorised over paths and looped over years.

It draws its own random numbers (NumPy's PCG64), so the two implementations agree only within
Monte Carlo error: for each probability, |p_rust - p_numpy| <= 3 sqrt(se_rust^2 + se_numpy^2),
with se = sqrt(p (1 - p) / n) (and, where both estimates are 0 or 1, exact equality). The
script prints every probability with its Wilson 95% interval, the check, and the wall time of
each implementation; it exits with status 1 if any check fails.
"""

import argparse
import resource
import json
import math
import subprocess
import sys
import time
import tomllib

import numpy as np
from scipy import special, stats

BATCH = 1 << 17
Z95 = 1.959963984540054


def sampler(spec, default=None):
    """A function n, rng -> array of n draws for one input, as the Rust compiler reads it."""
    if spec is None:
        if default is None:
            raise ValueError("missing input without a default")
        return lambda n, rng: np.full(n, float(default))
    if isinstance(spec, (int, float)):
        return lambda n, rng: np.full(n, float(spec))
    family = spec.get("dist", "fixed")
    if "truncate" in spec:
        raise NotImplementedError("truncation is not used by openai.toml")
    if family == "fixed":
        return lambda n, rng: np.full(n, float(spec["value"]))
    if family == "uniform":
        return lambda n, rng: rng.uniform(spec["min"], spec["max"], n)
    if family == "triangular":
        return lambda n, rng: rng.triangular(spec["min"], spec["mode"], spec["max"], n)
    if family == "pert":
        lo, mode, hi = spec["min"], spec["mode"], spec["max"]
        shape = spec.get("shape", 4.0)
        a = 1.0 + shape * (mode - lo) / (hi - lo)
        b = 1.0 + shape * (hi - mode) / (hi - lo)
        return lambda n, rng: lo + (hi - lo) * rng.beta(a, b, n)
    if family == "discrete":
        values = np.asarray(spec["values"], dtype=float)
        weights = np.asarray(spec.get("weights", [1.0] * len(values)), dtype=float)
        return lambda n, rng: rng.choice(values, n, p=weights / weights.sum())
    raise NotImplementedError(f"distribution {family}")


def quantile(spec, u):
    """The inverse CDF of an input's distribution at uniforms u (for correlated inputs)."""
    family = spec.get("dist", "fixed")
    if family == "uniform":
        return spec["min"] + u * (spec["max"] - spec["min"])
    if family == "triangular":
        lo, mode, hi = spec["min"], spec["mode"], spec["max"]
        return stats.triang.ppf(u, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
    if family == "pert":
        lo, mode, hi = spec["min"], spec["mode"], spec["max"]
        shape = spec.get("shape", 4.0)
        a = 1.0 + shape * (mode - lo) / (hi - lo)
        b = 1.0 + shape * (hi - mode) / (hi - lo)
        return lo + (hi - lo) * special.betaincinv(a, b, u)
    raise NotImplementedError(f"correlated {family}")


def lookup(doc, key):
    table = doc
    for part in key.split("."):
        table = table[part]
    return table


class Correlated:
    """The Gaussian copula of the scenario's rank correlations: draws every correlated input."""

    def __init__(self, doc):
        pairs = doc.get("correlations", {}).get("pairs", [])
        self.keys = sorted({p["a"] for p in pairs} | {p["b"] for p in pairs})
        m = len(self.keys)
        r = np.eye(m)
        for p in pairs:
            i, j = self.keys.index(p["a"]), self.keys.index(p["b"])
            r[i, j] = r[j, i] = 2.0 * math.sin(math.pi * p["rho"] / 6.0)
        self.factor = np.linalg.cholesky(r) if m else None
        self.specs = [lookup(doc, k) for k in self.keys]

    def draw(self, n, rng):
        if not self.keys:
            return {}
        z = rng.standard_normal((n, len(self.keys))) @ self.factor.T
        u = special.ndtr(z)
        return {k: quantile(spec, u[:, i]) for i, (k, spec) in enumerate(zip(self.keys, self.specs))}


def lognormal_shock(rng, sigma, n):
    """Mean-one lognormal multipliers with log-sd sigma (an array or a number)."""
    return np.exp(sigma * rng.standard_normal(n) - 0.5 * sigma * sigma)


class Model:
    def input(self, key, spec, default=None):
        """The sampler of the input at `key`: its correlated draw when it has one."""
        own = sampler(spec, default)
        return lambda n, rng: self.drawn[key] if key in self.drawn else own(n, rng)

    def __init__(self, doc):
        self.correlated = Correlated(doc)
        self.drawn = {}
        meta = doc["scenario"]
        self.start = meta["start_year"]
        self.years = meta["horizon"] - self.start + 1
        fin = doc.get("finance", {})
        self.starting_cash = self.input("finance.starting_cash", fin.get("starting_cash"), 0.0)
        self.discount_rate = self.input("finance.discount_rate", fin.get("discount_rate"), 0.08)
        c = doc["capex"]
        assert c.get("profile") == "ramp" and c.get("refresh", True)
        self.capex = {
            name: self.input(f"capex.{key}", c.get(key), default)
            for name, key, default in [
                ("total", "total", None),
                ("years", "years", None),
                ("partner_share", "partner_share", 0.0),
                ("gpu_share", "gpu_share", 1.0),
                ("gpu_life", "gpu_life_years", None),
                ("facility_life", "facility_life_years", 20.0),
                ("gpu_cost_decline", "gpu_cost_decline", 0.0),
                ("partner_margin", "partner_margin", 0.0),
                ("ops_share", "ops_share", 0.0),
            ]
        }
        self.capex_start = c.get("start_year", self.start) - self.start
        self.commitments = [
            (self.input(f"commitments.{k}.total", v["total"]), v["start_year"] - self.start, v["years"])
            for k, v in doc.get("commitments", {}).items()
        ]
        s = doc["subscriptions"]
        self.subs = {
            k: self.input(f"subscriptions.{k}", s.get(k), d)
            for k, d in [
                ("users", None),
                ("user_ceiling", None),
                ("user_growth", None),
                ("user_volatility", 0.0),
                ("paying_share", None),
                ("conversion", None),
                ("churn", None),
                ("price", None),
                ("price_growth", 0.0),
                ("price_elasticity", 0.0),
            ]
        }
        self.streams = []
        for name, st in doc.get("streams", {}).items():
            key = f"streams.{name}"
            self.streams.append(
                {
                    "name": name,
                    "start": st.get("start_year", self.start) - self.start,
                    "revenue": self.input(f"{key}.revenue", st["revenue"]),
                    "growth": self.input(f"{key}.growth", st["growth"]),
                    "terminal": (
                        self.input(f"{key}.terminal_growth", st["terminal_growth"])
                        if "terminal_growth" in st
                        else None
                    ),
                    "fade": self.input(f"{key}.growth_fade", st.get("growth_fade"), 0.0),
                    "volatility": self.input(f"{key}.volatility", st.get("volatility"), 0.0),
                }
            )
        names = [st["name"] for st in self.streams]
        self.shocks = []
        for name, sh in doc.get("shocks", {}).items():
            key = f"shocks.{name}"
            self.shocks.append(
                {
                    "start": max(sh.get("start_year", self.start + 1) - self.start, 1),
                    "probability": self.input(f"{key}.probability", sh["probability"]),
                    "price_factor": self.input(f"{key}.price_factor", sh["price_factor"]),
                    "exposure": self.input(f"{key}.exposure", sh.get("exposure"), 1.0),
                    "subscriptions": "subscriptions" in sh["streams"],
                    "streams": [names.index(t) for t in sh["streams"] if t != "subscriptions"],
                }
            )
        co = doc.get("costs", {})
        self.cor = self.input("costs.cost_of_revenue_share", co.get("cost_of_revenue_share"), 0.0)
        self.cor_long_run = (
            self.input("costs.cost_of_revenue_share_long_run", co["cost_of_revenue_share_long_run"])
            if "cost_of_revenue_share_long_run" in co
            else None
        )
        self.cor_speed = self.input("costs.cost_of_revenue_speed", co.get("cost_of_revenue_speed"), 0.0)
        self.rnd = self.input("costs.rnd", co.get("rnd"), 0.0)
        self.rnd_growth = self.input("costs.rnd_growth", co.get("rnd_growth"), 0.0)
        self.sga = self.input("costs.sga_share", co.get("sga_share"), 0.0)

    def capex_years(self, n, rng):
        """Spend, own spend, own depreciation, own operations and rent, each (n, years)."""
        Y = self.years
        d = {k: f(n, rng) for k, f in self.capex.items()}
        length = d["years"].astype(int)
        programme = np.zeros((n, Y))
        ramp_sum = length * (length + 1) / 2
        for k in range(int(length.max())):
            y = self.capex_start + k
            if y < Y:
                programme[:, y] = np.where(k < length, d["total"] * (k + 1) / ramp_sum, 0.0)
        spend_total = np.zeros((n, Y))
        dep_total = np.zeros((n, Y))
        capacity_total = np.zeros((n, Y))
        for share, life, decline in [
            (d["gpu_share"], d["gpu_life"], d["gpu_cost_decline"]),
            (1.0 - d["gpu_share"], d["facility_life"], np.zeros(n)),
        ]:
            whole = np.floor(life).astype(int)
            frac = life - whole
            keep = 1.0 - decline
            first = keep**whole * (1.0 - frac)
            second = keep ** (whole + 1) * frac
            spend = share[:, None] * programme
            dep = np.zeros((n, Y))
            for y in range(Y):
                spent = spend[:, y].copy()
                for k in range(Y - y):
                    amount = np.where(
                        k < whole, spent / life, np.where(k == whole, spent * (life - k) / life, 0.0)
                    )
                    dep[:, y + k] += amount
                for k in range(1, Y - y):
                    spend[:, y + k] += np.where(whole == k, spent * first, 0.0)
                    if y + k < Y:
                        spend[:, y + k] += np.where(
                            (whole + 1 == k) & (frac > 0), spent * second, 0.0
                        )
            spend_total += spend
            dep_total += dep
            capacity_total += np.cumsum(share[:, None] * programme, axis=1)
        p = d["partner_share"][:, None]
        operations = d["ops_share"][:, None] * capacity_total
        return {
            "spend": spend_total,
            "own_spend": (1 - p) * spend_total,
            "own_dep": (1 - p) * dep_total,
            "own_ops": (1 - p) * operations,
            "rental": p * (dep_total + operations) * (1 + d["partner_margin"][:, None]),
        }

    def run(self, n, rng):
        """Simulates n paths; returns per-year revenue, capex, EBIT and cash, and the
        break-even and payback year indices (-1 for never)."""
        Y = self.years
        self.drawn = self.correlated.draw(n, rng)
        cap = self.capex_years(n, rng)
        s = {k: f(n, rng) for k, f in self.subs.items()}
        streams = []
        for st in self.streams:
            g = st["growth"](n, rng)
            streams.append(
                {
                    "start": st["start"],
                    "revenue": st["revenue"](n, rng),
                    "growth": g,
                    "terminal": st["terminal"](n, rng) if st["terminal"] else g,
                    "fade": st["fade"](n, rng),
                    "volatility": st["volatility"](n, rng),
                    "base": np.zeros(n),
                    "g": np.zeros(n),
                }
            )
        shocks = [
            {
                **sh,
                "probability": sh["probability"](n, rng),
                "factor": 1.0 - sh["exposure"](n, rng) * (1.0 - sh["price_factor"](n, rng)),
            }
            for sh in self.shocks
        ]
        commitments = [(f(n, rng), start, years) for f, start, years in self.commitments]
        cash0 = self.starting_cash(n, rng)
        discount = 1.0 / (1.0 + self.discount_rate(n, rng))
        cor0 = self.cor(n, rng)
        cor_lr = self.cor_long_run(n, rng) if self.cor_long_run else cor0
        cor_speed = self.cor_speed(n, rng)
        rnd = self.rnd(n, rng)
        rnd_growth = self.rnd_growth(n, rng)
        sga = self.sga(n, rng)

        level_subs = np.ones(n)
        level_streams = np.ones((n, len(streams)))
        users = s["users"]
        paying = s["paying_share"] * users
        response = (1.0 + s["price_growth"]) ** (-s["price_elasticity"])
        decay = np.exp(-s["user_growth"])
        cash = cash0.copy()
        lowest = cash.copy()
        cor = cor0
        last_loss = np.full(n, -1)
        last_deficit = np.full(n, -1)
        out = {m: np.zeros((n, Y)) for m in ["revenue", "capex", "ebit", "cash"]}
        for y in range(Y):
            if y > 0:
                for sh in shocks:
                    hit = (rng.random(n) < sh["probability"]) & (y >= sh["start"])
                    factor = np.where(hit, sh["factor"], 1.0)
                    if sh["subscriptions"]:
                        level_subs *= factor
                    for k in sh["streams"]:
                        level_streams[:, k] *= factor
                shock = lognormal_shock(rng, s["user_volatility"], n)
                ceiling = s["user_ceiling"]
                safe = np.where(users > 0, users, 1.0)
                logistic = np.where(users > 0, ceiling / (1.0 + (ceiling / safe - 1.0) * decay), 0.0)
                new_users = logistic * shock
                retained = paying * (1.0 - s["churn"])
                converted = s["conversion"] * np.maximum(new_users - retained, 0.0)
                paying = np.minimum((retained + converted) * response, new_users)
                users = new_users
            price = s["price"] * (1.0 + s["price_growth"]) ** y
            revenue = paying * price * level_subs
            for k, st in enumerate(streams):
                z = lognormal_shock(rng, st["volatility"], n) if y > 0 else 1.0
                if y == st["start"]:
                    st["base"] = st["revenue"].copy()
                    st["g"] = st["growth"].copy()
                elif y > st["start"]:
                    g = st["g"]
                    st["base"] = st["base"] * (1.0 + g) * z
                    st["g"] = st["terminal"] + (g - st["terminal"]) * (1.0 - st["fade"])
                if y >= st["start"]:
                    revenue = revenue + st["base"] * level_streams[:, k]
            if y > 0:
                cor = cor_lr + (cor - cor_lr) * (1.0 - cor_speed)
            committed = sum(
                (t / years if start <= y < start + years else 0.0) for t, start, years in commitments
            )
            fixed = rnd * (1.0 + rnd_growth) ** y + cap["own_ops"][:, y] + cap["rental"][:, y] + committed
            ebitda = revenue * (1.0 - cor - sga) - fixed
            ebit = ebitda - cap["own_dep"][:, y]
            cash = cash + ebitda - cap["own_spend"][:, y]
            lowest = np.minimum(lowest, cash)
            last_loss = np.where(ebit < 0, y, last_loss)
            last_deficit = np.where(cash - cash0 < 0, y, last_deficit)
            out["revenue"][:, y] = revenue
            out["capex"][:, y] = cap["spend"][:, y]
            out["ebit"][:, y] = ebit
            out["cash"][:, y] = cash

        def after(last):
            return np.where(last < 0, 0, np.where(last + 1 < Y, last + 1, -1))

        out["break_even"] = after(last_loss)
        out["payback"] = after(last_deficit)
        return out


def threshold_hits(doc, start, out):
    """Counts of paths meeting each threshold of the scenario, in file order."""
    ops = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less}
    hits = {}
    for name, t in doc.get("thresholds", {}).items():
        op = ops[t["op"]]
        if t["metric"] in ("break_even_year", "payback_year"):
            idx = out["break_even" if t["metric"] == "break_even_year" else "payback"]
            year = np.where(idx < 0, np.inf, start + idx)
            met = op(year, t["value"])
        else:
            series = out[t["metric"]]
            years = [t["year"] - start] if "year" in t else range(t["by"] - start + 1)
            met = np.zeros(series.shape[0], dtype=bool)
            for y in years:
                rhs = t["value"] if "value" in t else t["times"] * out[t["of"]][:, y]
                met |= op(series[:, y], rhs)
        hits[name] = int(met.sum())
    return hits


def run_numpy(doc, paths, seed):
    model = Model(doc)
    rng = np.random.default_rng(seed)
    counts = {}
    profitable = np.zeros(model.years, dtype=np.int64)
    done = 0
    while done < paths:
        n = min(BATCH, paths - done)
        out = model.run(n, rng)
        for k, v in threshold_hits(doc, model.start, out).items():
            counts[k] = counts.get(k, 0) + v
        counts["break_even.operating"] = counts.get("break_even.operating", 0) + int(
            (out["break_even"] >= 0).sum()
        )
        counts["break_even.cash_payback"] = counts.get("break_even.cash_payback", 0) + int(
            (out["payback"] >= 0).sum()
        )
        profitable += (out["ebit"] >= 0).sum(axis=0)
        done += n
    for y in range(model.years):
        counts[f"ebit>=0 in {model.start + y}"] = int(profitable[y])
    return counts


def rust_counts(report):
    counts = {t["name"]: t["paths"] for t in report["thresholds"]}
    counts["break_even.operating"] = report["break_even"]["operating"]["paths"]
    counts["break_even.cash_payback"] = report["break_even"]["cash_payback"]["paths"]
    for row in report["break_even"]["profitable_by_year"]:
        counts[f"ebit>=0 in {row['year']}"] = row["paths"]
    return counts


def wilson(k, n):
    p = k / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(centre - half, 0.0), min(centre + half, 1.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--simulate", required=True, help="path to the simulate binary")
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--paths", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with open(args.scenario, "rb") as f:
        doc = tomllib.load(f)
    n = args.paths

    # Wall time and CPU time of each: on a shared machine the CPU time is the per-core figure.
    timings = {}
    cpu = {}
    rust = {}
    children = lambda: resource.getrusage(resource.RUSAGE_CHILDREN)
    for threads in (1, 2):
        name = f"rust, {threads} thread{'s' if threads > 1 else ''}"
        t0, c0 = time.perf_counter(), children()
        result = subprocess.run(
            [args.simulate, args.scenario, "--paths", str(n), "--seed", str(args.seed),
             "--threads", str(threads), "--format", "json"],
            check=True, capture_output=True,
        )
        timings[name] = time.perf_counter() - t0
        c1 = children()
        cpu[name] = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
        rust = rust_counts(json.loads(result.stdout))
    t0, c0 = time.perf_counter(), time.process_time()
    numpy_counts = run_numpy(doc, n, args.seed)
    timings["numpy (1 thread)"] = time.perf_counter() - t0
    cpu["numpy (1 thread)"] = time.process_time() - c0

    print(f"openai.toml, {n} paths each; numpy {np.__version__}, python {sys.version.split()[0]}")
    print(f"{'probability':<32} {'rust':>8} {'95% interval':>19} {'numpy':>8} {'95% interval':>19}  agree")
    failed = 0
    for key, kr in rust.items():
        kn = numpy_counts[key]
        pr, pn = kr / n, kn / n
        se = math.sqrt(pr * (1 - pr) / n + pn * (1 - pn) / n)
        agree = abs(pr - pn) <= 3 * se if se > 0 else kr == kn
        failed += not agree
        lr, hr = wilson(kr, n)
        ln, hn = wilson(kn, n)
        print(
            f"{key:<32} {pr:8.4f} [{lr:7.4f}, {hr:7.4f}] {pn:8.4f} [{ln:7.4f}, {hn:7.4f}]  "
            f"{'yes' if agree else 'NO'}"
        )
    print()
    base, base_cpu = timings["numpy (1 thread)"], cpu["numpy (1 thread)"]
    print(f"{'':<22} {'wall':>10} {'paths/s':>14} {'vs numpy':>9} {'CPU':>10} {'vs numpy':>9}")
    for name, t in timings.items():
        c = cpu[name]
        print(f"{name:<22} {t:8.2f} s  {n / t:12,.0f}  {base / t:7.1f}x  {c:8.2f} s  "
              f"{base_cpu / c:7.1f}x")
    if failed:
        print(f"{failed} probabilities disagree beyond 3 standard errors", file=sys.stderr)
        sys.exit(1)
    print("all probabilities agree within 3 standard errors")


if __name__ == "__main__":
    main()
