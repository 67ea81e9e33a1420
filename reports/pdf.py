"""HTML to PDF with WeasyPrint, for every document the office issues or exports.

Fonts come from the system's fontconfig (Debian ``fonts-noto-cjk``: Noto Serif CJK SC is the
Song-style face of official documents, Noto Sans CJK SC the Hei-style one) and are embedded as
subsets, so the text stays extractable as Chinese.

The URL fetcher only reads files under the roots the caller allows (the application's
``static/`` folder, typically) and inline ``data:`` URIs: nothing in a document, whatever a user
typed into it, can make the server fetch another address or read another file.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote, urlparse

import weasyprint
from weasyprint.urls import URLFetcher

#: Font stacks for templates: the Song-style face for bodies, the Hei-style for headings.
SONG_FONT = '"Noto Serif CJK SC", "Noto Serif CJK", "Source Han Serif SC", serif'
HEI_FONT = '"Noto Sans CJK SC", "Noto Sans CJK", "Source Han Sans SC", sans-serif'


class ForbiddenFetch(ValueError):
    """A document asked for a resource outside the allowed local files."""


class LocalOnlyFetcher(URLFetcher):
    """Serves ``file:`` URLs under the allowed roots and ``data:`` URIs; refuses everything else."""

    def __init__(self, allowed_roots=()):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = [Path(r).resolve() for r in allowed_roots]
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlparse(url).path)).resolve()
            if any(path == root or path.is_relative_to(root) for root in self.roots):
                return super().fetch(url, headers)
        self.refused.append(url)
        raise ForbiddenFetch(f"refused to fetch {url!r}: documents may only use the application's own files")


def render_pdf(html: str, *, base_dir: str | Path, allowed_roots=(), fetcher: LocalOnlyFetcher | None = None) -> bytes:
    """Render ``html`` to PDF bytes. Relative URLs resolve against ``base_dir``, which is always allowed."""
    base = Path(base_dir).resolve()
    fetcher = fetcher or LocalOnlyFetcher([base, *allowed_roots])
    document = weasyprint.HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
