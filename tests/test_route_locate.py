"""route and locate on the demo project with the real MiniLM encoder, and their input checks."""

from __future__ import annotations

import pytest

from lic_cli import locate, router
from lic_cli.errors import RecordError
from lic_cli.extract.schema import make_item
from lic_cli.models import load_encoder
from lic_cli.tasks import load_project


def item(kind: str, **fields: str) -> dict:
    return make_item(kind, fields, source="c/t1", engine="rules")


def through(project, knowledge: list[dict]) -> dict:
    enc = load_encoder("minilm")
    rec = {"conversation": "c", "turn": 1, "role": "user", "text": "x", "knowledge": knowledge}
    (out,) = locate.run(router.run([rec], project=project, encoder=enc), project=project, encoder=enc)
    return out


@pytest.mark.slow
def test_routes_by_schema_and_locates_ops(demo_project):
    project = load_project(demo_project)
    out = through(project, [
        item("qa", question="How long is the refund window?", answer="30 days"),
        item("qa", question="How long is the refund window?", answer="You can request a refund within 14 days of delivery."),
        item("fact", subject="Kestrel", relation="support phone number", object="+1 555 0199"),
        item("label", text="My invoice shows the wrong VAT number", label="billing"),
        item("forget", target="Kestrel's fax number"),
        item("label", text="Where is my llama?", label="zoology"),
    ])
    # Routes of the item's own kind (a qa <-> fact conversion is a further route: its reason says "→").
    assert [(r["item"], r["task"]) for r in out["routes"] if "→" not in r["reason"]] == [
        (0, "support_qa"), (1, "support_qa"), (2, "facts"), (3, "ticket_topics"), (4, "facts")]
    assert all(r["score"] > 0 and r["reason"] for r in out["routes"])
    own = [e for e in out["edits"] if e["signal"] != "sweep" and "→" not in e.get("reason", "")]
    ops = [(e["item"], e["op"]) for e in own]
    assert ops == [(0, "update"), (1, "noop"), (2, "add"), (3, "add"), (4, "delete")]
    assert all(e["item"] == 0 and e["op"] == "update" for e in out["edits"] if e["signal"] == "sweep")
    update = out["edits"][0]
    # The fragment replaces just the span it corrects: the row keeps its own sentence.
    assert update["after"]["answer"] == "You can request a refund within 30 days of delivery."
    assert update["rewrite"] == {"old": "14 days", "new": "30 days", "kind": "quantity"}
    assert {"fuzz", "sim", "score", "row"} <= set(update["candidates"][0])
    assert own[2]["position"]["split"] == "train"
    # A label outside every label set gets no route but a tasks.yaml proposal for a person.
    (proposal,) = out["proposal"]
    assert proposal["item"] == 5 and proposal["tasks_yaml"]["format"] == "label"


@pytest.mark.slow
def test_paraphrase_with_same_value_is_noop(demo_project):
    project = load_project(demo_project)
    out = through(project, [item("qa", question="Do you deliver to Canada?",
                                 answer="Yes, we ship to Canada; delivery takes 5 to 8 business days.")])
    assert [e["op"] for e in out["edits"]] == ["noop"]


@pytest.mark.parametrize("rec, field", [
    ({"knowledge": {"kind": "qa"}}, "knowledge"),
    ({"knowledge": [{"kind": "poem", "statement": "s", "source": "c/t1"}]}, "knowledge[0]"),
])
def test_route_rejects_malformed_knowledge(demo_project, rec, field):
    project = load_project(demo_project)
    with pytest.raises(RecordError) as exc:
        list(router.run([{"role": "user", "text": "x", **rec}], project=project, encoder=None))
    assert exc.value.field == field


@pytest.mark.parametrize("routes, field", [
    ("support_qa", "routes"),
    ([{"item": 3, "task": "support_qa"}], "routes[0].item"),
    ([{"item": 0, "task": "nope"}], "routes[0].task"),
    (["x"], "routes[0]"),
])
def test_locate_rejects_malformed_routes(demo_project, routes, field):
    project = load_project(demo_project)
    rec = {"role": "user", "text": "x", "knowledge": [item("qa", question="q?", answer="a")], "routes": routes}
    with pytest.raises(RecordError) as exc:
        list(locate.run([rec], project=project, encoder=None))
    assert exc.value.field == field


@pytest.mark.slow
def test_a_new_example_with_a_common_label_is_added_not_known(demo_project):
    project = load_project(demo_project)
    out = through(project, [item("label", text="The invoice for my last order charged VAT twice", label="billing")])
    assert [e["op"] for e in out["edits"]] == ["add"]
