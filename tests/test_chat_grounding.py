"""Grounded answers and honest feedback: rows found by what they say, replies held to the row's
value (or answered from the row), and teaching turns that were not saved never passed off as learned.

The replies here come from a stand-in backend that says a fixed text (what a model said is
the input of the check under test); the retrieval runs on the real MiniLM. The packaged
SmolLM2 answers in test_chat_repl.py.
"""

from __future__ import annotations

import json

import pytest

from lic_cli.chat.retrieve import Hit
from lic_cli.chat.session import Session, not_saved_reason, says_itself, template
from lic_cli.chat.staging import Stage
from lic_cli.tasks import load_project


class Says:
    """A backend that replies with a fixed text, piece by piece."""

    name = "says"

    def __init__(self, text: str) -> None:
        self.text = text
        self.last_tokens = 0
        self.calls = 0
        self.prompts: list[list[dict]] = []

    def generate(self, messages, emit, *, grounded=False):
        self.calls += 1
        self.messages = messages
        self.prompts.append(messages)
        for word in self.text.split(" "):
            self.last_tokens += 1
            emit(word + " ")


def test_the_templated_answer_states_the_row(demo_project):
    project = load_project(demo_project)
    qa, facts = project.task("support_qa"), project.task("facts")
    short = Hit("support_qa", "k1", {"question": "How long is the refund window?", "answer": "30 days"}, 0.9)
    assert template(qa, short) == "The answer to “How long is the refund window?” is 30 days."
    full = Hit("support_qa", "k1", {"question": "Q?", "answer": "You can return items within 30 days."}, 0.9)
    assert template(qa, full) == "You can return items within 30 days."
    fact = Hit("facts", "k2", {"subject": "Kestrel", "relation": "fax number", "object": "+1 555 0100"}, 0.9)
    assert template(facts, fact) == "Kestrel — fax number: +1 555 0100."
    # Only a qa answer that is a whole sentence is a reply as it stands (said at once, no model).
    assert says_itself(qa, full) and not says_itself(qa, short) and not says_itself(facts, fact)
    lower = Hit("support_qa", "k1", {"question": "Q?", "answer": "webcams for up to 7 days"}, 0.9)
    assert not says_itself(qa, lower)


def test_why_a_teaching_turn_was_not_saved():
    teach = {"label": "teach", "score": 0.9}
    assert not_saved_reason({"intent": {"label": "none"}}) is None
    assert not_saved_reason({"intent": teach, "knowledge": [{"kind": "qa"}], "edits": [
        {"op": "add", "decision": "accepted"}]}) is None
    assert not_saved_reason({"intent": teach, "knowledge": [{}], "edits": [{"op": "noop"}]}) is None  # known
    assert not_saved_reason({"intent": {**teach, "uncertain": True}}).startswith("not sure")
    assert not_saved_reason({"intent": teach, "knowledge": []}).startswith("nothing to learn")
    assert not_saved_reason({"intent": teach, "knowledge": [{}], "routes": [], "proposal": {}}).startswith("no task")
    assert not_saved_reason({"intent": teach, "knowledge": [{}], "edits": [
        {"op": "noop", "proposed": "add", "decision": "rejected"}]}) == "the change was rejected"
    assert "pending" in not_saved_reason({"intent": teach, "knowledge": [{}], "edits": [
        {"op": "add", "decision": "pending"}]})


def test_a_turn_not_saved_is_not_in_the_history_as_said():
    """The model is told the newest turn was not saved; later, the turn's words are not in the prompt,
    so the model cannot repeat from the history what was never learned."""
    s = Session(Says("ok"))
    rec = s.record({**s.user("The refund window is 30 days."), "intent": {"label": "teach"},
                    "not_saved": "the change was rejected"})
    first = s.messages([])
    assert "was not saved" in first[0]["content"] and first[-1]["content"] == rec["text"]
    reply = s.reply()  # a confident teaching turn, nothing kept: one honest line, not the model
    assert reply["text"] == "I have not saved that: the change was rejected." and reply["not_saved"] is True
    assert s.backend.calls == 0
    s.record(s.user("How long is the refund window?"))
    later = s.messages([])
    assert not any("30 days" in m["content"] for m in later)
    assert "was not saved" in later[1]["content"] and "was not saved" not in later[0]["content"]


@pytest.fixture
def project_with_loans(demo_project):
    """The demo project with one more row, applied as a new version: only its answer says 'webcams'."""
    project = load_project(demo_project)
    stage = Stage(project, "tester")
    stage.add("c", 1, {"task": "support_qa", "op": "add", "row": None, "before": None,
                       "after": {"question": "What does the AV loan desk lend?",
                                 "answer": "Webcams for up to 7 days.", "split": "train"}})
    (result,) = stage.apply()
    assert result["version"] == 1
    return load_project(demo_project)


@pytest.mark.slow
def test_retrieval_finds_a_row_by_its_answer_and_indexes_each_version_once(project_with_loans):
    from lic_cli.chat import rowindex
    from lic_cli.chat.retrieve import Retriever
    from lic_cli.models import load_encoder

    project = project_with_loans
    encoder = load_encoder("minilm")
    r = Retriever(project, encoder)
    assert {t.name for t in r.tasks} == {"support_qa", "facts"}  # label tasks answer no question
    (top, *_) = r.search("How long can I borrow a webcam?")
    assert top.task == "support_qa" and top.fields["answer"] == "Webcams for up to 7 days." and top.version == 1
    assert r.answering([top]) is top
    assert r.search("What is the capital of France?") == []
    # A new version embeds only its new row; the previous version's embeddings are reused.
    stage = Stage(project, "tester")
    stage.add("c", 2, {"task": "support_qa", "op": "add", "row": None, "before": None,
                       "after": {"question": "Can I borrow a tripod?", "answer": "Yes, tripods for 3 days.",
                                 "split": "train"}})
    stage.apply()
    index = rowindex.load(project, project.task("support_qa"), encoder)
    assert index.manifest["embedded"] == 2 and index.manifest["reused"] == 2 * len(index) - 2
    # A staged add is found before it is applied, under the id /apply will give it.
    staged = [{"task": "facts", "op": "add", "row": None, "before": None,
               "after": {"subject": "Kestrel", "relation": "mascot", "object": "a kestrel named Kit"}}]
    hit = next(h for h in r.search("What is the name of Kestrel's mascot?", staged) if h.staged)
    assert hit.task == "facts" and hit.row.startswith("k") and hit.version is not None


@pytest.mark.slow
def test_a_row_whose_answer_is_a_sentence_says_it_at_once(project_with_loans):
    """A qa answer that is a whole sentence is the reply, said at once: the model is not asked."""
    from lic_cli.chat.retrieve import Retriever
    from lic_cli.models import load_encoder

    retriever = Retriever(project_with_loans, load_encoder("minilm"))
    s = Session(Says("You can borrow it for [number] days."), retriever=retriever)
    s.record(s.user("How long can I borrow a webcam?"))
    shown: list[str] = []
    s.generate_reply(shown.append)
    rec = s.finish_reply("".join(s.partial))
    assert shown == ["Webcams for up to 7 days."] and s.backend.calls == 0
    assert rec["grounded"] == "answer" and rec["text"] == "Webcams for up to 7 days."
    assert rec["answered_from"] == [{"task": "support_qa", "row": rec["context"][0]["row"], "version": 1}]
    assert len(rec["context"]) == 1 and set(rec["context"][0]) == {"task", "row", "version", "score"}
    assert s.last_stats.first_token_s < 0.5


@pytest.mark.slow
def test_a_reply_without_the_rows_value_is_answered_from_the_row(bike_coop):
    """A short value is put in a sentence by the model, given that row alone, and checked."""
    from lic_cli.chat.retrieve import Retriever
    from lic_cli.models import load_encoder

    retriever = Retriever(bike_coop, load_encoder("minilm"))
    question = "How many days can I keep the borrowed tools?"
    wrong = Session(Says("You can keep them for [number] days, please ask at [desk name]."), retriever=retriever)
    wrong.record(wrong.user(question))
    shown: list[str] = []
    wrong.generate_reply(shown.append)
    rec = wrong.finish_reply("".join(wrong.partial))
    said = "The answer to “How long can members borrow a tool kit?” is 3 days."
    assert shown == [said]  # the model's text was never shown
    assert rec["grounded"] == "row" and rec["text"] == said
    assert rec["answered_from"] == [{"task": "coop_qa", "row": rec["context"][0]["row"], "version": 0}]
    assert len(rec["context"]) == 1

    right = Session(Says("Sure! Members can keep a tool kit for 3 days."), retriever=retriever)
    right.record(right.user(question))
    rec = right.reply()
    assert rec["grounded"] == "model" and rec["text"] == "Sure! Members can keep a tool kit for 3 days."
    assert rec["answered_from"][0]["row"] == rec["context"][0]["row"]
    system = right.backend.messages[0]["content"]
    assert "The note answers the question" in system and system.count("\n- ") == 1  # that row alone

    free = Session(Says("Paris."), retriever=retriever)
    free.record(free.user("What is the capital of France?"))
    rec = free.reply()
    assert rec["text"] == "Paris." and not {"context", "grounded", "answered_from"} & set(rec)


@pytest.mark.slow
def test_a_pipe_marks_and_counts_what_it_did_not_save(demo_project):
    from lic_cli.chat.learn import Learner
    from lic_cli.chat.session import run
    from lic_cli.models import load_encoder

    project = load_project(demo_project)
    learner = Learner(project, encoder=load_encoder("minilm"))
    s = Session(Says("Thanks, noted!"), learner=learner, stage=Stage(project, "tester"))
    lines = ["The refund window is 30 days.", "How long is the refund window?"]
    records = list(run(lines, session=s, accept="none"))
    teach, reply, _, _ = records
    # Confident: its proposal is pending (--accept none), and the reply says so instead of the model.
    # Uncertain: never located in a pipe; the model answers, told that nothing was saved.
    assert teach["not_saved"].startswith(("the change is pending", "not sure it was meant to teach"))
    assert sum(s.unsaved.values()) == 1 + ("not_saved" in records[2])  # the question may be uncertain too
    if s.unsaved["skipped"]:
        assert reply["text"].startswith("I have not saved that") and reply["not_saved"] is True
    else:
        assert reply["text"] == "Thanks, noted!" and "was not saved" in s.backend.prompts[0][0]["content"]
    assert "30 days" not in json.dumps(s.backend.messages[1:])  # the later prompt does not carry it


def test_the_score_is_the_better_view_lifted_by_the_domain():
    """A row's score: the better of its views (whole row, key alone, the questions it answers), plus
    DOMAIN_WEIGHT times the question's cosine with the task's domain; keywords weigh nothing (docs/chat.md)."""
    import numpy as np

    from lic_cli.chat import rowindex

    texts = ["Q1 A1", "Q2 A2"]
    whole = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32)
    keys = np.array([[0.0, 0.0, 1.0], [0.6, 0.8, 0.0]], dtype=np.float32)
    asked = np.zeros_like(whole)  # the question view (tests/test_chat_queries.py) matches nothing here
    index = rowindex.RowIndex(None, "d", ["r1", "r2"], texts, [{}, {}], np.vstack([whole, keys, asked]), None,
                              rowindex.Keywords(texts))
    domain = np.array([1.0, 1.0, 0.0]) / np.sqrt(2)
    assert np.allclose(index.domain, domain)
    q = np.array([0.0, 0.6, 0.8], dtype=np.float32)
    lift = rowindex.DOMAIN_WEIGHT * float(domain @ q)
    assert np.allclose(index.scores(q, "anything"), [0.8 + lift, 0.6 + lift])  # key view / whole view
    assert rowindex.KEYWORD_BOOST == 0 and rowindex.VIEWS == 3


@pytest.fixture
def bike_coop(tmp_path):
    """A small project of an invented domain: 8 qa rows of a bike co-op."""
    rows = [("When is the bike co-op's repair night?", "Thursdays from 18:00"),
            ("How much does a used bike cost at the co-op?", "between 60 and 150 euros"),
            ("Who leads the wheel-truing class?", "Dana Whitlock"),
            ("Which day is the co-op closed?", "Sundays"),
            ("How long can members borrow a tool kit?", "3 days"),
            ("What does co-op membership cost?", "25 euros a year"),
            ("Where is the bike co-op?", "14 Mill Street, behind the station"),
            ("What brand of chain lube does the co-op sell?", "Rock N Roll Gold")]
    (tmp_path / "tasks.yaml").write_text(
        "version: 1\ntasks:\n  - name: coop_qa\n    description: Questions and answers about a bike co-op.\n"
        "    dataset: coop.jsonl\n    format: qa\n    key: [question]\n", encoding="utf-8")
    (tmp_path / "coop.jsonl").write_text("".join(json.dumps({"question": q, "answer": a}) + "\n" for q, a in rows),
                                         encoding="utf-8")
    return load_project(tmp_path)


@pytest.mark.slow
def test_paraphrases_find_their_row_and_a_question_of_the_same_kind_does_not(bike_coop):
    """In other words, a taught row is found and answers; a general question that matches a row only by
    its kind ("what day", against the day the co-op is closed) is left to the model (score below the
    threshold: the domain term keeps it out; the row's cosine alone, 0.48, passed the old 0.47)."""
    from lic_cli.chat.retrieve import Retriever
    from lic_cli.models import load_encoder

    r = Retriever(bike_coop, load_encoder("minilm"))
    for question, answer in [("Is there an evening when volunteers fix bikes?", "Thursdays from 18:00"),
                             ("How many days can I keep the borrowed tools?", "3 days"),
                             ("What's the yearly fee to join the co-op?", "25 euros a year"),
                             ("What lubricant do you stock for chains?", "Rock N Roll Gold")]:
        top = r.answering(r.search(question))
        assert top is not None and top.fields["answer"] == answer, question
    for question in ["What day comes after Friday?", "Who wrote Hamlet?", "What is the capital of Peru?"]:
        assert r.search(question) == [], question


def test_the_question_form_lifts_situated_questions_and_lowers_rows_of_another_kind(tmp_path):
    """What a question asks for (when: a time or day; how much: a price; who: a person) and whether it
    speaks of the asker move a row's score; phrasings here are not the dev domains'."""
    import numpy as np

    from lic_cli.chat import answertype, rowindex

    assert answertype.asks("When does the pottery studio open?") >= {"time", "day"}
    assert answertype.asks("How much is a day ticket?") >= {"money"}
    assert answertype.asks("Who looks after the beehives?") == {"person"}
    assert answertype.asks("What email should I use for refunds?") == {"email"}
    assert answertype.asks("How much notice do I have to give?") >= {"duration"}
    assert answertype.asks("Tell me about the garden.") == set()
    assert answertype.kinds("7:30 on weekdays") >= {"time", "day"} and "money" in answertype.kinds("€12")
    assert answertype.kinds("refunds@orchard.example") == {"email"}
    assert answertype.kinds("Marta Olsen") == {"person"} and answertype.kinds("the blue door") == set()
    assert answertype.agreement({"money"}, "$12") == 1 and answertype.agreement({"money"}, "Marta Olsen") == -1
    assert answertype.agreement(set(), "$12") == 0 and answertype.agreement({"money"}, "the blue door") == 0
    assert answertype.situated("Can I bring my dog?") and answertype.situated("Where are you?")
    assert not answertype.situated("What is the boiling point of water?")

    task = load_project(_qa_project(tmp_path)).task("qa")
    fields = [{"question": "When does the studio open?", "answer": "9:00"},
              {"question": "How much is a studio pass?", "answer": "$12"}]
    texts = ["a", "b"]
    emb = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 0.0]], dtype=np.float32)
    index = rowindex.RowIndex(task, "d", ["r1", "r2"], texts, fields, emb, None, rowindex.Keywords(texts))
    q = np.array([0.6, 0.8], dtype=np.float32)
    assert rowindex.KIND_PENALTY > 0 and rowindex.SITUATED_LIFT > 0
    base = 0.6 + rowindex.DOMAIN_WEIGHT * 0.6
    assert np.allclose(index.scores(q, "How much does it cost?"), [base - rowindex.KIND_PENALTY, base])
    assert np.allclose(index.scores(q, "How much do I pay?"),
                       [base - rowindex.KIND_PENALTY + rowindex.SITUATED_LIFT, base + rowindex.SITUATED_LIFT])


def _qa_project(root):
    (root / "tasks.yaml").write_text("version: 1\ntasks:\n  - name: qa\n    description: Questions.\n"
                                     "    dataset: qa.jsonl\n    format: qa\n    key: [question]\n", encoding="utf-8")
    (root / "qa.jsonl").write_text("", encoding="utf-8")
    return root
