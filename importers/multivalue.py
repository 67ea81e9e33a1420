"""Multi-valued enumeration cells (证据类型, 特殊情形, 处置措施), vectorised.

Values are separated by ； ; ， , 、 or a line break (ledger.md "Values"). The normalised form
is the distinct values in the order the spec lists them, joined by columns.MULTI_SEP.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from importers.columns import MULTI_SEP

SEPARATORS = r"[；;，,、\r\n]"
SEPARATORS_TEXT = "分号（；或 ;）、逗号（，或 ,）、顿号（、）或换行"


@dataclass
class MultiValues:
    normalised: pd.Series  # str per row, "" when no value
    bits: np.ndarray  # int64 per row: bit i set when allowed[i] is present
    first_bad: pd.Series  # first value outside the list, only for rows that have one
    count: np.ndarray  # number of (non-empty) values per row, invalid ones included


def parse_multi(text: pd.Series, allowed: tuple[str, ...]) -> MultiValues:
    """`text`: trimmed cells with a RangeIndex. `allowed`: the spec's values, in order.

    A column holds few distinct cells (combinations of a few values): each distinct cell is
    parsed once and the results are spread over the rows."""
    n = len(text)
    codes, uniques = pd.factorize(text.to_numpy(dtype=object))
    if len(uniques) == n:
        return _parse_cells(text, allowed)
    parsed = _parse_cells(pd.Series(np.asarray(uniques, dtype=object), dtype=object), allowed)
    normalised = pd.Series(parsed.normalised.to_numpy(dtype=object)[codes], index=text.index, dtype=object)
    bad_of_unique = np.full(len(uniques), None, dtype=object)
    bad_of_unique[parsed.first_bad.index.to_numpy(dtype=np.int64)] = parsed.first_bad.to_numpy(dtype=object)
    bad_rows = np.flatnonzero(pd.notna(bad_of_unique)[codes]) if len(parsed.first_bad) else np.arange(0)
    first_bad = pd.Series(bad_of_unique[codes[bad_rows]], index=text.index[bad_rows], dtype=object)
    return MultiValues(normalised, parsed.bits[codes], first_bad, parsed.count[codes])


def _parse_cells(text: pd.Series, allowed: tuple[str, ...]) -> MultiValues:
    n = len(text)
    bits = np.zeros(n, dtype=np.int64)
    count = np.zeros(n, dtype=np.int64)
    filled = text[text != ""]
    if filled.empty:
        return MultiValues(pd.Series("", index=text.index, dtype=object), bits,
                           pd.Series([], dtype=object), count)
    tokens = filled.str.split(SEPARATORS, regex=True).explode().astype(str).str.strip()
    tokens = tokens[tokens != ""]
    positions = tokens.index.to_numpy(dtype=np.int64)
    np.add.at(count, positions, 1)

    code = tokens.map({value: i for i, value in enumerate(allowed)})
    bad = code.isna().to_numpy()
    bad_tokens = tokens[bad]
    first_bad = bad_tokens[~bad_tokens.index.duplicated()]

    good_codes = code[~bad].astype(np.int64).to_numpy()
    good_positions = positions[~bad]
    np.bitwise_or.at(bits, good_positions, np.left_shift(1, good_codes))

    unique_bits = np.unique(bits)
    names = {int(mask): MULTI_SEP.join(v for i, v in enumerate(allowed) if mask >> i & 1) for mask in unique_bits}
    normalised = pd.Series(bits, index=text.index).map(names).astype(object)
    return MultiValues(normalised, bits, first_bad, count)
