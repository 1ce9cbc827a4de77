"""The llm engine: any chat model, prompted for JSON, validated, repaired once.

The model is a local Hugging Face chat model (an alias such as `smollm2` or a folder),
or an OpenAI-compatible endpoint. It was not trained on our format, so the prompt
spells the schema out and shows a few short examples. Its answer is parsed and
validated (`prompt.parse`); an invalid answer gets exactly one repair turn that shows
the model its answer and the validation error. Still invalid: the turn's outcome is an
error (the record gets an `errors` entry and is counted as a reject), never dropped.
"""

from __future__ import annotations

from typing import Protocol

from lic_cli.errors import InputError
from lic_cli.extract import prompt
from lic_cli.extract.engine import Outcome, Turn
from lic_cli.extract.generate import Completion, Messages

SYSTEM = (
    "You extract the knowledge a user teaches in a conversation. Answer with a JSON list only, "
    "no prose. Item kinds and their keys:\n"
    '- {"kind":"qa","question":"...","answer":"..."}: a question and its answer\n'
    '- {"kind":"fact","subject":"...","relation":"...","object":"..."}: a named thing\'s property\n'
    '- {"kind":"label","text":"...","label":"...","task":"..."}: an example text and its label '
    '("task" only when the user names it)\n'
    '- {"kind":"forget","target":"..."}: what the user wants forgotten\n'
    'When the user corrects the assistant, answer the earlier question and add "replaces" with '
    'the old answer. Resolve "it", "that" and bare values against the context. If nothing is '
    "taught, answer []."
)
# Few-shot examples as earlier chat turns: small models copy the format far better from
# examples than from a description. Short, to keep the prompt cheap.
EXAMPLES: list[tuple[str, list[dict], str, list[dict]]] = [
    ("Kestrel's CEO is Dana Whitfield and the refund window is 30 days.", [], "teach",
     [{"kind": "fact", "subject": "Kestrel", "relation": "CEO", "object": "Dana Whitfield"},
      {"kind": "qa", "question": "What is the refund window?", "answer": "30 days"}]),
    ("No, it's $12.99.", [{"role": "user", "text": "How much is express shipping?"},
                          {"role": "assistant", "text": "Express shipping is $9.99."}], "correct",
     [{"kind": "qa", "question": "How much is express shipping?", "answer": "$12.99",
       "replaces": "Express shipping is $9.99."}]),
    ("'where is my parcel' is a shipping ticket. Also forget the fax number.", [], "teach",
     [{"kind": "label", "text": "where is my parcel", "label": "shipping"},
      {"kind": "forget", "target": "fax number"}]),
    ("Don't forget to include my receipt.", [], "teach", []),
]
REPAIR = ("Your answer is not valid: {error}. Answer again with only the JSON list of items, "
          "using exactly the keys listed.")


class Generator(Protocol):
    name: str

    def complete(self, conversations: list[Messages]) -> list[Completion]: ...


def messages(turn: Turn) -> Messages:
    """System prompt, the few-shot examples, then the turn (formatted as in `prompt.messages`)."""
    out: Messages = [{"role": "system", "content": SYSTEM}]
    for text, context, label, items in EXAMPLES:
        out.append(prompt.messages(text, context, label)[1])
        out.append({"role": "assistant", "content": prompt.target(items)})
    out.append(prompt.messages(turn.text, turn.context, turn.label)[1])
    return out


class LLMEngine:
    name = "llm"

    def __init__(self, generator: Generator) -> None:
        self.generator = generator
        self.model = generator.name

    def extract(self, turns: list[Turn]) -> list[Outcome]:
        convs = [messages(t) for t in turns]
        answers = self.generator.complete(convs)
        outcomes = [_validated(a.text) for a in answers]
        retry = [i for i, o in enumerate(outcomes) if o.error is not None]
        if retry:
            repair = [[*convs[i], {"role": "assistant", "content": answers[i].text},
                       {"role": "user", "content": REPAIR.format(error=outcomes[i].error)}] for i in retry]
            for i, answer in zip(retry, self.generator.complete(repair), strict=True):
                second = _validated(answer.text)
                if second.error is None:
                    second.repaired = True
                else:
                    second.error = f"invalid answer, also after one repair retry: {second.error}"
                    second.output = answer.text
                outcomes[i] = second
        return outcomes


def _validated(text: str) -> Outcome:
    try:
        return Outcome(items=prompt.parse(text), output=text)
    except InputError as exc:
        return Outcome(error=exc.format(), output=text)
