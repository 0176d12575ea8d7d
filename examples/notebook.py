# %% [markdown]
# # Will the AI build-out pay for itself? A notebook-style tour of the `breakeven` package
#
# Run it as a script from the repository root (`python examples/notebook.py`, after
# `pip install ./python`), or cell by cell in Jupyter or VS Code (the `# %%` markers).
# Every number comes from the same engine as the `simulate` command line, with the same
# seed: `r.to_json()` is byte for byte what `simulate ... --format json` prints.

# %%
import breakeven as be

r = be.run("scenarios/openai.toml", paths=50_000)
print(r)
be_op = r.break_even["operating"]
print(f"P(operating break-even by 2035) = {be_op['probability']:.1%} "
      f"(95% interval {be_op['ci95'][0]:.1%} to {be_op['ci95'][1]:.1%})")
for t in r.thresholds:
    print(f"  {t['label']}: {t['probability']:.2%}")

# %% [markdown]
# ## Metrics by year (a DataFrame when pandas is installed)

# %%
revenue = r.metrics("revenue")
print(revenue[["year", "p10", "p50", "p90"]] if hasattr(revenue, "columns") else revenue[:3])

# %% [markdown]
# ## Change an assumption: partners carry less of the build-out

# %%
for share in (0.35, 0.5, 0.65):
    v = be.run("scenarios/openai.toml", paths=50_000, set={"capex.partner_share": share})
    print(f"partner share {share:.2f}: P(break-even) = {v.break_even['operating']['probability']:.1%}")

# %% [markdown]
# ## Which inputs matter (the tornado of `simulate sensitivity`)

# %%
s = be.sensitivity("scenarios/openai.toml", paths=5_000)
table = s.table()
print(table.head(5) if hasattr(table, "head") else table[:5])

# %% [markdown]
# ## Per-path arrays for your own conditioning: what do the paths that break even look like?

# %%
import numpy as np

p = be.paths("scenarios/openai.toml", paths=20_000, metrics=["revenue"])
broke_even = np.isfinite(p["break_even_year"])
growth = p["streams.api.growth"]
print(f"{broke_even.mean():.1%} of paths break even; their median API growth is "
      f"{np.median(growth[broke_even]):.2f} against {np.median(growth[~broke_even]):.2f}")
revenue_2030 = p["revenue_2030"]
print(f"median revenue in 2030: ${np.median(revenue_2030) / 1e9:.0f}B")

# %% [markdown]
# ## A mistake in a scenario names the file, line and key, as the command line does

# %%
try:
    be.run("scenarios/openai.toml", set={"capex.partner_share": 1.5})
except be.ScenarioError as e:
    print(f"ScenarioError: {e}\n  file={e.file} line={e.line} key={e.key}")
