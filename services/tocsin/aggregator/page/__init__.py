"""The aggregator's dashboard page: one self-contained HTML file, served at ``GET /``.

The page (``dashboard.html`` beside this module) reads the JSON API with fetch() and
builds its tables with DOM calls that treat every value as text, so a statement, which
is untrusted input, never becomes markup. As a second line of defence the answer's
Content-Security-Policy lets only the page's own inline ``<style>`` and ``<script>``
run (allowed by hash) and lets it talk to its own origin only.

The file is read once, when the application is built: a package that lost it fails at
start-up, not on the first visit.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Final

from fastapi.responses import Response

PAGE_FILE: Final = "dashboard.html"
# The page's inline blocks. It is our own file, so regular expressions are enough;
# comments go first, so that a tag named in a comment is not taken for a block.
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_INLINE = re.compile(r"<(script|style)\b[^>]*>(.*?)</\1\s*>", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Page:
    """A static HTML page and the headers it is served with."""

    html: bytes
    headers: MappingProxyType[str, str]

    def response(self) -> Response:
        """A fresh response carrying the page."""
        return Response(
            self.html, media_type="text/html; charset=utf-8", headers=dict(self.headers)
        )


def content_security_policy(html: str) -> str:
    """A policy allowing ``html``'s own inline scripts and styles (by hash) and nothing else
    outside its origin."""
    hashes: dict[str, list[str]] = {"script": [], "style": []}
    for tag, body in _INLINE.findall(_COMMENT.sub("", html)):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes[tag.lower()].append(f"'sha256-{digest}'")
    scripts = " ".join(hashes["script"]) or "'none'"
    styles = " ".join(hashes["style"]) or "'none'"
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {scripts}",
            f"style-src {styles}",
            "connect-src 'self'",
            # The page's icon is an empty data: URL, so the browser asks no one for one.
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


def dashboard_page() -> Page:
    """The dashboard page as shipped in this package."""
    html = resources.files(__name__).joinpath(PAGE_FILE).read_text(encoding="utf-8")
    headers = {
        "Content-Security-Policy": content_security_policy(html),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        # Small and served from memory: always fetch the current version.
        "Cache-Control": "no-cache",
    }
    return Page(html.encode("utf-8"), MappingProxyType(headers))
