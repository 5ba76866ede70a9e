"""The Jinja2 templates of site_config/templates/, with escaping on by default.

Every page body is HTML from a template, placed as a raw HTML block in the page's Markdown,
which Python-Markdown passes through untouched. So escaping is entirely ours: autoescape is
on, and the finalizer also escapes backticks and tildes, because a line of record text that
starts with ``` or ~~~ would otherwise open a code fence (pymdownx.superfences reads fences
before raw HTML is set aside).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, cast

import jinja2
import markupsafe
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from markupsafe import Markup, escape

from generator.render.errors import RenderError
from generator.render.text import chinese_date, money

TEMPLATES_DIR = Path("site_config") / "templates"


def _plain_escaper() -> Callable[[str], str] | None:
    """markupsafe's C function that `escape` wraps, when it is there and escapes as `escape`
    does: for a plain string, `escape` adds a Markup made by a Python constructor, a
    twentieth of a build's time at 100,000 decisions (issue 8)."""
    inner = getattr(markupsafe, "_escape_inner", None)
    probe = "<a href=\"x\" title='y'>&amp;</a>"
    if callable(inner) and inner(probe) == str(escape(probe)):
        return cast(Callable[[str], str], inner)
    return None


_ESCAPE_PLAIN = _plain_escaper()
_new_markup = functools.partial(str.__new__, Markup)
"""Markup(text) for a text already escaped, without Markup's Python constructor."""


def finalize(value: Any) -> Any:
    """Every value a template prints: escaped, and safe from opening a code fence."""
    if value is None:
        return ""
    if type(value) is str and _ESCAPE_PLAIN is not None:
        text = _ESCAPE_PLAIN(value)
    elif isinstance(value, Markup):
        return value
    else:
        text = str(escape(value))
    if "`" in text or "~" in text:  # rare: most texts need no second pass
        text = text.replace("`", "&#96;").replace("~", "&#126;")
    return _new_markup(text)


# What _macros.html.j2's macros of the same names print, without Jinja's cost per macro call
# (a decision page made about thirty, a fifth of its time). Templates that still import the
# macros get the same bytes, only slower.


def row(label: Any, value: Any) -> Markup:
    """A row of a record's table: the label and the value, left out when the value is."""
    if not value:
        return Markup("")
    return Markup(f'<tr><th scope="row">{finalize(label)}</th><td>{finalize(value)}</td></tr>\n')


def links(items: Iterable[Any], sep: str = "、") -> Markup:
    """Links (or texts) one after the other, `sep` between."""
    return Markup(str(finalize(sep)).join(str(finalize(item)) for item in items))


def paras(text: str) -> Markup:
    """A text's lines as paragraphs, blank lines left out."""
    return Markup("".join(f"<p>{finalize(line)}</p>\n" for line in text.splitlines()
                          if line.strip()))


def decision_table(items: Iterable[Any]) -> Markup:
    """A table of decisions (`listing.DecisionItem`s), one row each: a list page has 50."""
    rows = "".join(
        f'<tr><td data-label="文号">{_shown(d.document)}</td><td data-label="当事人">'
        f'{finalize(d.party)}</td><td data-label="类别">{finalize(d.type)}</td>'
        f'<td data-label="执法主体">{_shown(d.body)}</td><td data-label="决定日期">'
        f'{finalize(d.date)}</td></tr>\n' for d in items)
    return Markup(
        '<table class="gs-list gs-cards gs-decisions">\n<thead><tr><th>决定书文号</th>'
        '<th>当事人</th><th>类别</th><th>执法主体</th><th>决定日期</th></tr></thead>\n'
        f'<tbody>\n{rows}</tbody>\n</table>\n')


_STATES = {"有效": "ok", "已过期": "expired", "尚未生效": "pending", "暂扣": "suspended",
           "注销": "cancelled", "吊销": "revoked"}
"""The class of an officer's certificate state (`state` in _macros.html.j2)."""


def officer_table(rows: Iterable[Any]) -> Markup:
    """A table of officers, one row each, their certificates' states marked."""
    lines = "".join(
        f'<tr><td>{finalize(o.name)}</td><td>{finalize(o.certificate_number)}</td>'
        f'<td>{finalize(o.issuer)}</td><td>{finalize(o.field)}</td><td>{finalize(o.region)}'
        f'</td><td>{finalize(o.validity)}</td><td><span class="gs-state gs-state-'
        f'{finalize(_STATES.get(o.state, "stopped"))}">{finalize(o.state)}</span></td></tr>\n'
        for o in rows)
    return Markup(
        '<table class="gs-list">\n<thead><tr><th>姓名</th><th>执法证号</th><th>发证机关</th>'
        '<th>执法领域</th><th>执法区域</th><th>有效期</th><th>状态</th></tr></thead>\n'
        f'<tbody>\n{lines}</tbody>\n</table>\n')


def _shown(value: Any) -> Markup:
    """`finalize(value)`; a link (urls.Link) printed without `escape`'s steps around it."""
    html = getattr(value, "__html__", None)
    return cast(Markup, _new_markup(html())) if html is not None else finalize(value)


class _Compiler(CodeGenerator):
    """Compiles `{{ value }}` to `finalize(value)` where Jinja writes
    `escape(finalize(value))`: `finalize` already escapes every value that is not Markup, so
    the second pass only copied each value once more (a tenth of a build at 100,000
    decisions). Where autoescape may change while rendering, Jinja's code stays."""

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile and finalize.src:
            self.write("(" + finalize.src)
            return
        super()._output_child_pre(node, frame, finalize)


class _Environment(jinja2.Environment):
    code_generator_class = _Compiler


class Templates:
    """Renders one template with one typed context object, named `page` in the template."""

    def __init__(self, project_root: Path) -> None:
        folder = project_root / TEMPLATES_DIR
        self._folder = folder
        if not folder.is_dir():
            raise RenderError(f"{folder}: the templates folder is missing")
        self._env = _Environment(
            loader=jinja2.FileSystemLoader(folder),
            autoescape=True,
            finalize=finalize,
            undefined=jinja2.StrictUndefined,  # a misspelt field is an error, not a blank
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # templates do not change during a build: no stat per page
        )
        self._env.filters["date"] = chinese_date
        self._env.filters["money"] = money
        self._env.globals.update(row=row, links=links, paras=paras,
                                decision_table=decision_table, officer_table=officer_table)
        self._compiled: dict[str, tuple[jinja2.Template, dict[str, Any]]] = {}

    def render(self, name: str, page: object) -> str:
        """`get_template(name).render(page=page)`, with the template and its globals looked
        up once: Jinja copies a template's globals (a ChainMap, walked key by key) into a new
        dict at every render, a twentieth of a decision page (issue 8)."""
        try:
            found = self._compiled.get(name)
            if found is None:
                template = self._env.get_template(name)
                found = self._compiled[name] = (template, dict(template.globals))
            template, names = found
            context = template.new_context({**names, "page": page}, shared=True)
            try:
                return self._env.concat(template.root_render_func(context))
            except Exception:
                self._env.handle_exception()
        except jinja2.UndefinedError as exc:
            # The project's templates are its own copy: one older than its Gongshi asks for
            # fields the pages no longer have (issue 8 changed the lists' pager).
            raise RenderError(
                f"{self._folder / name}: {exc}. The template asks for something this version "
                "of Gongshi does not give it: it may be older than Gongshi. Compare it with "
                "site_config/templates/ in Gongshi's repository, take the new one and carry "
                "your own changes over") from exc
        except jinja2.TemplateError as exc:
            where = f"{exc.filename}:{exc.lineno}" if isinstance(
                exc, jinja2.TemplateSyntaxError) else name
            raise RenderError(f"{where}: {exc}") from exc
