"""render_html: a well-formed HTML5 page with the article, figures, code language classes, the
meta box's arrays as lists, similar posts, and every piece of content escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from html_dom import MalformedHTML, Node, parse_html
from hypothesis import HealthCheck, given, settings
from post_strategies import posts

from synth import (
    BulletList,
    CodeBlock,
    Figure,
    ImageSource,
    Paragraph,
    Post,
    Section,
    SimilarPost,
    parse_text,
    render_html,
    synthesize,
)

SPECIMEN = parse_text((Path(__file__).parent / "specimens" / "anp-post-000679.txt").read_text())

SCRIPT = "<script>alert(1)</script>"
QUOTE_BREAKER = '" onerror="alert(1)'


def _page(post: Post) -> Node:
    html = render_html(post)
    root, doctype = parse_html(html)
    assert doctype is not None and doctype.lower() == "doctype html"
    assert html.startswith("<!doctype html>\n")
    return root


def _all_figures(post: Post) -> list[Figure]:
    blocks = list(post.lead) + [b for s in post.sections for b in s.blocks]
    return [b for b in blocks if isinstance(b, Figure)]


def _assert_safe(root: Node, post: Post) -> None:
    """No script elements, no event-handler attributes, only image URLs as external references."""
    assert root.find_all("script") == []
    image_urls = {f.url for f in _all_figures(post)}
    for node in root.iter():
        for name, value in node.attrs.items():
            assert not name.startswith("on"), (node.tag, name, value)
            if name in ("src", "href", "action", "formaction", "srcset", "poster"):
                assert value in image_urls, (node.tag, name, value)


def test_page_head_has_lang_charset_and_title() -> None:
    root = _page(SPECIMEN)
    html = root.find("html")
    assert html.attrs["lang"] == "en"
    assert {"charset": "utf-8"} in [m.attrs for m in root.find_all("meta")]
    assert root.find("title").text() == SPECIMEN.title
    seeds = [m.attrs["content"] for m in root.find_all("meta") if m.attrs.get("name") == "anp:seed"]
    assert seeds == ["679"]


def test_article_holds_title_intro_sections_and_final_notes() -> None:
    article = _page(SPECIMEN).find("article")
    assert article.find("h1").text() == SPECIMEN.title
    assert article.find("p", "intro").text() == SPECIMEN.intro
    headings = [h.text() for h in article.find_all("h2")]
    assert headings == [s.heading for s in SPECIMEN.sections] + [
        "final notes",
        "alphanode post meta",
    ]
    assert article.find("section", "final-notes").find("p").text() == SPECIMEN.final_notes


def test_figures_have_img_and_figcaption_with_caption_and_source() -> None:
    root = _page(SPECIMEN)
    figures = root.find_all("figure")
    expected = _all_figures(SPECIMEN)
    assert len(figures) == len(expected) == 5
    for node, figure in zip(figures, expected, strict=True):
        img = node.find("img")
        assert img.attrs["src"] == figure.url
        assert img.attrs["alt"] == figure.caption
        caption = node.find("figcaption").text()
        assert caption == f"{figure.caption} image source: {figure.source}"


def test_code_blocks_carry_their_language_class_and_exact_code() -> None:
    codes = _page(SPECIMEN).find_all("code")
    assert len(codes) == 1
    assert codes[0].attrs["class"] == "language-python"
    block = SPECIMEN.sections[0].blocks[-1]
    assert isinstance(block, CodeBlock)
    assert codes[0].text() == block.code
    assert all(n.tag == "pre" for n in _page(SPECIMEN).iter() if code_parent(n))


def code_parent(node: Node) -> bool:
    return any(isinstance(c, Node) and c.tag == "code" for c in node.children)


def test_body_bullet_list_is_a_ul() -> None:
    section = _page(SPECIMEN).find("article").find_all("section")[2]
    items = [li.text() for li in section.find("ul").find_all("li")]
    assert items == SPECIMEN.meta.checklist


@pytest.mark.parametrize("field", ["stack", "tools", "checklist", "notes"])
def test_meta_arrays_render_as_lists(field: str) -> None:
    dd = _page(SPECIMEN).find("dd", f"meta-{field.replace('_', '-')}")
    assert [li.text() for li in dd.find("ul").find_all("li")] == getattr(SPECIMEN.meta, field)


@pytest.mark.parametrize("field", ["entities", "image_sources"])
def test_meta_record_arrays_render_as_lists_of_definition_lists(field: str) -> None:
    dd = _page(SPECIMEN).find("dd", f"meta-{field.replace('_', '-')}")
    records = getattr(SPECIMEN.meta, field)
    items = [li for li in dd.find("ul").elements() if li.tag == "li"]
    assert len(items) == len(records)
    for li, record in zip(items, records, strict=True):
        terms = [dt.text() for dt in li.find_all("dt")]
        values = [dd.text() for dd in li.find_all("dd")]
        assert terms == [name.replace("_", " ") for name in type(record).model_fields]
        assert values == [str(getattr(record, name)) for name in type(record).model_fields]


def test_meta_keyed_groups_render_as_definition_lists() -> None:
    dl = _page(SPECIMEN).find("dd", "meta-flags").find("dl")
    terms = [t.text() for t in dl.find_all("dt")]
    pairs = dict(zip(terms, [v.text() for v in dl.find_all("dd")], strict=True))
    assert pairs == {
        "ai generated style": "1",
        "has images": "1",
        "image heavy": "1",
        "needs human review": "0",
    }
    payload = _page(SPECIMEN).find("dd", "meta-payload")
    assert "generator version" not in [t.text() for t in payload.find_all("dt")]


def test_similar_posts_are_listed() -> None:
    post = SPECIMEN.model_copy(
        update={"similar_posts": [SimilarPost(title="one", reference="anp-ref-000001-0001")]}
    )
    section = _page(post).find("section", "similar-posts")
    assert [li.text() for li in section.find_all("li")] == ["one (anp-ref-000001-0001)"]


def _hostile_post() -> Post:
    figure = Figure(caption=QUOTE_BREAKER, source=SCRIPT, url="javascript:alert(1)")
    good = Figure(caption="ok", source="unsplash", url='https://x.test/a.png?a=1&b="2"')
    meta = SPECIMEN.meta.model_copy(
        update={
            "image_sources": [
                ImageSource(source=f.source, url=f.url, caption=f.caption) for f in (figure, good)
            ],
            "tools": [SCRIPT, "a & b"],
            "summary": QUOTE_BREAKER,
            "reference": f"ref{SCRIPT}",
            "code_language": '"><script>',
        }
    )
    return SPECIMEN.model_copy(
        update={
            "breadcrumb": SCRIPT,
            "title": f"{SCRIPT} & <b>bold</b>",
            "intro": "<img src=x onerror=alert(1)>.",
            "lead": [figure, good],
            "sections": [
                Section(
                    heading=f"<h1>{SCRIPT}",
                    blocks=[
                        Paragraph(text="</p><iframe src=//evil.test></iframe>."),
                        CodeBlock(language='"><script>', code="</code></pre><script>x()</script>"),
                        BulletList(items=["<li>", "&amp;"]),
                    ],
                )
            ],
            "meta": meta,
            "similar_posts": [SimilarPost(title=SCRIPT, reference="</li>")],
        }
    )


def test_injection_strings_are_escaped_and_come_back_as_text() -> None:
    post = _hostile_post()
    root = _page(post)
    _assert_safe(root, post)
    assert root.find("title").text() == post.title
    assert root.find("nav", "breadcrumb").text() == SCRIPT
    assert root.find("p", "intro").text() == post.intro
    assert root.find("code").text() == "</code></pre><script>x()</script>"
    assert root.find_all("iframe") == []
    assert [li.text() for li in root.find("dd", "meta-tools").find_all("li")] == [SCRIPT, "a & b"]
    assert root.find("section", "similar-posts").find("li").text() == f"{SCRIPT} (</li>)"


def test_non_http_image_urls_are_not_loaded() -> None:
    root = _page(_hostile_post())
    imgs = root.find_all("img")
    assert "src" not in imgs[0].attrs
    assert imgs[0].attrs["data-blocked-src"] == "javascript:alert(1)"
    assert imgs[0].attrs["alt"] == QUOTE_BREAKER
    assert imgs[1].attrs["src"] == 'https://x.test/a.png?a=1&b="2"'


def test_the_checker_rejects_a_broken_page() -> None:
    with pytest.raises(MalformedHTML):
        parse_html("<article><p>x</article>")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(posts())
def test_any_post_gives_a_well_formed_safe_page(post: Post) -> None:
    root = _page(post)
    _assert_safe(root, post)
    assert root.find("title").text() == post.title
    assert root.find("h1").text() == post.title


@pytest.mark.parametrize("seed", [0, 1, 679, 12345, 2**63 - 1])
@pytest.mark.parametrize("size", [None, "xl"])
def test_synthesized_posts_give_well_formed_pages(seed: int, size: str | None) -> None:
    post = synthesize(seed, size=size)
    root = _page(post)
    _assert_safe(root, post)
    assert len(root.find_all("figure")) == len(post.meta.image_sources)
    languages = {c.attrs["class"] for c in root.find_all("code")}
    assert languages <= {f"language-{post.meta.code_language}"}
