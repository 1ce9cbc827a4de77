"""Self-distillation replay: general questions answered once by the model before the teaching.

Teaching a few facts moves weights that every answer uses, and a model taught only facts
of one shape ("X is called Y.") starts answering everything in that shape: issue 21 saw the
weights alone answer 81 general questions with short names. Replaying old rows of the task
does not stop that when the task's rows are all of the taught kind. So the training mixes
in (`SFTParams.distill`) general questions and requests answered by the model from before
the teaching (the task's base), in its own words: the weights keep being asked to answer
them as they did, and `SFTParams.kl_weight` can pull the whole next-token distribution on
them back to the base's as well (sft.py).

The pool is fixed and ships with lic: 80 varied questions and requests (facts, how-to,
language, maths, small writing tasks), written for this purpose, disjoint from the
benchmark's locality questions (bench/domains/general.jsonl lists them as `pool`). The
base's answers are generated once per base model and cached in $LIC_HOME/distill/.

torch and transformers are imported inside functions: importing this module is cheap.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

POOL: tuple[str, ...] = (
    'What is the capital of Chile?',
    'What is the capital of Turkey?',
    'What is the capital of Vietnam?',
    'What is the capital of Morocco?',
    'How many moons does Mars have?',
    'What is photosynthesis?',
    'Why is the sea salty?',
    'What causes rain?',
    'What is the speed of light?',
    'What is a black hole?',
    'Who wrote Pride and Prejudice?',
    'Who painted The Starry Night?',
    'Who was Marie Curie?',
    'What is the tallest animal?',
    'How long do elephants live?',
    'What do pandas eat?',
    'What is 7 times 8?',
    'What is the square root of 81?',
    'What is 15 percent of 200?',
    'How many seconds are in a minute?',
    'How can I improve my sleep?',
    'What are some tips for saving money?',
    'How do I write a good email?',
    'Give me three ideas for a rainy day.',
    'Write a short poem about autumn.',
    'Tell me a fun fact about octopuses.',
    'What is the difference between weather and climate?',
    'What is a noun?',
    'What is the past tense of run?',
    "Translate 'thank you' into Spanish.",
    'How do you say hello in French?',
    'What is the plural of goose?',
    'What is machine learning?',
    'What does HTML stand for?',
    'What is a password manager?',
    'How does Wi-Fi work?',
    'How do you make a cup of tea?',
    'What vegetables are rich in iron?',
    'Is chocolate bad for dogs?',
    'What is the Great Wall of China?',
    'Who built the pyramids?',
    'What was the Renaissance?',
    'How many players are on a football team?',
    'What sport uses a shuttlecock?',
    'What is yoga?',
    'What should I pack for a beach holiday?',
    'How can I stay calm before an exam?',
    'What is a healthy breakfast?',
    'What is the boiling point of water in Fahrenheit?',
    'What is the chemical symbol for iron?',
    'What is an atom?',
    'What is DNA?',
    'What is the longest river in South America?',
    'What is the highest mountain in Africa?',
    'Where is Mount Fuji?',
    'How do I change a flat tyre?',
    'How does a refrigerator keep food cold?',
    'Why do leaves change colour in autumn?',
    'What is the Pythagorean theorem?',
    'What is a prime number?',
    'How many degrees are in a circle?',
    'Can you recommend a classic novel?',
    'What is jazz music?',
    'Who composed the Moonlight Sonata?',
    'Explain what a verb is in one sentence.',
    'Summarise the story of Cinderella in two sentences.',
    'What are the primary colours?',
    'What is the freezing point of water in Fahrenheit?',
    'What is the capital of Nigeria?',
    'Which animal is known as the king of the jungle?',
    'What do frogs eat?',
    'What is a volcano?',
    'How are rainbows formed?',
    'What is the ozone layer?',
    'What time zone is London in?',
    'How many weeks are in a year?',
    'What day comes after Friday?',
    'What is a good way to learn a new language?',
    'Why is exercise important?',
    'How do I make my password stronger?',
)
MAX_NEW_TOKENS = 48  # the start of an answer is what locality is judged on (32 tokens)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def answers(base: Path, system: str, *, note: Callable[[str], None] | None = None) -> dict[str, str]:
    """{question: the base's greedy answer} for the pool, from the cache or generated once."""
    from lic_cli import models
    from lic_cli.store.atomic import write_atomic

    key = hashlib.sha256(json.dumps([models.describe(base), system, MAX_NEW_TOKENS, POOL]).encode()).hexdigest()[:16]
    path = models.cache_dir("distill") / f"{key}.json"
    if path.is_file():
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(cached, dict) and set(cached) == set(POOL):
                return cached
        except ValueError:
            pass  # a damaged cache is only lost time
    if note:
        note(f"self-distillation: {models.describe(base)} answers the {len(POOL)} pool questions once (cached)")
    from lic_cli.train.evaluate import Answerer

    said = Answerer(base, max_new_tokens=MAX_NEW_TOKENS, cache=False, gate=False)(list(POOL))
    out = {q: _whole_sentences(a) for q, a in zip(POOL, said, strict=True)}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(out, ensure_ascii=False, indent=0))
    return out


def _whole_sentences(answer: str) -> str:
    """An answer cut by the token limit loses its unfinished last sentence (when one is finished)."""
    ends = [m.end() for m in _SENTENCE_END.finditer(answer)]
    return answer[:ends[-1]] if ends and ends[-1] < len(answer.rstrip()) else answer


def sample(n: int, seed: int) -> list[str]:
    """n pool questions (all when n >= the pool), seeded."""
    if n >= len(POOL):
        return list(POOL)
    return random.Random(seed).sample(list(POOL), n)
