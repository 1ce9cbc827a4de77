"""chat speed: time to first token and tokens per second through the console's streaming
backend, beside plain `model.generate` of the same model on the same prompt in the same run;
and the per-turn cost of the learning stages (detect, extract, route, locate) and retrieval.

    python bench/bench_chat.py [--model smollm2] [--tokens 64] [--rounds 3] [--no-learning]
                               [--retriever chat|base|ranker|cross|combined]

Targets (issues 8 and 18): chat >= 0.9x the tokens/s of plain generate; first token <= 1 s on
2 cores, retrieval included. A reply a row answers is held back until it states the row's
value (docs/chat.md, "Grounded answers"), so its first token is the first one *shown*.
Two replies are timed: the live-knowledge question (3 retrieved rows, a short answer) and a
free question with a long answer (no rows), so the ratio is seen both where the prompt
dominates and where decoding does. Works on a temporary copy of the demo project; greedy
decoding, so both paths produce the same tokens. Rounds alternate the two paths and the
medians are reported.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTION = "how long do I have to return something?"  # a row whose answer is a sentence: said as it is
SHORT = "Who started Kestrel?"  # a fact with a short value: the model puts it in a sentence, checked
LONG = "Tell me a very long story about a dragon who guards a castle."
TURNS = [  # (user text, previous assistant text): teaching and ordinary turns of a session
    ("The refund window is 30 days.", None),
    ("No, it's 30 days now.", "You can request a refund within 14 days of delivery."),
    ("Kestrel's support phone number is +1 555 0199.", None),
    ("Please forget Kestrel's fax number.", None),
    ("Do you ship to Canada?", None),
    ("Great, thanks!", "Yes, we ship to Canada."),
    ("What is the warranty on laptops?", None),
    ("hello there", None),
]


def plain(lm, messages, grounded: bool) -> tuple[float, float, int]:
    """(seconds to the first token, total seconds, new tokens) of model.generate."""
    import torch

    enc = lm.encode(messages)
    kwargs = lm.generate_kwargs(grounded)
    with torch.inference_mode():
        t0 = time.perf_counter()
        lm.model.generate(**enc, **{**kwargs, "max_new_tokens": 1})
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        out = lm.model.generate(**enc, **kwargs)
        total = time.perf_counter() - t0
    return first, total, int(out.shape[1] - enc["input_ids"].shape[1])


def streamed(session, sink) -> tuple[float, float, int]:
    """The console's path: retrieval, prompt, the backend generating in this thread and each
    piece written and flushed to a file as it comes (the console writes to the terminal).
    Retrieval is part of the wait, so it counts in the first token and in the total."""
    def write(piece: str) -> None:
        sink.write(piece)
        sink.flush()

    session.generate_reply(write)
    st = session.last_stats
    return st.first_token_s + st.retrieve_s, st.seconds + st.retrieve_s, st.tokens, st.retrieve_s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--tokens", type=int, default=64, help="max new tokens per reply")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-learning", action="store_true", help="time the replies only")
    ap.add_argument("--cross-folder", help="with --retriever cross/combined: this trained re-ranker (default: the cached one)")
    ap.add_argument("--ranker-folder", help="with --retriever ranker/combined: this trained ranker (default: the cached one)")
    ap.add_argument("--retriever", choices=["chat", "base", "ranker", "cross", "combined"], default="chat",
                    help="what scores rows: what chat would use here (chat), the base model's blend, the learned "
                         "ranker, the cross-encoder re-ranker over the base model's best k, or both combined "
                         "(chat/combine.py)")
    args = ap.parse_args()

    from lic_cli.models import offline

    offline()
    work = Path(tempfile.mkdtemp(prefix="bench-chat-"))
    shutil.copy(ROOT / "tasks.yaml", work / "tasks.yaml")
    shutil.copytree(ROOT / "datasets", work / "datasets")
    os.environ.setdefault("LIC_HOME", str(ROOT / ".lic" / "home"))

    from lic_cli.chat.backend import LocalLM
    from lic_cli.chat.learn import Learner
    from lic_cli.chat.retrieve import Retriever
    from lic_cli.chat.session import Session, says_itself
    from lic_cli.models import load_encoder
    from lic_cli.tasks import load_project

    t0 = time.perf_counter()
    project = load_project(work)
    lm = LocalLM(args.model, max_new_tokens=args.tokens)
    encoder = load_encoder("minilm")
    learner = None if args.no_learning else Learner(project, encoder=encoder)
    choice = {} if args.retriever == "chat" else {"ranker": args.retriever in ("ranker", "combined"),
                                                   "cross": args.retriever in ("cross", "combined")}
    if args.cross_folder and args.retriever in ("cross", "combined"):
        from lic_cli.chat import crossenc

        choice["cross"] = crossenc.cached(path=Path(args.cross_folder))
        if choice["cross"] is None:
            raise SystemExit(f"{args.cross_folder}: no cross.json")
    if args.ranker_folder and args.retriever in ("ranker", "combined"):
        from lic_cli.chat import ranker

        choice["ranker"] = ranker.cached(path=Path(args.ranker_folder))
        if choice["ranker"] is None:
            raise SystemExit(f"{args.ranker_folder}: no ranker.json")
    retriever = Retriever(project, encoder, **choice)
    scorer = ("ranker and re-ranker combined" if retriever.combined is not None else
              "cross-encoder re-ranker" if retriever.cross is not None else
              "learned ranker" if retriever.ranker is not None else "base model")
    retriever.search(QUESTION)  # open the indexes once, as the first turn of a session does
    load_s = time.perf_counter() - t0

    threads = __import__("torch").get_num_threads()
    print(f"model {lm.name}; up to {args.tokens} new tokens; {args.rounds} rounds; torch threads {threads}; "
          f"cores {os.cpu_count()}; models loaded in {load_s:.1f} s; load average {os.getloadavg()[0]:.1f}; "
          f"rows scored by the {scorer} (threshold {retriever.threshold})")
    sink = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (closed at the end)
    for question in (QUESTION, SHORT, LONG):
        session = Session(lm, retriever=retriever)
        session.record(session.user(question))
        hits = session.retrieve(question)
        # Session 14: the language model's reading of near-tied rows (chat/lmrank.py), in the retrieval time.
        read = retriever.reader.last_s if getattr(retriever, "reader", None) is not None else 0.0
        print(f"\n'{question}': read by the language model: " + (f"yes, {read:.3f} s" if read else "no"))
        answering = retriever.answering(hits)
        if answering is not None:
            hits = [answering]  # the one note the model is given (lic_cli/chat/session.py)
        messages = session.messages(hits, answering)  # the prompt the console gives
        grounded = bool(hits)
        if answering is not None and says_itself(project.task(answering.task), answering):
            said = [streamed(session, sink) for _ in range(args.rounds)]
            print(f"\n'{question}': row {answering.task} {answering.row} ({answering.score:.3f}) answers in its own "
                  f"words, said at once with no generation: first token {statistics.median(r[0] for r in said):.3f}"
                  f" s, retrieval included (target <= 1 s); load average {os.getloadavg()[0]:.1f}")
            continue
        plain_runs, chat_runs = [], []
        plain(lm, messages, grounded)  # warm-up: first calls pay one-off allocations
        for _ in range(args.rounds):
            plain_runs.append(plain(lm, messages, grounded))
            chat_runs.append(streamed(session, sink))

        def med(runs, i):
            return statistics.median(r[i] for r in runs)

        def rates(runs):
            """(tokens / total time, tokens after the first / time after the first token), medians."""
            return (statistics.median(r[2] / r[1] for r in runs),
                    statistics.median((r[2] - 1) / (r[1] - r[0]) for r in runs if r[1] > r[0]))

        print()
        print(f"'{question}': {len(lm.encode(messages)['input_ids'][0])} prompt tokens ({len(hits)} rows of "
              f"live knowledge); load average {os.getloadavg()[0]:.1f}")
        print(f"{'path':<37}{'first token s':>14}{'tokens':>8}{'total s':>9}{'tok/s':>8}{'decode tok/s':>14}")
        table = [("plain model.generate", plain_runs), ("chat (retrieval + streaming)", chat_runs)]
        for name, runs in table:
            tps, decode = rates(runs)
            print(f"{name:<37}{med(runs, 0):>14.3f}{med(runs, 2):>8.0f}{med(runs, 1):>9.2f}{tps:>8.1f}"
                  f"{decode:>14.1f}")
        (p_tps, p_dec), (c_tps, c_dec) = (rates(r) for _, r in table)
        per_round = ", ".join(f"{c[2] / c[1] / (p[2] / p[1]):.2f}" for p, c in zip(plain_runs, chat_runs,
                                                                                    strict=True))
        print(f"chat / plain tok/s: {c_tps / p_tps:.2f}x (rounds: {per_round}); decode tok/s: "
              f"{c_dec / p_dec:.2f}x; target >= 0.9x")
        print(f"chat retrieval {med(chat_runs, 3):.3f} s a turn (in the first token and the total); the rest of "
              f"the chat total {med(chat_runs, 1) - med(chat_runs, 3):.2f} s against plain {med(plain_runs, 1):.2f} s")
        print(f"chat first token {med(chat_runs, 0):.2f} s, retrieval included (target <= 1 s)"
              + (f"; grounded reply: {session.last_grounded}" if session.last_grounded else ""))
    sink.close()
    if not args.no_learning:
        learning(learner, retriever, args.rounds)
    shutil.rmtree(work, ignore_errors=True)


def learning(learner, retriever, rounds: int) -> None:
    """Per-turn cost of learning: each turn through the four stages, models loaded once."""
    per: dict[str, list[float]] = {"detect": [], "extract": [], "route": [], "locate": []}
    retrieval = []
    teaching = 0
    learner.run([], {"conversation": "b", "turn": 1, "role": "user", "text": TURNS[0][0]})  # warm-up
    for rnd in range(rounds):
        for n, (text, before) in enumerate(TURNS):
            history = []
            if before:
                history = [{"conversation": f"b{rnd}{n}", "turn": 1, "role": "user", "text": "How long is the "
                            "refund window?"}, {"conversation": f"b{rnd}{n}", "turn": 2, "role": "assistant",
                                                "text": before}]
            rec = {"conversation": f"b{rnd}{n}", "turn": len(history) + 1, "role": "user", "text": text}
            learned = learner.run(history, rec)
            teaching += learned.teaching
            for stage in per:
                per[stage].append(learned.seconds.get(stage, 0.0))
            t = time.perf_counter()
            retriever.search(text)
            retrieval.append(time.perf_counter() - t)
    print()
    print(f"learning per user turn, ms ({len(TURNS)} turns x {rounds} rounds, {teaching} of them teaching; "
          "extract/route/locate run on teaching turns only)")
    print(f"{'stage':<12}{'mean':>8}{'median':>8}{'max':>8}")
    total = [sum(vals) for vals in zip(*per.values(), strict=True)]
    for name, vals in [*per.items(), ("all four", total), ("retrieval", retrieval)]:
        print(f"{name:<12}{statistics.mean(vals) * 1000:>8.1f}{statistics.median(vals) * 1000:>8.1f}"
              f"{max(vals) * 1000:>8.1f}")


if __name__ == "__main__":
    main()
