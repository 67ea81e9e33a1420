"""The ``scores compute`` CSV of interfaces.md."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from .compute import Scorecard
from .model import INDICATORS
from .stats import display_round

__all__ = ["CSV_COLUMNS", "scores_csv"]

CSV_COLUMNS: tuple[str, ...] = ("platform_code", "score", "grade", "rank") + INDICATORS


def scores_csv(cards: Sequence[Scorecard]) -> bytes:
    """UTF-8 CSV (no BOM, ``\\n`` line ends) with a header line:
    ``platform_code,score,grade,rank,timeliness,correctness,feedback,process,complaints,
    rectification,satisfaction``.

    Rows in the given order (:func:`scoring.compute.compute_league` returns league
    order). Score and indicators (the values that enter the score) are rounded half-up to
    one decimal; a 未报送 row has its grade and empty score, rank and indicators.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for card in cards:
        if card.reported:
            indicators = [display_round(card.indicators[k].value) for k in INDICATORS]
            rank = "" if card.rank is None else str(card.rank)
        else:
            indicators = [""] * len(INDICATORS)
            rank = ""
        writer.writerow([card.platform_code, display_round(card.score), card.grade, rank, *indicators])
    return buf.getvalue().encode("utf-8")
