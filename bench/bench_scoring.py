"""Benchmark: league table with rank ranges for 100 platforms × 1,000 weight perturbations.

Run: .venv/bin/python bench/bench_scoring.py [--platforms 100] [--repeat 20]
Prints the median and best wall time of rank_stability alone and of a full compute_league
(indicators, shrinkage, scores, ranks, rank ranges) plus the CSV.
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from scoring import DEFAULT_MODEL, INDICATORS, ScoringInput, compute_league, rank_stability, scores_csv  # noqa: E402


def synthetic_inputs(p: int, seed: int = 7) -> list[ScoringInput]:
    rng = np.random.default_rng(seed)
    items = []
    for i in range(p):
        n = int(rng.integers(0, 5000))
        share = lambda q: int(rng.binomial(n, q))  # noqa: E731
        items.append(
            ScoringInput(
                f"P{i:03d}",
                timeliness_total=n, timeliness_ok=share(0.9), concluded_total=n,
                correctness_ok=share(0.95), feedback_ok=share(0.85), received_total=n,
                process_ok=share(0.97), complaints_substantiated=int(rng.poisson(1)),
                notice_items_due=int(rng.integers(0, 5)), notice_items_on_time=0,
                ratings=tuple(int(x) for x in rng.integers(0, 20, 5)), led02=int(rng.random() < 0.1),
            )
        )
    return items


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--platforms", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    items = synthetic_inputs(args.platforms)
    rng = np.random.default_rng(1)
    values = rng.uniform(40, 100, size=(args.platforms, len(INDICATORS)))
    ded = rng.choice([0.0, 5.0], size=args.platforms)

    rs = timed(lambda: rank_stability(values, ded, DEFAULT_MODEL), args.repeat)
    league = timed(lambda: scores_csv(compute_league(items, DEFAULT_MODEL)), args.repeat)
    print(f"platforms={args.platforms} draws={DEFAULT_MODEL.stability_draws} repeat={args.repeat}")
    print(f"rank_stability:          median {statistics.median(rs) * 1000:7.1f} ms, best {min(rs) * 1000:7.1f} ms")
    print(f"compute_league + CSV:    median {statistics.median(league) * 1000:7.1f} ms, best {min(league) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
