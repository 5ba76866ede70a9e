"""执法证查询: a citizen types a certificate number and sees at once whether it is valid.

No server: the build writes every certificate's public fields, with its state computed as of
the build date, into one static JSON file that the lookup page's script reads.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from generator.model import Officer
from generator.render.docs import DocPage, StaticFile
from generator.render.officers import LOOKUP_SRC
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.text import certificate_state, chinese_date
from generator.render.urls import Link, Linker, asset_href, page_url, record_src, section_src

DATA_SRC = "officers/certificates.json"
SCRIPT = "assets/javascripts/lookup.js"


def normalise(number: str) -> str:
    """How both the data and the script key a number: half-width, no spaces, upper case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", number)).upper()


def certificates(site: Site) -> dict[str, object]:
    """The data file: public fields of every certificate, keyed by normalised number."""
    entries: dict[str, dict[str, str]] = {}
    for officer in sorted(site.portal.officers.values(), key=lambda o: o.id):
        body = site.portal.bodies.get(officer.body)
        entries[normalise(officer.certificate_number)] = {
            "number": officer.certificate_number,
            "name": officer.name,
            "body": body.name if body else officer.body,
            "body_url": page_url(record_src(body)) if body else "",
            "officer_url": page_url(record_src(officer)),
            "issuer": officer.issuer,
            "field": officer.field,
            "region": officer.region,
            "valid_from": chinese_date(officer.valid_from),
            "valid_to": chinese_date(officer.valid_to),
            "state": certificate_state(officer, site.as_of),
            "state_since": chinese_date(officer.status_since)
            if certificate_state(officer, site.as_of) == officer.status != "有效" else "",
        }
    return {"as_of": site.as_of.isoformat(), "certificates": entries}


@dataclass(frozen=True)
class LookupPage:
    title: str
    as_of: str
    data: str
    root: str
    script: str
    register: Link


def sources() -> list[str]:
    return [LOOKUP_SRC]


def pages(site: Site, linker: Linker, templates: Templates) -> list[DocPage | StaticFile]:
    here = linker.at(LOOKUP_SRC)
    context = LookupPage(
        title="执法证查询",
        as_of=chinese_date(site.as_of),
        data=asset_href(LOOKUP_SRC, DATA_SRC),
        root=asset_href(LOOKUP_SRC, ".") + "/",
        script=asset_href(LOOKUP_SRC, SCRIPT),
        register=here.to(section_src(Officer), "执法人员名录"),
    )
    text = json.dumps(certificates(site), ensure_ascii=False, sort_keys=True, indent=0)
    return [DocPage(LOOKUP_SRC, context.title, (templates.render("lookup.html.j2", context),)),
            StaticFile(DATA_SRC, text + "\n")]
