"""The one exception rendering raises: a page could not be rendered or mkdocs failed."""

from __future__ import annotations


class RenderError(Exception):
    """Rendering the site failed; the message says which page or shows mkdocs' own output."""
