"""Markdown to safe HTML: CommonMark with tables, raw HTML sanitized against an allowlist.

Pure: no Flask, no database. Everything an author writes passes through here before a
learner's browser sees it, so scripts, event handlers, ``javascript:`` links, iframes and
scripted SVG end up inert.
"""

from __future__ import annotations

from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
    "dd", "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre",
    "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul", "audio", "video", "source", "track",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"title", "lang", "dir", "class"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
    "audio": {"src", "controls", "preload"},
    "video": {"src", "controls", "preload", "poster", "width", "height"},
    "source": {"src", "type"},
    "track": {"src", "kind", "srclang", "label", "default"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")


def render_markdown(text: str, rewrite_url: Callable[[str], str] | None = None) -> str:
    """Render author Markdown to sanitized HTML; ``rewrite_url`` maps package paths to URLs."""
    html = _parser().render(text)
    return sanitize_html(html, rewrite_url)


def render_inline(text: str) -> str:
    """Render a short Markdown fragment (a question prompt, an option) without a wrapping <p>."""
    html = _parser().renderInline(text)
    return sanitize_html(html)


def sanitize_html(html: str, rewrite_url: Callable[[str], str] | None = None) -> str:
    """Keep only allowlisted tags, attributes and URL schemes."""

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr in {"href", "src", "poster"} and rewrite_url is not None:
            return rewrite_url(value)
        return value

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=attribute_filter,
        strip_comments=True,
    )


def link_targets(text: str) -> list[tuple[int, str]]:
    """Every link and image target in Markdown source, with its 1-based line number."""
    md = _parser()
    found: list[tuple[int, str]] = []
    for token in md.parse(text):
        line = (token.map[0] + 1) if token.map else 0
        for child in token.children or []:
            if child.type == "link_open":
                found.append((line, str(child.attrs.get("href", ""))))
            elif child.type == "image":
                found.append((line, str(child.attrs.get("src", ""))))
    return found
