"""Every value a template prints is escaped exactly once (generator/render/templates.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import Markup

from generator.render.errors import RenderError
from generator.render.templates import Templates
from generator.render.urls import Link


def _templates(tmp_path: Path, text: str) -> Templates:
    folder = tmp_path / "site_config" / "templates"
    folder.mkdir(parents=True)
    (folder / "t.html.j2").write_text(text, encoding="utf-8")
    return Templates(tmp_path)


class Page:
    def __init__(self, **values: object) -> None:
        self.__dict__.update(values)


def test_values_are_escaped_once(tmp_path: Path) -> None:
    templates = _templates(tmp_path, "{{ page.a }}|{{ page.b }}|{{ page.c }}|{{ page.d }}|"
                                     "{{ page.e }}|{% set x %}<i>{{ page.a }}</i>{% endset %}{{ x }}")
    out = templates.render("t.html.j2", Page(
        a='<script>"&\'', b=Markup("<b>ok</b>"), c=None, d="```~~~",
        e=Link('<img onerror=x>', 'a"b/')))
    assert out == ("&lt;script&gt;&#34;&amp;&#39;|<b>ok</b>||&#96;&#96;&#96;&#126;&#126;&#126;|"
                   '<a href="a&#34;b/">&lt;img onerror=x&gt;</a>|'
                   "<i>&lt;script&gt;&#34;&amp;&#39;</i>")


def test_the_second_escape_is_compiled_away(tmp_path: Path) -> None:
    templates = _templates(tmp_path, "{{ page.a }}")
    source = templates._env.compile(
        "{{ page.a }}", raw=True)
    assert "escape(environment.finalize" not in source and "environment.finalize(" in source
    assert templates.render("t.html.j2", Page(a="<x>")) == "&lt;x&gt;"


def test_row_links_and_paras_print_what_the_macros_print(tmp_path: Path) -> None:
    """Templates get row, links and paras from Python; projects whose templates import the
    macros of _macros.html.j2 get the same bytes."""
    folder = tmp_path / "site_config" / "templates"
    folder.mkdir(parents=True)
    macros = (Path(__file__).parents[1] / "site_config/templates/_macros.html.j2")
    (folder / "_macros.html.j2").write_text(macros.read_text(encoding="utf-8"), encoding="utf-8")
    body = ("{% for v in page.values %}{{ row(page.label, v) }}{% endfor %}|"
            "{{ links(page.links) }}|{{ links(page.links, page.sep) }}|{{ links([]) }}|"
            "{% for t in page.texts %}{{ paras(t) }}{% endfor %}")
    (folder / "python.html.j2").write_text(body, encoding="utf-8")
    (folder / "macros.html.j2").write_text(
        '{% from "_macros.html.j2" import links, paras, row %}\n' + body, encoding="utf-8")
    templates = Templates(tmp_path)
    page = Page(label="<标签>", values=["", None, "值&", Link("文<本", "a/b?c=1&d"), Link(""),
                                       Markup("<b>粗</b>"), 0, 12, "```"],
                links=[Link("一", "x/"), Link("<二>"), "三&", None, Markup("<i>四</i>")],
                sep=" <、> ", texts=["", "第一行\n\n  \n第<二>行\r\n~~~", "单行"])
    python = templates.render("python.html.j2", page)
    assert python == templates.render("macros.html.j2", page)
    assert "<tr><th scope=\"row\">&lt;标签&gt;</th><td>值&amp;</td></tr>" in python


def test_decision_and_officer_tables_print_what_the_macros_print(tmp_path: Path) -> None:
    """A list page's table of decisions and a body's table of officers come from Python;
    templates that import the macros get the same bytes, hostile texts escaped once."""
    folder = tmp_path / "site_config" / "templates"
    folder.mkdir(parents=True)
    macros = (Path(__file__).parents[1] / "site_config/templates/_macros.html.j2")
    (folder / "_macros.html.j2").write_text(macros.read_text(encoding="utf-8"), encoding="utf-8")
    body = "{{ decision_table(page.decisions) }}|{{ officer_table(page.officers) }}|" \
           "{{ decision_table([]) }}"
    (folder / "python.html.j2").write_text(body, encoding="utf-8")
    (folder / "macros.html.j2").write_text(
        '{% from "_macros.html.j2" import decision_table, officer_table %}\n' + body,
        encoding="utf-8")
    templates = Templates(tmp_path)
    decisions = [Page(document=Link("示<人社>罚〔2025〕1号", "../x/?a=1&b"), party="张&三",
                      type="行政处罚", body=Link("<局>", None), date="2025年1月2日"),
                 Page(document=Link("```", "y/"), party=Markup("<b>李四</b>"), type="",
                      body=Link("某局", "../../bodies/a/"), date=None)]
    officers = [Page(name="王<五>", certificate_number="1&2", issuer="某厅", field="劳动",
                     region="示例省", validity="2025年", state=state)
                for state in ("有效", "吊销", "<坏>", "已过期")]
    page = Page(decisions=decisions, officers=officers)
    python = templates.render("python.html.j2", page)
    assert python == templates.render("macros.html.j2", page)
    assert '<td data-label="文号"><a href="../x/?a=1&amp;b">示&lt;人社&gt;罚〔2025〕1号</a>' in python
    assert 'gs-state-revoked">吊销' in python and 'gs-state-stopped">&lt;坏&gt;' in python


def test_a_template_older_than_gongshi_is_named_with_what_to_do(tmp_path: Path) -> None:
    """A project keeps its own templates: one that asks for a field the pages no longer
    have (the lists' pager before issue 8: page_count) says which file, and what to do."""
    templates = _templates(tmp_path, "第{{ page.page_number }}/{{ page.page_count }}页")
    with pytest.raises(RenderError) as raised:
        templates.render("t.html.j2", Page(page_number=2))
    message = str(raised.value)
    assert str(tmp_path / "site_config/templates/t.html.j2") in message
    assert "page_count" in message and "site_config/templates/ in Gongshi's repository" in message
