"""Attribute sampling for audits (workflows.md, "Audits and the problem ledger").

Pure Python: plain values in, plain values out. No Flask, no database.

* :func:`sample_size` -- the smallest n whose probability of showing at most the expected
  number of deviations, when the population deviates at the tolerable rate, is at most
  1 - confidence (binomial; hypergeometric when the population size is given).
* :func:`allocate_strata` -- proportional allocation over 侵权类别 strata (largest remainder,
  at least one per non-empty stratum).
* :func:`draw_sample` / :func:`plan_sample` -- the reproducible draw (seeded PCG64,
  independent of the order in which the population is given), with judgmental picks kept
  apart from the statistical sample.
* :func:`population_hash` -- SHA-256 fingerprint of the population, stored with the draw.
* :func:`evaluate_sample` / :func:`evaluate_draw` -- deviation rate, one-sided
  Clopper-Pearson upper bound, 控制有效 when the bound is at most the tolerable rate.

Error messages are in Chinese: they are shown to inspectors and printed by the CLI.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy import stats

__all__ = [
    "hypergeometric_upper",
    "evaluate_finite_sample",
    "DEFAULT_CONFIDENCE",
    "DEFAULT_TOLERABLE_RATE",
    "DEFAULT_EXPECTED_DEVIATIONS",
    "CONTROL_EFFECTIVE",
    "CONTROL_NOT_EFFECTIVE",
    "sample_size",
    "allocate_strata",
    "population_hash",
    "draw_sample",
    "plan_sample",
    "SampleDraw",
    "SampleResult",
    "clopper_pearson_upper",
    "evaluate_sample",
    "evaluate_draw",
]

DEFAULT_CONFIDENCE = 0.95
DEFAULT_TOLERABLE_RATE = 0.05
DEFAULT_EXPECTED_DEVIATIONS = 0

CONTROL_EFFECTIVE = "控制有效"
CONTROL_NOT_EFFECTIVE = "控制无效"

# Absolute slack when comparing a tail probability with 1 - confidence, so that a value that
# equals the risk in exact arithmetic is not pushed one item up by rounding in the CDF.
_PROBABILITY_SLACK = 1e-12
# Far beyond any audit; guards the search against absurd inputs such as a rate of 1e-300.
_MAX_SAMPLE_SIZE = 10**12


# --------------------------------------------------------------------------- validation


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_probability(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{what}必须是数值，收到：{value!r}")
    value = float(value)
    if not (0.0 < value < 1.0) or math.isnan(value):
        raise ValueError(f"{what}必须大于 0 且小于 1，收到：{value}")
    return value


def _check_count(value: object, what: str, *, minimum: int = 0) -> int:
    if not _is_int(value):
        raise ValueError(f"{what}必须是整数，收到：{value!r}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{what}不得小于 {minimum}，收到：{value}")
    return value


# --------------------------------------------------------------------------- sample size


def _smallest_n(tail, lo: int, hi: int, alpha: float) -> int:
    """Smallest n in [lo, hi] with tail(n) <= alpha; tail is non-increasing in n and
    tail(hi) <= alpha is known."""
    while lo < hi:
        mid = (lo + hi) // 2
        if tail(mid) <= alpha + _PROBABILITY_SLACK:
            hi = mid
        else:
            lo = mid + 1
    return lo


def sample_size(
    confidence: float = DEFAULT_CONFIDENCE,
    tolerable_rate: float = DEFAULT_TOLERABLE_RATE,
    expected_deviations: int = DEFAULT_EXPECTED_DEVIATIONS,
    population: int | None = None,
) -> int:
    """Attribute-sampling sample size.

    The smallest n with P(X <= K) <= 1 - confidence, where K = ``expected_deviations`` and
    X is the number of deviations in the sample when the population deviates at
    ``tolerable_rate``:

    * without ``population``: X ~ Binomial(n, tolerable_rate);
    * with ``population`` = N: X ~ Hypergeometric(N, D, n) with D = ceil(tolerable_rate * N)
      deviating items, and n <= N.

    Defaults (95 %, 5 %, K = 0) give 59; K = 1 gives 93; N = 100 gives 45.
    Raises ValueError (Chinese message) on invalid input, and when a finite population has
    D <= K (then even a census would show at most K deviations and the test cannot fail).
    """
    confidence = _check_probability(confidence, "置信水平")
    rate = _check_probability(tolerable_rate, "可容忍偏差率")
    k = _check_count(expected_deviations, "预期偏差数")
    alpha = 1.0 - confidence

    if population is None:
        def tail(n: int) -> float:
            return float(stats.binom.cdf(k, n, rate))

        lo = k + 1  # with n <= K the probability of at most K deviations is 1
        hi = lo
        while tail(hi) > alpha + _PROBABILITY_SLACK:
            if hi >= _MAX_SAMPLE_SIZE:
                raise ValueError("所需样本量过大，请提高可容忍偏差率或降低置信水平")
            hi = min(hi * 2, _MAX_SAMPLE_SIZE)
        return _smallest_n(tail, lo, hi, alpha)

    n_pop = _check_count(population, "总体数量", minimum=1)
    deviating = math.ceil(rate * n_pop)
    if deviating <= k:
        raise ValueError(
            f"总体数量为 {n_pop} 时，按可容忍偏差率计算的偏差项数为 {deviating}，"
            f"不超过预期偏差数 {k}，抽样无法得出结论；请降低预期偏差数、提高可容忍偏差率或全量检查"
        )

    def tail(n: int) -> float:
        # scipy: hypergeom(M=population, n=deviating items, N=draws)
        return float(stats.hypergeom.cdf(k, n_pop, deviating, n))

    # A census (n = N) sees all D > K deviations, so tail(N) = 0 <= alpha.
    return _smallest_n(tail, k + 1, n_pop, alpha)


# --------------------------------------------------------------------------- allocation


def allocate_strata(stratum_sizes: Mapping[str, int], n: int) -> dict[str, int]:
    """Split a sample of ``n`` over strata (侵权类别) in proportion to their sizes.

    Rules, in order:

    1. every non-empty stratum gets at least one item, no stratum more than it holds;
    2. the total is ``min(n, population)``; when there are more non-empty strata than
       ``n`` the total is raised to the number of non-empty strata (rule 1 wins: a larger
       sample only adds assurance);
    3. strata whose proportional quota is below one are given exactly one, one at a time
       (smallest quota first) and the rest is re-apportioned over the others;
    4. the remaining quotas are apportioned by largest remainder (Hamilton), exact rational
       arithmetic, ties broken by larger stratum, then by stratum name.

    Empty strata are returned with 0.
    """
    n = _check_count(n, "样本量", minimum=1)
    sizes: dict[str, int] = {}
    for name, size in stratum_sizes.items():
        sizes[str(name)] = _check_count(size, f"分层“{name}”的数量")
    if len(sizes) != len(stratum_sizes):
        raise ValueError("分层名称重复")

    result = {name: 0 for name in sizes}
    remaining = {name: size for name, size in sizes.items() if size > 0}
    if not remaining:
        return result
    population = sum(remaining.values())
    target = min(max(n, len(remaining)), population)
    if target == population:
        result.update(remaining)
        return result

    left = target
    while remaining:
        total = sum(remaining.values())
        # quota(s) = left * size / total; below one <=> left * size < total
        small = [s for s, size in remaining.items() if left * size < total]
        if not small:
            break
        s = min(small, key=lambda name: (remaining[name], name))
        result[s] = 1
        left -= 1
        del remaining[s]

    if remaining:
        total = sum(remaining.values())
        quotas = {s: Fraction(left * size, total) for s, size in remaining.items()}
        floors = {s: math.floor(q) for s, q in quotas.items()}
        leftover = left - sum(floors.values())
        order = sorted(
            remaining, key=lambda s: (-(quotas[s] - floors[s]), -remaining[s], s)
        )
        for s in remaining:
            result[s] = floors[s]
        for s in order[:leftover]:
            result[s] += 1

    # Invariants (cheap; a violation is a programming error, not bad input).
    assert sum(result.values()) == target
    assert all(0 < result[s] <= sizes[s] for s in sizes if sizes[s] > 0)
    return result


# --------------------------------------------------------------------------- the draw


def _canonical(report_id: Hashable) -> str:
    if isinstance(report_id, bool) or not isinstance(report_id, (str, numbers.Integral)):
        raise ValueError(f"举报编号必须是文本或整数，收到：{report_id!r}")
    return str(report_id)


def _population(
    report_ids: Iterable[Hashable], strata: Sequence[str] | Mapping[Hashable, str] | None
) -> list[tuple[str, Hashable, str | None]]:
    """(canonical id, original id, stratum) sorted by canonical id; rejects duplicates."""
    ids = list(report_ids)
    if strata is None:
        labels: list[str | None] = [None] * len(ids)
    elif isinstance(strata, Mapping):
        try:
            labels = [strata[i] for i in ids]
        except KeyError as exc:
            raise ValueError(f"举报 {exc.args[0]!r} 缺少侵权类别") from None
    else:
        labels = list(strata)
        if len(labels) != len(ids):
            raise ValueError(f"举报编号数（{len(ids)}）与侵权类别数（{len(labels)}）不一致")
    rows = []
    seen: set[str] = set()
    for rid, label in zip(ids, labels):
        key = _canonical(rid)
        if key in seen:
            raise ValueError(f"总体中举报编号重复：{key}")
        seen.add(key)
        if strata is not None and (label is None or str(label).strip() == ""):
            raise ValueError(f"举报 {key} 缺少侵权类别")
        rows.append((key, rid, None if label is None else str(label)))
    rows.sort(key=lambda row: row[0])
    return rows


def population_hash(
    report_ids: Iterable[Hashable], strata: Sequence[str] | Mapping[Hashable, str] | None = None
) -> str:
    """SHA-256 (hex) of the population, independent of input order.

    The hashed text is the compact JSON array (UTF-8, no ASCII escaping) of the ids as
    strings sorted by code point, e.g. ``["A1","A2"]``; when strata are given, of
    ``[id, stratum]`` pairs sorted by id, e.g. ``[["A1","侮辱性信息"]]``. Anyone can recompute
    it from the stored population with a few lines of code.
    """
    rows = _population(report_ids, strata)
    if strata is None:
        payload: list = [key for key, _, _ in rows]
    else:
        payload = [[key, label] for key, _, label in rows]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_seed(seed: object) -> int:
    if not _is_int(seed) or not (0 <= int(seed) < 2**128):
        raise ValueError(f"随机种子必须是 0 到 2^128-1 之间的整数，收到：{seed!r}")
    return int(seed)


class _Stream:
    """Unbiased bounded integers from the raw 64-bit output of PCG64.

    Uses ``Generator(PCG64(seed))`` as the source but only its bit generator's raw output,
    whose sequence numpy keeps stable across versions (``Generator`` methods such as
    ``choice`` may change their algorithm between numpy releases, which would silently
    change a stored audit sample).
    """

    def __init__(self, seed: int) -> None:
        self._bits = np.random.Generator(np.random.PCG64(seed)).bit_generator

    def below(self, bound: int) -> int:
        """Uniform integer in [0, bound) by rejection sampling."""
        limit = (2**64 // bound) * bound
        while True:
            x = int(self._bits.random_raw())
            if x < limit:
                return x % bound


def _choose(stream: _Stream, m: int, k: int) -> list[int]:
    """k distinct positions out of range(m): partial Fisher-Yates (sparse swaps)."""
    swapped: dict[int, int] = {}
    chosen = []
    for i in range(k):
        j = i + stream.below(m - i)
        chosen.append(swapped.get(j, j))
        swapped[j] = swapped.get(i, i)
    return chosen


@dataclass(frozen=True)
class SampleDraw:
    """A stored draw. ``statistical`` items feed the estimates; ``judgmental`` items
    (重点检查 picks) are reviewed like the others but excluded from the estimates."""

    seed: int
    requested_size: int
    population_size: int
    population_hash: str
    allocation: Mapping[str, int]
    statistical: tuple
    judgmental: tuple = ()

    @property
    def selected(self) -> tuple:
        """Every item to review: the statistical sample, then the judgmental picks."""
        return self.statistical + self.judgmental

    def is_judgmental(self, report_id: Hashable) -> bool:
        key = _canonical(report_id)
        return any(_canonical(j) == key for j in self.judgmental)


def plan_sample(
    report_ids: Iterable[Hashable],
    strata: Sequence[str] | Mapping[Hashable, str],
    n: int,
    seed: int,
    judgmental: Iterable[Hashable] = (),
) -> SampleDraw:
    """Draw the stratified random sample and record everything needed to reproduce it.

    The population is sorted by id (as text) first, so the input order never matters.
    Strata are visited in code-point order of their names; within each stratum the
    allocated number of positions is chosen by a partial Fisher-Yates shuffle driven by one
    PCG64 stream seeded with ``seed``. The same population, strata, n and seed always give
    the same sample.

    ``judgmental`` ids must belong to the population; ids already drawn at random stay in
    the statistical sample only.
    """
    n = _check_count(n, "样本量", minimum=1)
    seed = _check_seed(seed)
    rows = _population(report_ids, strata)
    if not rows:
        raise ValueError("总体为空，无法抽样")

    members: dict[str, list[Hashable]] = {}
    for _key, rid, label in rows:
        members.setdefault(label, []).append(rid)  # already in id order
    allocation = allocate_strata({s: len(v) for s, v in members.items()}, n)

    stream = _Stream(seed)
    picked: list[tuple[str, Hashable]] = []
    for stratum in sorted(members):
        pool = members[stratum]
        for pos in _choose(stream, len(pool), allocation[stratum]):
            picked.append((_canonical(pool[pos]), pool[pos]))
    picked.sort(key=lambda item: item[0])
    statistical = tuple(rid for _, rid in picked)

    by_key = {key: rid for key, rid, _ in rows}
    drawn = {key for key, _ in picked}
    extra: dict[str, Hashable] = {}
    for rid in judgmental:
        key = _canonical(rid)
        if key not in by_key:
            raise ValueError(f"重点抽取的举报 {key} 不在抽样总体中")
        if key not in drawn:
            extra[key] = by_key[key]

    return SampleDraw(
        seed=seed,
        requested_size=n,
        population_size=len(rows),
        population_hash=population_hash(_ids_of(rows), [r[2] for r in rows]),
        allocation=dict(sorted(allocation.items())),
        statistical=statistical,
        judgmental=tuple(extra[k] for k in sorted(extra)),
    )


def _ids_of(rows: list[tuple[str, Hashable, str | None]]) -> list[Hashable]:
    return [rid for _, rid, _ in rows]


def draw_sample(
    report_ids: Iterable[Hashable],
    strata: Sequence[str] | Mapping[Hashable, str],
    n: int,
    seed: int,
) -> list:
    """The statistically drawn ids (sorted by id as text); see :func:`plan_sample`."""
    return list(plan_sample(report_ids, strata, n, seed).statistical)


# --------------------------------------------------------------------------- evaluation


def clopper_pearson_upper(deviations: int, n: int, confidence: float = 0.95) -> float:
    """One-sided Clopper-Pearson upper bound: the p with P(X <= x | n, p) = 1 - confidence,
    i.e. the ``confidence`` quantile of Beta(x + 1, n - x); 1 when x = n."""
    n = _check_count(n, "样本量", minimum=1)
    x = _check_count(deviations, "偏差数")
    if x > n:
        raise ValueError(f"偏差数（{x}）不得大于样本量（{n}）")
    confidence = _check_probability(confidence, "置信水平")
    if x == n:
        return 1.0
    return float(stats.beta.ppf(confidence, x + 1, n - x))


@dataclass(frozen=True)
class SampleResult:
    sample_size: int
    deviations: int
    deviation_rate: float
    upper_bound: float
    tolerable_rate: float
    confidence: float
    control_effective: bool

    @property
    def conclusion(self) -> str:
        return CONTROL_EFFECTIVE if self.control_effective else CONTROL_NOT_EFFECTIVE


def evaluate_sample(
    sample_size: int,
    deviations: int,
    tolerable_rate: float = DEFAULT_TOLERABLE_RATE,
    confidence: float = DEFAULT_CONFIDENCE,
) -> SampleResult:
    """Per-platform result: deviation rate x/n, its one-sided upper bound, and 控制有效 when
    the bound is at most the tolerable rate. Only statistically drawn items count."""
    rate = _check_probability(tolerable_rate, "可容忍偏差率")
    upper = clopper_pearson_upper(deviations, sample_size, confidence)
    return SampleResult(
        sample_size=int(sample_size),
        deviations=int(deviations),
        deviation_rate=int(deviations) / int(sample_size),
        upper_bound=upper,
        tolerable_rate=rate,
        confidence=float(confidence),
        control_effective=upper <= rate,
    )


def evaluate_draw(
    draw: SampleDraw,
    nonconforming: Iterable[Hashable],
    tolerable_rate: float = DEFAULT_TOLERABLE_RATE,
    confidence: float = DEFAULT_CONFIDENCE,
) -> SampleResult:
    """Evaluate a draw given the ids marked 不合规; judgmental picks are ignored."""
    statistical = {_canonical(r) for r in draw.statistical}
    bad = {_canonical(r) for r in nonconforming}
    return evaluate_sample(len(statistical), len(bad & statistical), tolerable_rate, confidence)


def hypergeometric_upper(deviations: int, n: int, population: int, confidence: float = DEFAULT_CONFIDENCE) -> float:
    """Exact one-sided upper bound of the deviation rate of a finite population of N items from
    which n were drawn without replacement and x deviated: the largest D/N with
    P(X <= x | N, D, n) > 1 - confidence. It is the bound that matches a sample size computed
    with the hypergeometric distribution (``sample_size(..., population=N)``): a sample drawn
    that way and showing the expected deviations or fewer is always within the tolerable rate.
    For large N it approaches the Clopper-Pearson bound."""
    n = _check_count(n, "样本量", minimum=1)
    x = _check_count(deviations, "偏差数")
    big_n = _check_count(population, "总体数量", minimum=1)
    if n > big_n:
        raise ValueError(f"样本量（{n}）不得大于总体数量（{big_n}）")
    if x > n:
        raise ValueError(f"偏差数（{x}）不得大于样本量（{n}）")
    alpha = 1 - _check_probability(confidence, "置信水平")
    d = np.arange(x, big_n - (n - x) + 1)
    tail = stats.hypergeom.cdf(x, big_n, d, n)
    ok = d[tail > alpha]
    return float(ok.max() / big_n) if ok.size else x / big_n


def evaluate_finite_sample(sample_size: int, deviations: int, population: int,
                           tolerable_rate: float = DEFAULT_TOLERABLE_RATE,
                           confidence: float = DEFAULT_CONFIDENCE) -> tuple[SampleResult, float]:
    """The result judged with the finite-population bound, and the Clopper-Pearson bound beside it."""
    cp = evaluate_sample(sample_size, deviations, tolerable_rate, confidence)
    upper = hypergeometric_upper(deviations, sample_size, population, confidence)
    result = SampleResult(sample_size=cp.sample_size, deviations=cp.deviations, deviation_rate=cp.deviation_rate,
                          upper_bound=upper, tolerable_rate=cp.tolerable_rate, confidence=cp.confidence,
                          control_effective=upper <= cp.tolerable_rate)
    return result, cp.upper_bound
