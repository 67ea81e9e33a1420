"""统一社会信用代码 check per GB 32100-2015 (pure, no Flask)."""
import pytest

from supervision.standard.uscc import ALPHABET, check_character, is_valid, problem

REAL_CODES = ["91110108551385082Q", "91440300708461136T", "91350100M000100Y43"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_published_codes_are_valid(code):
    assert is_valid(code)
    assert check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL_CODES)
def test_every_single_character_corruption_is_rejected(code):
    for pos in range(18):
        for ch in ALPHABET:
            if ch == code[pos]:
                continue
            corrupted = code[:pos] + ch + code[pos + 1:]
            assert not is_valid(corrupted), corrupted


def test_messages_say_what_is_wrong():
    assert "18 位" in problem("9111010855138508")
    assert "第 9 位“O”" in problem("91110108O51385082Q")
    msg = problem("91110108551385082A")
    assert "校验位错误" in msg and "应为“Q”" in msg
    assert "不能为空" in problem("")
    assert "行政区划" in problem("91AB0108551385082Q")
