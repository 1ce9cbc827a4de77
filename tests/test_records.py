import io
import json

import pytest

from lic_cli.errors import InputError, RecordError
from lic_cli.jsonl import Reader, record_id, write_records
from lic_cli.records import Context, normalize, previous_exchange


def read(text: str, name: str = "in.jsonl") -> list[dict]:
    return list(Reader(io.StringIO(text), name))


def test_plain_turns_pass_through_with_unknown_keys():
    recs = read('{"conversation": "c1", "turn": 1, "role": "user", "text": "hi", "x": {"y": [1]}}\n')
    assert recs == [{"conversation": "c1", "turn": 1, "role": "user", "text": "hi", "x": {"y": [1]}}]


def test_missing_conversation_and_turn_are_filled_in_order():
    recs = read('{"role": "user", "text": "a"}\n{"role": "assistant", "content": "b"}\n')
    assert [(r["conversation"], r["turn"], r["role"], r["text"]) for r in recs] == [
        ("default", 1, "user", "a"), ("default", 2, "assistant", "b")]
    assert "content" not in recs[1]


def test_openai_messages_expand_into_turns():
    line = {"id": "conv9", "messages": [{"role": "system", "content": "be nice"},
                                        {"role": "user", "content": [{"type": "text", "text": "hello"}]},
                                        {"role": "assistant", "content": "hi"}], "meta": 1}
    recs = read(json.dumps(line) + "\n")
    assert [(r["conversation"], r["turn"], r["role"], r["text"], r["meta"]) for r in recs] == [
        ("conv9", 1, "system", "be nice", 1), ("conv9", 2, "user", "hello", 1), ("conv9", 3, "assistant", "hi", 1)]


def test_sharegpt_conversations_expand_into_turns():
    line = {"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]}
    recs = read("\n" + json.dumps(line) + "\n")
    assert [(r["conversation"], r["role"], r["text"]) for r in recs] == [("line2", "user", "q"), ("line2", "assistant", "a")]


@pytest.mark.parametrize("text, reason, field", [
    ('{"role": "user", "text": "a"}\n{bad json}\n', "invalid JSON", None),
    ('[1, 2]\n', "expected a JSON object", None),
    ('{"foo": 1}\n', "not a turn", None),
    ('{"role": "robot", "text": "a"}\n', "unknown role", "role"),
    ('{"role": "user", "text": 5}\n', "expected a string", "text"),
    ('{"role": "user", "text": "a", "turn": "x"}\n', "expected an integer", "turn"),
    ('{"messages": [{"role": "user"}]}\n', "needs 'role' and 'content'", "messages[0]"),
])
def test_bad_lines_name_file_line_and_field(text, reason, field):
    with pytest.raises(InputError) as exc:
        read(text)
    err = exc.value
    assert err.source == "in.jsonl" and err.line == text.count("\n") and reason in err.reason
    assert err.field == field
    assert str(err).startswith(f"in.jsonl line {err.line}")


def test_bad_utf8_is_one_clear_error():
    raw = io.TextIOWrapper(io.BytesIO(b'{"role": "user", "text": "ok"}\n{"role": "user", "text": "\xff"}\n'),
                           encoding="utf-8")
    with pytest.raises(InputError) as exc:
        list(Reader(raw, "t.jsonl"))
    assert exc.value.line == 2 and "UTF-8" in exc.value.reason


def test_reader_locates_stage_errors_by_record():
    reader = Reader(io.StringIO('{"role": "user", "text": "a"}\n\n{"role": "user", "text": "b"}\n'), "x.jsonl")
    recs = list(reader)
    err = reader.locate(RecordError("no routes", record=recs[1], field="routes"))
    assert (err.line, err.record_id, err.field) == (3, "default/t2", "routes")


def test_write_records_round_trips_unicode():
    out = io.StringIO()
    assert write_records([{"text": "café ✓"}], out) == 1
    assert out.getvalue() == '{"text": "café ✓"}\n'


def test_context_and_previous_exchange_are_per_conversation():
    ctx = Context(depth=4)
    turns = [{"conversation": "a", "turn": 1, "role": "user", "text": "How long is the refund window?"},
             {"conversation": "b", "turn": 1, "role": "user", "text": "other"},
             {"conversation": "a", "turn": 2, "role": "assistant", "text": "14 days."}]
    for t in turns:
        ctx.add(t)
    now = {"conversation": "a", "turn": 3, "role": "user", "text": "No, 30 days."}
    assert previous_exchange(ctx.before(now)) == ("How long is the refund window?", "14 days.")
    assert previous_exchange(ctx.before({"conversation": "b"})) == ("", "")
    assert record_id(now) == "a/t3"


def test_context_memory_is_bounded():
    ctx = Context(depth=2, conversations=3)
    for i in range(10):
        for t in range(5):
            ctx.add({"conversation": f"c{i}", "turn": t, "role": "user", "text": str(t)})
    assert len(ctx._turns) == 3 and all(len(d) == 2 for d in ctx._turns.values())


def test_normalize_rejects_non_list_messages():
    with pytest.raises(RecordError):
        normalize({"messages": "hi"}, {}, default_conversation="x")
