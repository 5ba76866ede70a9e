"""How a build writes its pages as they come (generator/render/shell.py Writer)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.render.docs import DocPage, Fence, StaticFile, no_two_alike
from generator.render.errors import RenderError
from generator.render.reuse import Reused
from generator.render.shell import CONTENT, DIAGRAM, HEAD, TITLE, Shell, Writer

BASE = "https://example.gov.cn/"


def _shell(level: int) -> Shell:
    url = "gs-shell/" + "s/" * (level - 1)
    text = (f'<html><head><title>{TITLE}</title><link rel="canonical" href="{BASE}{url}">'
            f'{HEAD}</head><body><a href="{"../" * level}">首页</a>{CONTENT}</body></html>')
    return Shell(text, BASE + url, url)


def test_fillable_pages_are_written_and_others_kept(tmp_path: Path) -> None:
    writer = Writer(tmp_path, {3: _shell(3)}, frozenset({"decisions/index.md"}), BASE)
    filled = DocPage("decisions/2025/a.md", "甲", ("<h1>甲</h1>",))
    deep = DocPage("decisions/x/y/z.md", "乙", ("<h1>乙</h1>",))
    fenced = DocPage("procedures/p.md", "丙", ("<h1>丙</h1>", Fence("mermaid", "graph TD")))
    in_nav = DocPage("decisions/index.md", "执法决定", ("<h1>执法决定</h1>",))
    data = StaticFile("data/a.json", '{"名称": "甲"}')
    part = writer.write([filled, deep, fenced, in_nav, data])
    assert part.kept == [deep, fenced, in_nav]
    assert [w.src for w in part.written] == [
        "decisions/2025/a.md", "decisions/x/y/z.md", "procedures/p.md", "decisions/index.md",
        "data/a.json"]
    html = (tmp_path / "decisions/2025/a/index.html").read_text(encoding="utf-8")
    assert "<title>甲</title>" in html and f'href="{BASE}decisions/2025/a/"' in html
    assert '<a href="../../..">首页</a><h1>甲</h1>' in html
    assert (tmp_path / "data/a.json").read_text(encoding="utf-8") == '{"名称": "甲"}'
    assert not (tmp_path / "decisions/x").exists()


def test_files_of_new_folders_end_in_their_folders_and_nothing_else_is_left(
        tmp_path: Path) -> None:
    """Files whose folder is new are written flat first and moved at the end of the part:
    after each part, every file is in its folder with its bytes, whether its folder is new,
    made by the part before, or there before the build; no flat folder is left."""
    (tmp_path / "data").mkdir()
    writer = Writer(tmp_path, {3: _shell(3)}, frozenset(), BASE)
    first = [DocPage(f"decisions/2025/d{n}.md", f"第{n}件", (f"<h1>{n}</h1>",)) for n in range(5)]
    writer.write([*first, StaticFile("data/a.json", "1"), StaticFile("data/b.json", "2"),
                  StaticFile("data/new/c.json", "3")])
    writer.write([DocPage("decisions/2025/d5.md", "第5件", ("<h1>5</h1>",)),
                  StaticFile("data/new/d.json", "4")])
    for n in range(6):
        html = (tmp_path / f"decisions/2025/d{n}/index.html").read_text(encoding="utf-8")
        assert f"<title>第{n}件</title>" in html and f"<h1>{n}</h1>" in html
    assert [(tmp_path / f"data/{name}").read_text() for name in
            ("a.json", "b.json", "new/c.json", "new/d.json")] == ["1", "2", "3", "4"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "decisions"]


def test_two_outputs_at_one_path_stop_the_build() -> None:
    with pytest.raises(RenderError, match=re.escape("two pages would be written to a/b.md")):
        no_two_alike(["a/b.md", "c.md", "a/b.md"])


def test_outputs_left_as_published_are_listed_not_written(tmp_path: Path) -> None:
    """A page or file left as published crosses back from the worker as its source and its
    file only; a page of the nav cannot be left so (mkdocs renders those)."""
    from generator.render.reuse import Reused

    writer = Writer(tmp_path, {3: _shell(3)}, frozenset({"decisions/index.md"}), BASE)
    part = writer.write([Reused("decisions/2025/a.md", b"k"),
                         Reused("decisions/2022/old.md", b"k", noindex=True),
                         Reused("data/a.json", b"k", page=False),
                         StaticFile("data/b.json", "{}")])
    assert (part.left.srcs, part.left.paths) == (["decisions/2025/a.md"],
                                                 ["decisions/2025/a/index.html"])
    assert (part.left.hidden_srcs, part.left.hidden_paths) == (
        ["decisions/2022/old.md"], ["decisions/2022/old/index.html"])
    assert part.left.files == ["data/a.json"]
    assert [w.src for w in part.written] == part.wrote == ["data/b.json"]
    assert not (tmp_path / "decisions").exists()
    with pytest.raises(ValueError, match="nav"):
        writer.write([Reused("decisions/index.md", b"k")])


def _nav_shell(url: str) -> Shell:
    text = (f'<html><head><title>{TITLE}</title><link rel="canonical" href="{BASE}{url}">'
            f'{HEAD}</head><body><a class="active" href=".">执法决定</a>{CONTENT}</body></html>')
    return Shell(text, BASE + url, url)


def test_a_nav_page_is_filled_into_its_own_shell(tmp_path: Path) -> None:
    """Its own shell marks it active in the nav; a nav page mkdocs would render otherwise
    than a shell (no <h1> of its own) is kept for mkdocs."""
    nav = frozenset({"decisions/index.md", "about/index.md"})
    writer = Writer(tmp_path, {}, nav, BASE,
                    nav_shells={src: _nav_shell(src.removesuffix("index.md")) for src in nav})
    listed = DocPage("decisions/index.md", "执法决定", ("<h1>执法决定</h1>",))
    untitled = DocPage("about/index.md", "关于", ("<p>关于</p>",))
    part = writer.write([listed, untitled])
    assert part.kept == [untitled]
    html = (tmp_path / "decisions/index.html").read_text(encoding="utf-8")
    assert html == ('<html><head><title>执法决定</title><link rel="canonical" '
                    f'href="{BASE}decisions/"></head><body><a class="active" href=".">执法决定'
                    '</a><h1>执法决定</h1></body></html>')


def test_a_nav_page_is_left_as_published_only_with_its_own_shell(tmp_path: Path) -> None:
    """Without its shell (the nav's pages rendered by mkdocs), a nav page must be made: the
    nav of mkdocs' run links to the pages it renders."""
    reused = Reused("decisions/index.md", b"k")
    nav = frozenset({"decisions/index.md"})
    with pytest.raises(ValueError, match="cannot be left as published"):
        Writer(tmp_path, {}, nav, BASE).write([reused])
    part = Writer(tmp_path, {}, nav, BASE,
                  nav_shells={"decisions/index.md": _nav_shell("decisions/")}).write([reused])
    assert (part.left.srcs, part.left.paths, part.written) == (
        ["decisions/index.md"], ["decisions/index.html"], [])


def test_a_page_with_a_diagram_is_filled_into_the_diagram_shell(tmp_path: Path) -> None:
    """A mermaid fence between HTML blocks becomes what mkdocs' Markdown makes of it, in the
    shell whose content makes the theme add the diagram's script; a fence Markdown would
    change (a tab), or at the end of the page, is left to mkdocs."""
    plain = _shell(2)
    url = "gs-shell/d/"
    plain.diagram = Shell(f"<title>{TITLE}</title>{HEAD}<main>{DIAGRAM}</main>"
                          f'<script src="../../print.js"></script>', BASE + url, url,
                          marker=DIAGRAM)
    writer = Writer(tmp_path, {2: plain}, frozenset(), BASE)
    script = '<script src="../../vendor/mermaid.min.js"></script>'
    drawn = DocPage("procedures/p.md", "丙", ("<h1>丙</h1>", script,
                                               Fence("mermaid", 'graph TD\n  a["甲<乙"] --> b'),
                                               "<p>步骤</p>"))
    tabbed = DocPage("procedures/q.md", "丁", ("<h1>丁</h1>", script,
                                                Fence("mermaid", "graph TD\n\ta --> b"), "<p/>"))
    last = DocPage("procedures/r.md", "戊", ("<h1>戊</h1>", script, Fence("mermaid", "graph TD")))
    part = writer.write([drawn, tabbed, last])
    assert part.kept == [tabbed, last]
    html = (tmp_path / "procedures/p/index.html").read_text(encoding="utf-8")
    assert html == (f'<title>丙</title><main><h1>丙</h1>\n\n{script}\n\n<pre class="mermaid"><code>'
                    'graph TD\n  a["甲&lt;乙"] --&gt; b</code></pre>\n<p>步骤</p></main>'
                    '<script src="../../print.js"></script>')


def test_a_file_given_in_parts_is_written_and_keyed_as_its_text_whole(tmp_path: Path) -> None:
    """A large data file comes in parts (`StaticFile.parts`): its bytes and its key are
    those of its text whole, and a file whose key the published site has is not written."""
    from generator.render.reuse import bytes_key

    parts = ["\ufeff名称,编号\r\n", *(f"甲{n},{n}\r\n" * 7000 for n in range(40))]  # > 256 kB
    whole = "".join(parts)
    writer = Writer(tmp_path, {}, frozenset(), BASE)
    part = writer.write([StaticFile("data/big.csv", "", parts=parts),
                         StaticFile("data/small.csv", whole)])
    assert (tmp_path / "data/big.csv").read_bytes() == whole.encode()
    assert [w.key for w in part.written] == [bytes_key(whole.encode())] * 2
    assert StaticFile("data/big.csv", "", parts=parts).markdown() == whole
    again = Writer(tmp_path / "again", {}, frozenset(), BASE,
                   {"data/big.csv": bytes_key(whole.encode())})
    assert again.write([StaticFile("data/big.csv", "", parts=parts)]).wrote == []
