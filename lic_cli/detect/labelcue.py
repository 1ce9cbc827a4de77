"""A project's own label names as evidence that a turn teaches a label.

The packaged detector learned labelling turns from other domains' labels, so a turn that
quotes an example and names one of *this* project's labels can still score just under
`teach` ("'The rear wheel wobbles when I brake' is a bike ticket." in a bike-share
project). The project's label tasks know better: a `none` turn that quotes an example
(two words or more) and names one of their labels outside the quote in a labelling frame
("is a bike ticket", "as billing"), in a statement rather than a question, is read as `teach`, and the intent says why
(`"cue": {"label", "task"}`). Only `none` turns change; the scores stay the model's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lic_cli.tasks import Project

# A quoted example: straight or curly, single or double quotes, at least two words inside; an
# apostrophe between letters is the example's own ("'Why has my bill doubled when nobody's been?'").
_IN = r"""(?:[^'"‘’“”]|(?<=\w)['’](?=\w))"""
_QUOTE = re.compile(rf"""(?:^|(?<=[\s:(]))(['"‘“])({_IN}*?\w\s+\w{_IN}*?)(['"’”])(?=$|[\s.,;:!?)])""")
# A question about an example's label is not teaching it ("Is 'X' a bike ticket?").
_ASKS = re.compile(r"^\s*(is|are|was|does|do|did|what|which|why|how|can|could|should|would|will|who|where|when)\b",
                   re.IGNORECASE)
# ...but a request put as a question is ("Could you recategorise 'X'? It's a payments matter.").
_REQUEST = re.compile(r"^\s*(?:can|could|would|will)\s+you\s+(?:please\s+|just\s+)?(?:re-?label|re-?categori[sz]e|"
                      r"re-?classify|re-?file|move|put|file|tag|label|mark|switch|change)\b", re.IGNORECASE)


# The label in a labelling frame: "is a bike ticket", "as billing", "belongs in app",
# "a membership example": not any mention ("My bike is great, 'really smooth' ...").
_BEFORE = ("is|are|as|into|in|under|to|labelled|labeled|label|tag|tagged|mark|marked|category|class|"
           "classify|classified|file|filed|it's|its")
_AFTER = ("ticket|tickets|example|examples|issue|issues|request|requests|question|questions|category|label|"
          "class|type|case|cases|message|messages|item|items|one|topic|complaint|query|matter|job|thing")
# The label as who deals with the example: "... is the kind of thing payments should get" (session 13).
_HANDLES = (r"(?:should|would|will|can|could|need to|needs to|ought to|have to|has to)?\s*"
            r"(?:get|gets|handle|handles|deal with|deals with|take|takes|answer|answers|pick up|picks up|look at|"
            r"looks at|see|sees)")


def project_labels(project: Project | None) -> dict[str, str]:
    """Each label of the project's label tasks (casefolded, `_`/`-` as spaces) -> its task."""
    out: dict[str, str] = {}
    if project is None:
        return out
    for task in project.tasks.values():
        if task.format == "label":
            for label in task.labels:
                out.setdefault(_norm(label), task.name)
    return out


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[_\-]+", " ", text.casefold()).split())


def cue(text: str, labels: dict[str, str]) -> dict[str, str] | None:
    """The label (and its task) a labelling statement names, or None."""
    if not labels:
        return None
    quote = _QUOTE.search(text)
    if quote is None:
        return None
    before = text[:quote.start()]
    rest = _norm(before + " " + text[quote.end():])
    asked = _REQUEST.match(before) is None and (_ASKS.match(before) is not None or rest.rstrip().endswith("?"))
    if not rest or asked:
        return None
    for label, task in _longest_first(labels):
        name = re.escape(label)
        if re.search(rf"(?<!\w)(?:{_BEFORE})\s+(?:(?:a|an|the)\s+)?{name}(?!\w)", rest) or \
                re.search(rf"(?<!\w){name}\s+(?:{_AFTER})(?!\w)", rest) or \
                re.search(rf"(?<!\w){name}\s+{_HANDLES}(?!\w)", rest):
            return {"label": label, "task": task}
    return None


def _longest_first(labels: dict[str, str]) -> Iterable[tuple[str, str]]:
    return sorted(labels.items(), key=lambda kv: -len(kv[0]))
