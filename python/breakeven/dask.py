"""Sharded runs on a dask.distributed cluster: `run_sharded` maps `simulate FILE --shard I/N`
over the cluster's workers and merges the parts exactly, so the merged report is byte for
byte the report of one run of all the paths (the command line's `simulate merge`).

    from dask.distributed import Client
    import breakeven.dask
    with Client() as client:
        r = breakeven.dask.run_sharded("scenarios/openai.toml", paths=10_000_000, shards=8,
                                       client=client)

Each worker needs the `breakeven` package installed (the same version: parts from another
version are refused). The scenario is read once, here, and sent to the workers as text.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from . import Result, _common, _count, _native


def _shard(args: dict, index: int, count: int) -> str:
    return _native.run_shard(**args, index=index, count=count)


def run_sharded(
    scenario,
    paths: Optional[int] = None,
    shards: int = 2,
    client: Any = None,
    seed: Optional[int] = None,
    threads: Optional[int] = 1,
    set: Optional[Mapping[str, Any]] = None,
    sampler: str = "mc",
) -> Result:
    """Run `shards` shards of the run on `client` (a dask.distributed Client; the current
    one when None) and merge them: the same Result as `breakeven.run` with the same
    arguments, byte for byte in `to_json()`. `threads` is per shard (default 1: one shard per
    worker thread)."""
    if client is None:
        from dask.distributed import get_client

        client = get_client()
    count = _count("shards", shards, 1, optional=False)
    args = _common(scenario, paths, seed, threads, set, sampler)
    futures = [
        client.submit(_shard, args, i, count, key=f"breakeven-shard-{i}-of-{count}-{id(args)}", pure=False)
        for i in range(count)
    ]
    parts = client.gather(futures)
    return Result(_native.merge([(f"shard {i}/{count}", p) for i, p in enumerate(parts)]))
