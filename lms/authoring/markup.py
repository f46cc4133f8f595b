"""Markdown to safe HTML: CommonMark with tables, raw HTML sanitized against an allowlist.

Pure: no Flask, no database. Everything an author writes passes through here before a
learner's browser sees it, so scripts, event handlers, ``javascript:`` links, iframes and
scripted SVG end up inert.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache

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


# Building a parser (its rule chains and patterns) costs more than rendering a question's
# option with it, so each thread builds one and keeps it (a thread of its own: the library
# does not promise that one parser may serve several threads at once).
_parsers = threading.local()


def _shared_parser() -> MarkdownIt:
    found: MarkdownIt | None = getattr(_parsers, "parser", None)
    if found is None:
        found = _parsers.parser = _parser()
    return found


def render_markdown(text: str, rewrite_url: Callable[[str], str] | None = None) -> str:
    """Render author Markdown to sanitized HTML; ``rewrite_url`` maps package paths to URLs."""
    html = _shared_parser().render(text)
    return sanitize_html(html, rewrite_url)


@lru_cache(maxsize=8192)  # prompts and options of the quizzes in use: a few KB each at most
def render_inline(text: str) -> str:
    """Render a short Markdown fragment (a question prompt, an option) without a wrapping <p>.

    Pure, and asked again for the same fragments each time an attempt is shown, so the
    answers are kept (per process, the least recently used out)."""
    html = _shared_parser().renderInline(text)
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
        # a filter is called back for every attribute: only when there is something to map
        attribute_filter=attribute_filter if rewrite_url is not None else None,
        strip_comments=True,
    )


def link_targets(text: str) -> list[tuple[int, str]]:
    """Every link and image target in Markdown source, with its 1-based line number."""
    found: list[tuple[int, str]] = []
    for token in _shared_parser().parse(text):
        line = (token.map[0] + 1) if token.map else 0
        for child in token.children or []:
            if child.type == "link_open":
                found.append((line, str(child.attrs.get("href", ""))))
            elif child.type == "image":
                found.append((line, str(child.attrs.get("src", ""))))
    return found
