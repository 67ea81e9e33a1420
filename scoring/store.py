"""Scorecards and inputs as plain JSON-able dicts, for storing them and reading them back.

A stored scorecard keeps every number the model computed (raw value, interval, n, province
value, shrunk value per indicator; deductions; score; rank and rank range) together with the
input counts, so a stored score is explained without recomputing and can be recomputed from
its own inputs and parameter version to the same numbers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, fields

from .compute import IndicatorResult, Scorecard
from .inputs import ScoringInput
from .model import INDICATOR_NAMES, INDICATORS

__all__ = ["input_to_dict", "input_from_dict", "card_to_dict", "card_from_dict", "canonical_json", "digest"]

_INPUT_FIELDS = tuple(f.name for f in fields(ScoringInput))


def input_to_dict(item: ScoringInput) -> dict:
    d = asdict(item)
    d["ratings"] = list(item.ratings)
    return d


def input_from_dict(data: Mapping) -> ScoringInput:
    """The inverse of :func:`input_to_dict`; unknown keys are refused, missing counts are 0."""
    unknown = set(data) - set(_INPUT_FIELDS)
    if unknown:
        raise ValueError(f"未知的评分输入字段：{', '.join(sorted(unknown))}")
    values = dict(data)
    if "ratings" in values:
        values["ratings"] = tuple(values["ratings"])
    return ScoringInput(**values)


def _indicator_to_dict(ind: IndicatorResult) -> dict:
    return {
        "raw": ind.raw, "n": ind.n, "interval": list(ind.interval) if ind.interval else None,
        "province": ind.province, "value": ind.value, "weight": ind.weight,
        "points_lost": ind.points_lost,
    }


def card_to_dict(card: Scorecard) -> dict:
    """Everything of a scorecard except the change column (it depends on another period)."""
    return {
        "platform_code": card.platform_code,
        "reported": card.reported,
        "score": card.score,
        "grade": card.grade,
        "rank": card.rank,
        "rank_range": list(card.rank_range) if card.rank_range else None,
        "deductions": dict(card.deductions),
        "indicators": {k: _indicator_to_dict(card.indicators[k]) for k in INDICATORS},
        "model_version": card.model_version,
    }


def card_from_dict(data: Mapping, change: float | None = None) -> Scorecard:
    inds = {}
    for key in INDICATORS:
        d = data["indicators"][key]
        interval = tuple(d["interval"]) if d.get("interval") else None
        inds[key] = IndicatorResult(key, INDICATOR_NAMES[key], float(d["weight"]), d["raw"], int(d["n"]),
                                    interval, d["province"], float(d["value"]))
    rng = data.get("rank_range")
    return Scorecard(
        platform_code=data["platform_code"],
        reported=bool(data["reported"]),
        indicators=inds,
        deductions=dict(data["deductions"]),
        score=data["score"],
        grade=data["grade"],
        rank=data["rank"],
        rank_range=(int(rng[0]), int(rng[1])) if rng else None,
        change=change,
        model_version=data["model_version"],
    )


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(value) -> str:
    """SHA-256 of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
