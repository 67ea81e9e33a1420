"""Checks on an .xlsx container before any parsing: encrypted workbooks and zip bombs.

An .xlsx is a zip archive. Its central directory states each entry's compressed and
uncompressed size, so a bomb (a few MB that inflate to many GB) is refused by reading the
directory alone, without inflating anything.
"""
from __future__ import annotations

import io
import zipfile

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and legacy .xls files

MAX_ENTRIES = 10_000
MAX_TOTAL_UNCOMPRESSED = 4 * 1024 ** 3  # 4 GiB: a 1,000,000-row ledger inflates to about 2 GiB
MAX_RATIO = 300  # real worksheets compress 10–60 times; bombs 1,000 times and more
RATIO_FLOOR = 16 * 1024 ** 2  # small entries may compress extremely well without harm


class ContainerError(ValueError):
    """The file is not an acceptable .xlsx container; the message is Chinese."""


def check_xlsx_container(data: bytes) -> None:
    if data.startswith(OLE_SIGNATURE):
        raise ContainerError("Excel 文件设置了打开密码（已加密），或是旧版 .xls 格式：请取消密码保护并另存为 .xlsx 后重新上传")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        raise ContainerError("无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式（请用 Excel 或 WPS 另存为 .xlsx）") from None
    if len(entries) > MAX_ENTRIES:
        raise ContainerError(f"Excel 文件内部包含 {len(entries)} 个部件，超过上限 {MAX_ENTRIES}，拒绝读取")
    total = sum(e.file_size for e in entries)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise ContainerError(f"Excel 文件解压后约 {total / 1024 ** 3:.1f} GB，超过上限 "
                             f"{MAX_TOTAL_UNCOMPRESSED / 1024 ** 3:.0f} GB，疑似压缩炸弹，拒绝读取")
    for e in entries:
        if e.file_size > RATIO_FLOOR and e.file_size > MAX_RATIO * max(e.compress_size, 1):
            raise ContainerError(f"Excel 文件中的“{e.filename}”压缩比异常（{e.file_size // max(e.compress_size, 1)} 倍），"
                                 "疑似压缩炸弹，拒绝读取")
