"""Sharded runs on a dask.distributed LocalCluster merge to a single run, byte for byte."""

import pytest

import breakeven as be

distributed = pytest.importorskip("dask.distributed")


def test_two_workers_merge_to_the_single_run():
    import breakeven.dask

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            merged = breakeven.dask.run_sharded(
                "scenarios/openai.toml", paths=30_000, shards=5, client=client,
                set={"capex.partner_share": 0.4},
            )
    single = be.run("scenarios/openai.toml", paths=30_000, set={"capex.partner_share": 0.4})
    assert merged.to_json() == single.to_json()


def test_too_many_shards_are_refused():
    import breakeven.dask

    class Client:  # never reached: the shards are checked in the workers' first call
        def submit(self, f, *args, **kwargs):
            return f(*args)

        def gather(self, results):
            return results

    with pytest.raises(ValueError, match="shards"):
        breakeven.dask.run_sharded("scenarios/openai.toml", paths=2_000, shards=3, client=Client())
