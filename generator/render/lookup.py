"""执法证查询: a citizen types a certificate number and sees at once whether it is valid.

No server: the build writes every certificate's public fields, with its state computed as of
the build date, into one static JSON file (officers/certificates.json) that the lookup page's
script reads. Its format:

    {"as_of": "2026-11-27",
     "bodies": {"<body id>": {"name": …, "url": …, "phones": ["12333", …]}},
     "certificates": {"<normalised number>": {"number", "name", "officer_url", "body" (an id
         of "bodies"), "issuer", "field", "region", "valid_from", "valid_to" (ISO dates),
         "state", "state_since" (ISO date of a 暂扣/注销/吊销 shown, else ""), "roles"}},
     "states": {"<state>": {"class": "ok", "verdict": "证件有效，可以依法执法。"}}}

URLs are relative to the site root. Keys are sorted, so the same content and date give the
same bytes. Bodies are listed once, not in every certificate, to keep the file small at the
10,000 officers the architecture plans for.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from generator.model import Body, Officer
from generator.render.docs import DocPage, Made, StaticFile
from generator.render.officers import LOOKUP_SRC, STATES, state_since
from generator.render.reuse import Reuse
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.text import certificate_state, chinese_date
from generator.render.urls import Link, Linker, asset_href, page_url, record_src, section_src

DATA_SRC = "officers/certificates.json"
SCRIPT = "assets/javascripts/lookup.js"


def normalise(number: str) -> str:
    """How both the data and the script key a number: half-width, no spaces, upper case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", number)).upper()


def _body_entry(body: Body) -> dict[str, object]:
    return {
        "name": body.name,
        "url": page_url(record_src(body)),
        "phones": [c.value for c in body.supervision if c.channel == "电话"],
    }


def _certificate(site: Site, officer: Officer) -> dict[str, object]:
    state = certificate_state(officer, site.as_of)
    shown_since = officer.status_since if state_since(officer, state) else None
    return {
        "number": officer.certificate_number,
        "name": officer.name,
        "officer_url": page_url(record_src(officer)),
        "body": officer.body,
        "issuer": officer.issuer,
        "field": officer.field,
        "region": officer.region,
        "valid_from": officer.valid_from.isoformat(),
        "valid_to": officer.valid_to.isoformat(),
        "state": state,
        "state_since": shown_since.isoformat() if shown_since else "",
        "roles": [role for role in officer.roles if role != "执法人员"],
    }


def certificates(site: Site) -> dict[str, object]:
    """The data file: public fields of every certificate, keyed by normalised number."""
    officers = sorted(site.portal.officers.values(), key=lambda o: o.id)
    bodies = {officer.body: site.portal.bodies.get(officer.body) for officer in officers}
    return {
        "as_of": site.as_of.isoformat(),
        "bodies": {body_id: _body_entry(body) if body else {"name": body_id, "url": "",
                                                            "phones": []}
                   for body_id, body in bodies.items()},
        "certificates": {normalise(o.certificate_number): _certificate(site, o)
                         for o in officers},
        "states": {state: {"class": cls, "verdict": verdict}
                   for state, (cls, verdict) in STATES.items()},
    }


def data_text(site: Site) -> str:
    return json.dumps(certificates(site), ensure_ascii=False, sort_keys=True, indent=0) + "\n"


@dataclass(frozen=True)
class LookupPage:
    title: str
    as_of: str
    data: str
    root: str
    script: str
    register: Link
    bodies: Link


def sources() -> list[str]:
    return [LOOKUP_SRC]


INPUTS = "certificate lookup"
"""The name, in the site's manifest, of what the lookup's data was made from (`pages`)."""


def pages(site: Site, linker: Linker, templates: Templates,
          reuse: Reuse | None = None) -> list[Made]:
    """The lookup page and its data: with `reuse`, the data is left as published when the
    officers and bodies (in `reuse.shared`) and the day are the published site's (at
    100,000 decisions and 11,000 officers, 0.4 s of CPU)."""
    here = linker.at(LOOKUP_SRC)
    context = LookupPage(
        title="执法证查询",
        as_of=chinese_date(site.as_of),
        data=asset_href(LOOKUP_SRC, DATA_SRC),
        root=asset_href(LOOKUP_SRC, ".") + "/",
        script=asset_href(LOOKUP_SRC, SCRIPT),
        register=here.to(section_src(Officer), "执法人员名录"),
        bodies=here.to(section_src(Body), "执法主体"),
    )
    page = DocPage(LOOKUP_SRC, context.title, (templates.render("lookup.html.j2", context),))
    if reuse is not None and reuse.found(INPUTS, DATA_SRC,
                                         reuse.shared + site.as_of.isoformat().encode()):
        published = reuse.file_as_published(DATA_SRC)
        if published is not None:
            return [page, published]
    return [page, StaticFile(DATA_SRC, data_text(site))]
