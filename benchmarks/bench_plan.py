"""Plan read throughput against the sandbox with injected latency.

The sandbox runs in its own process (so its threads do not share our GIL) with `--latency-ms`
on every response. With P concurrent reads and latency L, a plan of N outbound relationships
cannot finish faster than the latency bound L x (1 prefetch round + ceil(N / P)); the benchmark
prints wall time, the ratio to that bound (1.0 is perfect), requests sent and peak memory.

    python benchmarks/bench_plan.py [--resources 256] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path


def serve(seed: dict, latency_ms: int, queue: multiprocessing.Queue, stop) -> None:
    from netsync.sandbox import Sandbox

    with Sandbox(seed=seed, latency_ms=latency_ms) as sb:
        queue.put(sb.env())
        stop.wait(600)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    queue.put(usage.ru_utime + usage.ru_stime)


def build(n: int, folder: Path) -> tuple[dict, Path]:
    firms = [str(uuid.UUID(int=i + 1)) for i in range(n)]
    seed = {
        "firms": [{"id": f, "name": f"Firm {i}"} for i, f in enumerate(firms)],
        "outbound": {f: {"sendingPercentage": 0.1, "daysForInvestigating": 30} for f in firms},
    }
    lines = ["version: 1", "network:", "  outbound:"]
    lines += [f"    {f}: {{sendingPercentage: 0.1, daysForInvestigating: 31}}" for f in firms]
    config = folder / "netsync.yaml"
    config.write_text("\n".join(lines) + "\n")
    return seed, config


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=256)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--parallelism", type=int, nargs="*", default=[1, 16, 64])
    args = parser.parse_args()

    from netsync.config import load_config
    from netsync.pipeline import run_plan

    with tempfile.TemporaryDirectory() as tmp:
        seed, config_path = build(args.resources, Path(tmp))
        queue: multiprocessing.Queue = multiprocessing.Queue()
        stop = multiprocessing.Event()
        server = multiprocessing.Process(
            target=serve, args=(seed, args.latency_ms, queue, stop), daemon=True
        )
        server.start()
        try:
            env = {**os.environ, **queue.get(timeout=60)}
            config = load_config(config_path, env)
            latency = args.latency_ms / 1000
            print(f"resources={args.resources} latency={args.latency_ms}ms")
            print(f"{'parallelism':>11} {'wall_s':>8} {'bound_s':>8} {'ratio':>6} {'requests':>8}")
            for parallelism in args.parallelism:
                if parallelism == 1 and args.resources > 64:
                    runs = min(args.resources, 64)  # serial is slow: measure a slice
                    config.resources = config.resources[:runs]
                else:
                    config = load_config(config_path, env)
                started = time.perf_counter()
                run = run_plan(config, env, parallelism=parallelism)
                wall = time.perf_counter() - started
                if run.plan.errors:
                    print("errors:", [str(e) for e in run.plan.errors[:3]], file=sys.stderr)
                    return 1
                assert run.plan.summary()["update"] == len(config.resources)
                bound = latency * (1 + math.ceil(len(config.resources) / parallelism))
                ratio = f"{wall / bound:>6.2f}" if bound else "   n/a"
                print(
                    f"{parallelism:>11} {wall:>8.2f} {bound:>8.2f} {ratio} "
                    f"{run.read.requests:>8}"
                    + (f"  (first {len(config.resources)} resources)" if parallelism == 1 else "")
                )
            usage = resource.getrusage(resource.RUSAGE_SELF)
            print(f"peak_rss_mb={usage.ru_maxrss / 1024:.1f} (netsync process)")
            print(f"cpu_s netsync={usage.ru_utime + usage.ru_stime:.2f}", end=" ")
        finally:
            stop.set()
            print(f"sandbox={queue.get(timeout=30):.2f} (all runs)")
            server.join(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
