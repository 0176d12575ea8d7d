"""The Python package against the command line: the same JSON byte for byte, the same
errors, arrays of the documented shapes, wrong types refused, the GIL released, Ctrl-C."""

import _thread
import json
import subprocess
import threading
import time

import numpy as np
import pytest

import breakeven as be

OPENAI = "scenarios/openai.toml"


def cli(simulate, *args):
    out = subprocess.run([simulate, *args], capture_output=True, text=True)
    return out


def test_run_json_is_the_command_lines_byte_for_byte(simulate):
    r = be.run(OPENAI, paths=20_000, seed=7, set={"capex.partner_share": 0.3, "capex.years": 6})
    expected = cli(
        simulate, OPENAI, "--paths", "20000", "--seed", "7",
        "--set", "capex.partner_share=0.3", "--set", "capex.years=6", "--format", "json",
    )
    assert expected.returncode == 0
    assert r.to_json() == expected.stdout


def test_distributions_samplers_and_threads(simulate):
    dist = {"dist": "uniform", "min": 1.0e12, "max": 2.0e12}
    one = be.run(OPENAI, paths=5_000, threads=1, sampler="sobol", set={"capex.total": dist})
    two = be.run(OPENAI, paths=5_000, threads=2, sampler="sobol", set={"capex.total": dist})
    assert one.to_json() == two.to_json(), "the thread count does not change the bytes"
    expected = cli(
        simulate, OPENAI, "--paths", "5000", "--sampler", "sobol",
        "--set", 'capex.total={ dist = "uniform", min = 1e12, max = 2e12 }', "--format", "json",
    )
    assert one.to_json() == expected.stdout


def test_toml_text_is_accepted():
    text = """
[scenario]
name = "One stream"
start_year = 2025
horizon = 2030
[streams.api]
revenue = 10e9
growth = { dist = "uniform", min = 0.1, max = 0.6 }
[costs]
rnd = 15e9
[thresholds.profitable_2030]
metric = "ebit"
year = 2030
op = ">="
value = 0
"""
    r = be.run(text, paths=2_000)
    assert r.scenario["file"] == "<string>"
    # EBIT >= 0 in 2030 needs (1 + g)^5 >= 1.5, i.e. g >= 8.4%: always true here.
    assert r.threshold("profitable_2030")["probability"] == 1.0


def test_result_accessors():
    r = be.run(OPENAI, paths=3_000)
    assert [t["name"] for t in r.thresholds] == [t["name"] for t in r.data["thresholds"]]
    p = r.break_even["operating"]
    assert p["ci95"][0] <= p["probability"] <= p["ci95"][1]
    revenue = r.metrics("revenue")
    try:
        import pandas  # noqa: F401

        assert list(revenue["year"]) == list(range(2025, 2036))
        assert (revenue["p5"] <= revenue["p95"]).all()
    except ImportError:
        assert [row["year"] for row in revenue] == list(range(2025, 2036))
    with pytest.raises(ValueError, match="unknown metric"):
        r.metrics("revenu")
    assert "P(operating break-even)" in repr(r)


def test_metrics_are_plain_dicts_without_pandas(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas raises ImportError
    rows = be.run(OPENAI, paths=1_000).metrics("revenue")
    assert isinstance(rows, list) and rows[0]["year"] == 2025 and "p50" in rows[0]


def test_scenario_errors_carry_file_line_key_and_the_command_lines_text(simulate, tmp_path):
    with pytest.raises(be.ScenarioError) as e:
        be.run(OPENAI, paths=1_000, set={"capex.partner_share": 2})
    expected = cli(simulate, OPENAI, "--paths", "1000", "--set", "capex.partner_share=2")
    assert expected.returncode == 2
    assert "error: " + str(e.value) + "\n" == expected.stderr
    assert e.value.file == OPENAI
    assert e.value.key == "capex.partner_share"
    assert isinstance(e.value, ValueError)

    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "x"\nstart_year = 2025\nhorizon = 2030\n[capex]\ntotal = { dist = "uniform", min = 2, max = 1 }\n')
    with pytest.raises(be.ScenarioError) as e:
        be.run(str(bad), paths=100)
    expected = cli(simulate, str(bad), "--paths", "100")
    assert "error: " + str(e.value) + "\n" == expected.stderr
    # The parts the command line prints: FILE:LINE: KEY: MESSAGE.
    assert expected.stderr == f"error: {bad}:{e.value.line}: {e.value.key}: {e.value.message}\n"
    assert e.value.file == str(bad) and isinstance(e.value.line, int)

    with pytest.raises(be.ScenarioError, match="no such key"):
        be.run(OPENAI, paths=100, set={"capex.ops_shar": 0.03})
    with pytest.raises(be.ScenarioError, match="cannot read"):
        be.run("no/such/file.toml")


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(paths="many"), TypeError),
        (dict(paths=1.5), TypeError),
        (dict(paths=True), TypeError),
        (dict(paths=0), ValueError),
        (dict(paths=-3), ValueError),
        (dict(seed=-1), ValueError),
        (dict(seed=2**64), ValueError),
        (dict(threads=0), ValueError),
        (dict(threads="2"), TypeError),
        (dict(sampler="qmc"), ValueError),
        (dict(sampler=3), TypeError),
        (dict(set=[("capex.years", 6)]), TypeError),
        (dict(set={"capex.years": object()}), TypeError),
        (dict(set={3: 1}), TypeError),
    ],
)
def test_wrong_types_and_values_raise_type_or_value_errors(kwargs, error):
    with pytest.raises(error):
        be.run(OPENAI, **{"paths": 100, **kwargs})


def test_a_scenario_of_the_wrong_type_is_a_type_error():
    for bad in (42, None, b"scenarios/openai.toml", ["a"]):
        with pytest.raises(TypeError):
            be.run(bad)


def read_paths_out(simulate, tmp_path, *args):
    """The header and rows of the command line's --paths-out CSV for `args`."""
    import csv

    out = tmp_path / "paths.csv"
    done = cli(simulate, OPENAI, *args, "--paths-out", str(out), "--format", "json")
    assert done.returncode == 0, done.stderr
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def test_paths_are_the_paths_out_columns_with_the_same_values(simulate, tmp_path):
    n = 2_000
    header, rows = read_paths_out(
        simulate, tmp_path, "--paths", str(n), "--seed", "3", "--paths-out-metrics", "revenue,cash"
    )
    p = be.paths(OPENAI, paths=n, seed=3, metrics=["revenue", "cash"])
    assert p.names == header
    assert p.array.shape == (n, len(header)) and p.array.dtype == np.float64
    assert len(rows) == n
    # The CSV writes each number in its shortest exact form and leaves a year beyond the
    # horizon empty: the same values bit for bit, NaN for empty.
    expected = np.array([[float(x) if x else np.nan for x in row] for row in rows])
    assert np.array_equal(p.array, expected, equal_nan=True)
    assert np.isnan(p["break_even_year"]).any() and np.isfinite(p["break_even_year"]).any()
    assert p["revenue_2030"].shape == (n,)
    assert list(p.frame().columns) == header
    # The default metrics are the command line's.
    default_header, _ = read_paths_out(simulate, tmp_path, "--paths", "10")
    assert be.paths(OPENAI, paths=10).names == default_header
    with pytest.raises(KeyError, match="paths-out"):
        p["revenue_2099"]


def test_paths_agree_with_the_run():
    n = 3_000
    p = be.paths(OPENAI, paths=n)
    r = be.run(OPENAI, paths=n)
    for t in r.thresholds:
        assert p["met_" + t["name"]].sum() == t["paths"]
    assert np.isfinite(p["break_even_year"]).sum() == r.break_even["operating"]["paths"]
    share = p["capex.partner_share"]
    assert 0.35 <= share.min() and share.max() <= 0.65
    with pytest.raises(ValueError, match="unknown metric"):
        be.paths(OPENAI, paths=10, metrics=["revenu"])


def test_a_network_run_is_the_command_lines_with_its_entities(simulate):
    network = "scenarios/network.toml"
    r = be.run(network, paths=2_000, seed=5)
    expected = cli(simulate, network, "--paths", "2000", "--seed", "5", "--format", "json")
    assert expected.returncode == 0, expected.stderr
    assert r.to_json() == expected.stdout
    data = json.loads(expected.stdout)
    assert r.entities == data["entities"]
    assert set(r.entities) >= {"openai", "nvidia", "oracle", "coreweave"}
    for name, entity in r.entities.items():
        assert 0.0 <= entity["break_even"]["probability"] <= 1.0, name
    assert r.network == data["network"] and r.break_even is None
    assert "entities" in repr(r)
    with pytest.raises(ValueError, match="network scenarios"):
        be.paths(network, paths=10)


def test_sensitivity_is_the_command_lines(simulate):
    s = be.sensitivity(OPENAI, paths=2_000)
    expected = cli(simulate, "sensitivity", OPENAI, "--paths", "2000", "--format", "json")
    assert expected.returncode == 0
    assert s.to_json() == expected.stdout
    swings = [abs(i["swing"]) for i in s.inputs]
    assert swings == sorted(swings, reverse=True)
    with pytest.raises(ValueError, match="together"):
        be.sensitivity(OPENAI, metric="revenue")


def test_the_gil_is_released_while_the_engine_runs():
    ticks = 0
    stop = threading.Event()

    def count():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    started = time.perf_counter()
    be.run(OPENAI, paths=300_000, threads=1)
    elapsed = time.perf_counter() - started
    stop.set()
    t.join()
    # A thread that held the GIL for the whole run would let the counter tick at most a few
    # times; with the GIL released it ticks about once per millisecond.
    assert ticks > 0.2 * elapsed * 1000, (ticks, elapsed)


def test_keyboard_interrupt_stops_a_run_within_a_second():
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        be.run(OPENAI, paths=1_000_000_000)
    interrupted_after = time.perf_counter() - started - 0.5
    timer.join()
    assert interrupted_after < 1.0, interrupted_after
    print(f"KeyboardInterrupt to exception: {interrupted_after:.3f} s")


def test_sweep_solve_and_compare_are_the_command_lines(simulate):
    sw = be.sweep(OPENAI, "capex.partner_share=0.3..0.6:3", paths=2_000)
    expected = cli(simulate, "sweep", OPENAI, "--param", "capex.partner_share=0.3..0.6:3",
                   "--paths", "2000", "--format", "json")
    assert expected.returncode == 0, expected.stderr
    assert sw.to_json() == expected.stdout

    so = be.solve(OPENAI, "capex.gpu_life_years=2..9", target=0.18, paths=2_000)
    expected = cli(simulate, "solve", OPENAI, "--param", "capex.gpu_life_years=2..9",
                   "--target", "0.18", "--paths", "2000", "--format", "json")
    assert expected.returncode == 0, expected.stderr
    assert so.to_json() == expected.stdout

    co = be.compare(OPENAI, set={"capex.partner_share": 0.3}, paths=2_000)
    expected = cli(simulate, "compare", OPENAI, "--set", "capex.partner_share=0.3",
                   "--paths", "2000", "--format", "json")
    assert expected.returncode == 0, expected.stderr
    assert co.to_json() == expected.stdout

    with pytest.raises(ValueError, match="second scenario"):
        be.compare(OPENAI)
    with pytest.raises(TypeError):
        be.sweep(OPENAI, 3)
    # Without a range the input's own support is searched, by the library as on the command
    # line, and the default paths are the command line's.
    so = be.solve(OPENAI, "capex.gpu_life_years", target=0.18)
    expected = cli(simulate, "solve", OPENAI, "--param", "capex.gpu_life_years",
                   "--target", "0.18", "--format", "json")
    assert expected.returncode == 0, expected.stderr
    assert so.to_json() == expected.stdout
    with pytest.raises(ValueError, match="give the range to search"):
        be.solve(OPENAI, "subscriptions.price", target=0.2)
