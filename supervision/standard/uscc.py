"""统一社会信用代码 (unified social credit code) per GB 32100-2015.

18 characters: registration authority (1), organisation type (1), administrative division
(6 digits), organisation code (9), check character (1). Characters are drawn from
0-9 and the capital letters without I, O, Z, S, V; the check character makes the weighted sum
of all 18 code values ≡ 0 (mod 31).
"""
from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Return a Chinese description of what is wrong with ``code``, or None when it is valid."""
    if code is None or code == "":
        return "统一社会信用代码不能为空。"
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，当前为 {len(code)} 位。"
    for i, ch in enumerate(code, start=1):
        if ch not in VALUES:
            return f"统一社会信用代码第 {i} 位“{ch}”不是允许的字符（数字或除 I、O、Z、S、V 外的大写字母）。"
    if not code[2:8].isdigit():
        return "统一社会信用代码第 3–8 位应为行政区划码（6 位数字）。"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：按 GB 32100-2015 计算，第 18 位应为“{expected}”，填写的是“{code[17]}”。"
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None
