"""执法程序: the list of procedures, and one page per procedure with its flowchart and steps."""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import Procedure
from generator.render.citations import article_links
from generator.render.docs import DocPage, Fence
from generator.render.mermaid import flowchart
from generator.render.site import Site
from generator.render.templates import Templates
from generator.render.urls import Link, Linker, asset_href, record_src, section_src


@dataclass(frozen=True)
class ProceduresSection:
    title: str
    procedures: list[Link]


@dataclass(frozen=True)
class StepRow:
    number: int
    name: str
    description: str
    actor: str
    time_limit: str
    documents: list[str]
    condition: str
    branches: list[str]
    basis: list[Link]


@dataclass(frozen=True)
class RemedyRow:
    kind: str
    deadline: str
    where: str


@dataclass(frozen=True)
class ProcedureHead:
    title: str
    description: str


@dataclass(frozen=True)
class ProcedureSteps:
    steps: list[StepRow]
    remedies: list[RemedyRow]
    powers: list[Link]


def section_page(site: Site, linker: Linker, templates: Templates) -> DocPage:
    src = section_src(Procedure)
    here = linker.at(src)
    procedures = sorted(site.portal.procedures.values(), key=lambda p: (p.name, p.id))
    context = ProceduresSection("执法程序", [here.to_record(p, p.name) for p in procedures])
    return DocPage(src, context.title, (templates.render("procedures.html.j2", context),))


def _step(site: Site, linker: Linker, procedure: Procedure, index: int) -> StepRow:
    step = procedure.steps[index]
    names = {s.id: s.name for s in procedure.steps}
    return StepRow(
        number=index + 1,
        name=step.name,
        description=step.description,
        actor=step.actor,
        time_limit=step.time_limit,
        documents=list(step.documents),
        condition=step.condition,
        branches=[f"{b.condition} → {names.get(b.goto, b.goto)}" for b in step.branches],
        basis=article_links(site.portal, linker, step.basis),
    )


def procedure_page(site: Site, linker: Linker, templates: Templates,
                   procedure: Procedure) -> DocPage:
    src = record_src(procedure)
    here = linker.at(src)
    powers = sorted((p for p in site.portal.powers.values() if p.procedure == procedure.id),
                    key=lambda p: (p.code, p.id))
    head = ProcedureHead(procedure.name, procedure.description)
    steps = ProcedureSteps(
        steps=[_step(site, here, procedure, i) for i in range(len(procedure.steps))],
        remedies=[RemedyRow(r.kind, r.deadline, r.where) for r in procedure.remedies],
        powers=[here.to_record(p, p.name) for p in powers],
    )
    return DocPage(src, head.title, (
        templates.render("procedure_head.html.j2", head),
        # The theme draws the flowchart with window.mermaid when the page defines it, and
        # fetches mermaid from a foreign CDN when it does not: load our copy, on these pages only.
        f'<script src="{asset_href(src, MERMAID)}"></script>',
        Fence("mermaid", flowchart(procedure)),
        templates.render("procedure_steps.html.j2", steps),
    ))


MERMAID = "assets/javascripts/vendor/mermaid.min.js"


def pages(site: Site, linker: Linker, templates: Templates) -> list[DocPage]:
    procedures = sorted(site.portal.procedures.values(), key=lambda p: p.id)
    return [section_page(site, linker, templates)] + [
        procedure_page(site, linker, templates, procedure) for procedure in procedures
    ]
