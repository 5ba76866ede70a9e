"""Links to cited articles: `labour-law#第二十六条` -> 《…》第二十六条, landing on `#art-26`."""

from __future__ import annotations

from generator.articles import Citation
from generator.model import LegalBasis
from generator.portal import Portal
from generator.render.urls import Link, Linker


def article_link(portal: Portal, linker: Linker, ref: str) -> Link:
    """A link to the article on its law's page; plain text when the law did not load."""
    try:
        citation = Citation.parse(ref)
    except ValueError:
        return Link(ref)
    law = portal.laws.get(citation.law)
    if law is None:
        return Link(f"{citation.law} {citation.label}")
    text = f"《{law.title}》{citation.label}"
    # Only articles the law record quotes have an anchor on its page.
    anchor = citation.anchor if _quotes(law, citation.article) else ""
    return linker.to_record(law, text, anchor)


def article_label(portal: Portal, ref: str) -> str:
    """The article as text: 《中华人民共和国劳动法》第二十六条 (for data files)."""
    try:
        citation = Citation.parse(ref)
    except ValueError:
        return ref
    law = portal.laws.get(citation.law)
    return f"《{law.title}》{citation.label}" if law else f"{citation.law} {citation.label}"


def article_links(portal: Portal, linker: Linker, refs: list[str]) -> list[Link]:
    return [article_link(portal, linker, ref) for ref in refs]


def _quotes(law: LegalBasis, article: str) -> bool:
    return any(a.number == article for a in law.articles)
