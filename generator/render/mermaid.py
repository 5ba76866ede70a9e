"""A procedure as a mermaid flowchart (执法流程图), drawn in the browser by the theme.

Mermaid reads quotes, brackets, pipes and entity codes in labels as syntax, and may render
HTML in them: labels keep only letters, digits, CJK text and harmless punctuation.
"""

from __future__ import annotations

import re

from generator.model import Procedure

# Everything that is not a word character, a space or plain sentence punctuation goes,
# including quotes and brackets of both widths.
_UNSAFE = re.compile(r"[^\w\s、，。：！？·%+\-./〇]")


def label(text: str, limit: int = 40) -> str:
    """Text safe inside a mermaid node or edge label."""
    cleaned = _UNSAFE.sub(" ", text)
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def flowchart(procedure: Procedure) -> str:
    """`flowchart TD` source: steps in order, conditional steps dashed, branches labelled."""
    nodes = {step.id: f"s{index}" for index, step in enumerate(procedure.steps)}
    lines = ["flowchart TD"]
    for step in procedure.steps:
        text = label(step.name) or "环节"
        if step.condition:
            text += f" 仅当{label(step.condition)}"
        lines.append(f'    {nodes[step.id]}["{text}"]')
    for current, following in zip(procedure.steps, procedure.steps[1:], strict=False):
        arrow = "-.->" if following.condition else "-->"
        lines.append(f"    {nodes[current.id]} {arrow} {nodes[following.id]}")
    for step in procedure.steps:
        for branch in step.branches:
            target = nodes.get(branch.goto)
            if target is not None:
                lines.append(f'    {nodes[step.id]} -. "{label(branch.condition)}" .-> {target}')
    return "\n".join(lines)
