"""Renamed records keep their old URLs: each former id gets a page that sends readers on."""

from __future__ import annotations

from generator.model import Record
from generator.render.docs import StaticFile
from generator.render.errors import RenderError
from generator.render.site import Site
from generator.render.urls import page_url, record_src, relative_href

TEMPLATE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>页面已迁移</title>
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url={href}">
<link rel="canonical" href="{href}">
</head>
<body>
<p>本页已迁移至 <a href="{href}">{href}</a>。</p>
</body>
</html>
"""


def _moved(record: Record, former_id: str) -> str:
    """The source path the record had under its former id."""
    return record_src(record.model_copy(update={"id": former_id}))


def redirects(site: Site) -> list[StaticFile]:
    portal = site.portal
    files = []
    for record in portal.records():
        if not record.former_ids or not record.has_page:
            continue
        for former in record.former_ids:
            old = _moved(record, former)
            # Only a record of its kind under that id can have the page: the URL of every
            # record was not worked out (0.4 s a build at 100,000 decisions).
            live = portal.table(record.kind_name).get(former)
            if live is not None and live.has_page and record_src(live) == old:
                # A redirect there would hide (or fight over) a live page.
                raise RenderError(f"{record.ref}: former id {former!r} is the URL of "
                                  f"{live.ref}; remove it from former_ids")
            href = relative_href(old, record_src(record))
            # An HTML file at the old URL's folder: served as that URL by any static server.
            files.append(StaticFile(page_url(old) + "index.html",
                                    TEMPLATE.format(href=_attr(href))))
    return sorted(files, key=lambda f: f.src)


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))
