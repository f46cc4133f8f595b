"""Author Markdown and HTML come out sanitized, whatever they hold."""

from __future__ import annotations

import re
import threading

from hypothesis import given
from hypothesis import strategies as st

from lms.authoring.markup import link_targets, render_inline, render_markdown

DANGEROUS = st.sampled_from(
    [
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[a](javascript:alert(1))",
        "<a href='jAvAsCrIpT:alert(1)'>x</a>", "<svg onload=alert(1)>", "<iframe src=//evil>",
        "<style>body{}</style>", "<object data=x>", "<a href=\"data:text/html,<script>\">d</a>",
        "<div onmouseover='x'>hover</div>", "<math><mi xlink:href='javascript:1'>",
        "**bold**", "| a | b |\n|---|---|\n| 1 | 2 |", "![i](img.png)", "<details><summary>s",
    ]
)  # fmt: skip
EVENT_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


@given(st.lists(st.one_of(DANGEROUS, st.text(max_size=30)), max_size=8))
def test_rendered_markdown_never_carries_scripts(parts: list[str]):
    html = render_markdown("\n".join(parts))
    lowered = html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<svg" not in lowered
    assert "<style" not in lowered and "<object" not in lowered
    assert not EVENT_ATTRIBUTE.search(html)
    for tag in re.findall(r"<[a-z][^>]*>", lowered):  # real tags only; escaped text is inert
        assert not re.search(r"(href|src)\s*=\s*[\"']?\s*(javascript|data|vbscript):", tag)


@given(st.text(max_size=200))
def test_inline_rendering_and_link_listing_never_raise(text: str):
    assert "<p>" not in render_inline(text)
    for line, _target in link_targets(text):
        assert line >= 0


def test_tables_and_links_survive_and_gain_safe_rel():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n[site](https://example.org)")
    assert "<table>" in html and 'rel="noopener noreferrer"' in html


def test_a_fragment_renders_the_same_every_time_and_in_every_thread():
    """Fragments are remembered and each thread keeps its own parser: neither changes what
    comes out, and a remembered answer is as clean as a fresh one."""
    fragments = [
        "Option **one**",
        "A [link](javascript:alert(1)) and <img src=x onerror=alert(1)>",
        "<script>alert(1)</script>`code`",
        "Cuál es la *respuesta* correcta?",
    ]
    fresh = [render_inline.__wrapped__(text) for text in fragments]
    assert [render_inline(text) for text in fragments] == fresh
    assert [render_inline(text) for text in fragments] == fresh  # remembered
    assert all("<script" not in html and "onerror" not in html for html in fresh)
    assert 'href="javascript' not in fresh[1]  # left as inert text, never a link

    documents = [f"# Part {n}\n\n{text}\n\n- a\n- b" for n, text in enumerate(fragments)]
    expected = [render_markdown(doc) for doc in documents]
    results: list[list[str]] = []

    def render_all() -> None:
        results.append([render_markdown(doc) for doc in documents * 5][: len(documents)])

    threads = [threading.Thread(target=render_all) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [expected] * 8
