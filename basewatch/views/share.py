"""What the share box hands out besides the link: the embed snippet, with a fallback for a sleeping app."""

from __future__ import annotations

import html
import re

from basewatch.i18n import _

EMBED_HEIGHT = 720


def _css_url(url: str) -> str:
    """A URL safe inside CSS `url('...')` in an HTML attribute (quotes, parentheses, spaces, backslashes encoded)."""
    return re.sub(r"[\s'\"()\\]", lambda m: f"%{ord(m.group(0)):02X}", url)


def embed_snippet(src: str, title: str, link: str | None = None, image: str | None = None) -> str:
    """An <iframe> showing `src` (a view's embed link) without sidebar or menu.

    With the view's `link` and preview `image`, it is a figure whose frame shows the preview image until the
    app has drawn over it (a sleeping or unreachable app leaves the frame blank: the reader sees the view's
    image instead), captioned with a link to the view.
    """
    frame = (f'<iframe src="{html.escape(src)}" width="100%" height="{EMBED_HEIGHT}" title="{html.escape(title)}" '
             f'style="border:0{_background(image)}" loading="lazy"></iframe>')
    if not (link and image):
        return frame
    open_view = html.escape(_("open the view"))
    caption = (f'<figcaption style="font:14px/1.4 sans-serif;margin-top:4px"><a href="{html.escape(link)}">'
               f'<img src="{html.escape(image)}" alt="" width="48" height="25" style="vertical-align:middle;'
               f'border:1px solid #ccc"> {html.escape(title)} — {open_view} ↗</a></figcaption>')
    return f'<figure style="margin:0;max-width:100%">{frame}{caption}</figure>'


def _background(image: str | None) -> str:
    if not image:
        return ""
    return f";display:block;background:#fff url('{html.escape(_css_url(image))}') center top/contain no-repeat"
