"""The notice as a document (reports.notice, no app): GB/T 9704-2012 geometry read back from the
PDF, embedded fonts, extractable Chinese text, escaping and the local-only fetcher."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from reports import notice as documents
from reports import pdf
from supervision.standard import notices as std

MM = 72 / 25.4
PAGE_W, PAGE_H = 595.276, 841.89
LEFT, RIGHT, TOP, BOTTOM = 28 * MM, 26 * MM, 37 * MM, 35 * MM  # odd pages; even pages mirror left/right
LINE = 28.95  # 225 mm / 22 lines, rounded down as in Word's 公文 templates


def _doc(n_items: int = 24, n_findings: int = 60, **overrides) -> documents.NoticeDocument:
    codes = list(std.DEFAULT_REQUIREMENTS)[:n_items]
    items = [documents.DocItem(std.chinese_ordinal(i + 1), code, f"问题名称{i + 1}", 3,
                               std.item_facts([f"YF-2026-{i:04d}{k}" for k in range(3)], 3),
                               std.default_requirement(code)) for i, code in enumerate(codes)]
    findings = [documents.FindingRow(f"YF-2026-{k:06d}", "2026-09", codes[k % len(codes)], "问题名称", "较重")
                for k in range(n_findings)]
    values = dict(authority="浙江省互联网信息办公室", title=std.default_title("云帆社区"), addressee="云帆社区",
                  preamble=[std.default_preamble("2026年第三季度全面检查", "2026-07", "2026-09")], items=items,
                  deadline_text="2026年12月11日前", contact_name="张检查", contact_phone="0571-87654321",
                  findings=findings, number="浙网信办〔2026〕12号", date_text="2026年11月22日")
    values.update(overrides)
    return documents.NoticeDocument(**values)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("notice") / "notice.pdf"
    path.write_bytes(documents.render_document_pdf(_doc()))
    return path


def _run(*args) -> str:
    return subprocess.run(list(args), check=True, capture_output=True, text=True).stdout


def _lines(path: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, text) of each text line on a page, top to bottom."""
    xml = _run("pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(path), "-")
    out = []
    for m in re.finditer(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>',
                         xml, flags=re.S):
        words = "".join(re.findall(r">([^<]+)</word>", m.group(5)))
        out.append((*map(float, m.groups()[:4]), words))
    return out


def test_a4_pages_and_embedded_fonts(rendered):
    info = _run("pdfinfo", str(rendered))
    assert re.search(r"Page size:\s+595\.2\d* x 841\.8\d* pts \(A4\)", info), info
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 4
    fonts = _run("pdffonts", str(rendered)).splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\s+yes\b", row) for row in fonts), fonts  # emb, sub, uni
    names = " ".join(fonts)
    assert "Noto-Serif-CJK-SC" in names and "Noto-Sans-CJK-SC" in names


def test_text_comes_back_as_chinese(rendered):
    text = "".join(_run("pdftotext", str(rendered), "-").split())
    for expected in ("浙江省互联网信息办公室文件", "浙网信办〔2026〕12号", "关于云帆社区网络侵权信息举报处置问题限期整改的通知",
                     "云帆社区：", "2026年12月11日前完成整改", "附件：问题清单", "2026年11月22日", "YF-2026-000059",
                     "联系人：张检查；联系电话：0571-87654321"):
        assert expected in text, expected


def test_first_page_layout_follows_gbt_9704(rendered):
    lines = _lines(rendered, 1)
    mark, number, *rest = lines
    assert mark[4] == "浙江省互联网信息办公室文件"
    # the mark 35 mm under the top of the text block, centred, spanning most of its width
    assert abs(mark[1] - (TOP + 35 * MM)) < 6
    assert abs((mark[0] + mark[2]) / 2 - (LEFT + (PAGE_W - LEFT - RIGHT) / 2)) < 2
    assert mark[2] - mark[0] > 0.85 * (PAGE_W - LEFT - RIGHT)
    assert number[4] == "浙网信办〔2026〕12号" and abs((number[0] + number[2]) / 2 - (LEFT + 442.2 / 2)) < 2
    assert number[1] - mark[3] > 2 * LINE - 6  # two blank lines between mark and number
    addressee = next(line for line in rest if line[4] == "云帆社区：")
    assert abs(addressee[0] - LEFT) < 0.5  # flush with the 28 mm binding margin
    body = [line for line in rest[:-1] if line[1] > addressee[1]]  # the last line is the page number
    assert abs(body[0][0] - (LEFT + 32)) < 0.5  # first line indented two characters
    full = [line for line in body if abs(line[0] - LEFT) < 0.5 and abs(line[2] - (PAGE_W - RIGHT)) < 1.0]
    assert full, "no full body line"
    assert all(len(line[4]) == 28 for line in full if re.fullmatch(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+",
                                                                    line[4]))
    pitches = {round(b[1] - a[1], 2) for a, b in zip(body, body[1:])}
    assert pitches == {28.95}, pitches  # Word's fixed 28.95 pt: 22 lines fill the 225 mm block
    assert 22 * 28.95 <= 225 * MM < 23 * 28.95


def test_body_pages_have_22_lines_and_mirror_margins(rendered):
    for page in (2, 3):
        lines = _lines(rendered, page)
        folio, body = lines[-1], lines[:-1]
        assert len(body) == 22, [line[4] for line in body]
        left = LEFT if page % 2 else RIGHT  # the binding side alternates (double-sided print)
        assert min(line[0] for line in body) == pytest.approx(left, abs=0.5)
        assert body[0][1] == pytest.approx(TOP, abs=4)  # first line at the top of the text block
        assert body[-1][3] <= PAGE_H - BOTTOM + 1
        # page number: "— n —" 7 mm under the text block, outside edge one character in
        assert re.fullmatch(r"—\d+—", folio[4])
        assert folio[1] == pytest.approx(PAGE_H - BOTTOM + 7 * MM, abs=1.5)
        if page % 2:
            assert folio[2] == pytest.approx(PAGE_W - RIGHT - 14, abs=1.5)
        else:
            assert folio[0] == pytest.approx(RIGHT + 14, abs=1.5)


def test_signature_date_and_attachment_page(rendered):
    pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(rendered))).group(1))
    for page in range(1, pages + 1):
        lines = _lines(rendered, page)
        texts = [line[4] for line in lines]
        if "2026年11月22日" in texts:
            break
    date_line = lines[texts.index("2026年11月22日")]
    sign = lines[texts.index("浙江省互联网信息办公室")]
    right_edge = PAGE_W - (RIGHT if page % 2 else LEFT)
    assert date_line[2] == pytest.approx(right_edge - 4 * 16, abs=2)  # 右空四字
    assert (sign[0] + sign[2]) / 2 == pytest.approx((date_line[0] + date_line[2]) / 2, abs=1.5)  # centred on it
    note = next(line for line in lines if line[4] == "附件：问题清单")
    assert sign[1] - note[3] > 2 * LINE  # room for the seal
    attachment = _lines(rendered, page + 1)
    assert attachment[0][4] == "附件" and attachment[0][1] == pytest.approx(TOP, abs=4)
    assert attachment[1][4] == "问题清单"


def test_values_are_escaped_and_nothing_outside_is_fetched(tmp_path):
    hostile = '<img src="http://127.0.0.1:9/x">'
    css = "</style><style>body{background:url(http://127.0.0.1:9/css)}</style>"
    doc = _doc(n_items=2, n_findings=2, contact_name=hostile, title="通知" + css, addressee=hostile,
               preamble=['<link rel="stylesheet" href="http://127.0.0.1:9/s.css">'])
    html = documents.render_html(doc)
    assert hostile not in html and "<style>body" not in html and "http://127.0.0.1:9/s.css\">" not in html
    assert "&lt;img src=&#34;http://127.0.0.1:9/x&#34;&gt;" in html

    class Spy(pdf.LocalOnlyFetcher):
        def __init__(self, roots):
            super().__init__(roots)
            self.asked: list[str] = []

        def fetch(self, url, headers=None):
            self.asked.append(url)
            return super().fetch(url, headers)

    spy = Spy([documents.STATIC_DIR])
    data = documents.render_document_pdf(doc, fetcher=spy)
    assert data.startswith(b"%PDF") and spy.refused == []
    assert spy.asked == [(documents.STATIC_DIR / documents.CSS_PATH).resolve().as_uri()]
    (tmp_path / "x.pdf").write_bytes(data)
    assert "127.0.0.1:9/x" in _run("pdftotext", str(tmp_path / "x.pdf"), "-")  # printed as text
    # the same markup unescaped would have been fetched: the spy sees (and refuses) it
    raw = Spy([documents.STATIC_DIR])
    pdf.render_pdf(f"<p>{hostile}</p>", base_dir=documents.STATIC_DIR, fetcher=raw)
    assert raw.refused == ["http://127.0.0.1:9/x"]


def test_draft_watermark_and_placeholders(tmp_path):
    doc = _doc(n_items=3, n_findings=3, number=None, date_text=None, draft=True, deadline_text="签发后15个工作日内")
    html = documents.render_html(doc)
    assert 'class="watermark"' in html and "〔　　〕号（签发时编号）" in html and "（签发日期）" in html
    assert 'class="watermark"' not in documents.render_html(_doc(n_items=1, n_findings=1))


def test_escalation_document_uses_the_same_layout(tmp_path):
    doc = documents.EscalationDocument(authority="浙江省互联网信息办公室", kind="约谈", title="关于约谈甲平台有关负责人的通知",
                                       addressee="甲平台", paragraphs=["第一段。", "第二段。"], date_text="2026年12月20日",
                                       number="浙网信办约〔2026〕1号")
    path = tmp_path / "e.pdf"
    path.write_bytes(documents.render_document_pdf(doc))
    lines = _lines(path, 1)
    texts = [line[4] for line in lines]
    assert texts[:2] == ["浙江省互联网信息办公室文件", "浙网信办约〔2026〕1号"]
    assert "关于约谈甲平台有关负责人的通知" in texts and "第二段。" in texts and "2026年12月20日" in texts
    assert "附件" not in "".join(texts)


def test_stylesheet_uses_the_shared_font_stacks():
    css = (documents.STATIC_DIR / documents.CSS_PATH).read_text(encoding="utf-8")
    assert pdf.SONG_FONT in css and pdf.HEI_FONT in css
    stacks = set(re.findall(r"font-family:\s*([^;]+);", css))
    assert stacks == {pdf.SONG_FONT, pdf.HEI_FONT}
    sizes = re.findall(r"\.mark-n(\d+) \{ font-size: ([\d.]+)pt", css)
    assert [int(n) for n, _ in sizes] == list(std.MARK_SIZES)
