"""The new-project trial (issue 16): the real pipeline on three projects written for it, judged
against gold written before the first run (evals/trial/README.md).

For each judged user turn, in transcript order: the datasets are set to their gold state
before the turn; the turn's conversation so far goes through route and locate (after detect
and extract over the whole transcript, or with the gold intent and knowledge given:
--mode gold); apply writes and applies the turn's patches, the stale-value sweep's
proposals accepted (`lic apply --yes --sweep`: the person accepts what the sweep proposes;
how many of those proposals were right is counted beside); then every dataset is compared
with its gold state after the turn. Prints a per-stage table (stderr) and, with --json, the
per-turn results.

    python evals/trial/run_trial.py                 # all three modes, all three domains
    python evals/trial/run_trial.py --mode gold     # route / locate / apply only
    python evals/trial/run_trial.py --round round2  # round 2 (held out; evals/trial/round2/README.md)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, utils

HERE = Path(__file__).resolve().parent
DOMAINS = ("clinic", "library", "cowork")
STAGES = ("detect", "extract", "route", "locate", "end state")
LABELS = {"end state": "apply"}  # the datasets after apply are the gold state
OPTS = {"engine": "auto"}  # lic extract's default engine; --engine changes it
LENIENT = 85  # an added row's key and value: token_set_ratio at least this against the gold row


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def rid(rec: dict) -> str:
    return f"{rec['conversation']}/t{rec['turn']}"


def norm(v: Any) -> str:
    return utils.default_process(str(v))


def cols(task) -> list[str]:
    return [task.column(f) for f in task.key_fields + task.value_fields]


def proj(task, row: dict) -> tuple[str, ...]:
    return tuple(norm(row.get(c, "")) for c in cols(task))


def key_of(task, row: dict) -> tuple[str, ...]:
    return tuple(norm(row.get(task.column(f), "")) for f in task.key_fields)


def apply_gold(task, rows: list[dict], changes: list[dict]) -> list[dict]:
    out = [dict(r) for r in rows]
    for ch in changes:
        if ch["task"] != task.name:
            continue
        if ch["op"] == "add":
            out.append({**ch["after"], task.split_column: task.default_split})
            continue
        want = tuple(norm(ch["key"][task.column(f)]) for f in task.key_fields)
        hit = [i for i, r in enumerate(out) if key_of(task, r) == want]
        if len(hit) != 1:
            raise SystemExit(f"gold {ch}: {len(hit)} rows with that key in {task.name}")
        if ch["op"] == "delete":
            out.pop(hit[0])
        else:
            out[hit[0]] = {**out[hit[0]], **ch["after"]}
    return out


def same_state(task, got: list[dict], want: list[dict], added: list[dict]) -> bool:
    """Equal row multisets on the key and value columns. Rows the gold adds may be worded
    differently (the extractor's words): they match leniently."""
    g = [proj(task, r) for r in got]
    w = [proj(task, r) for r in want]
    left = list(g)
    lenient = []
    for row in w:
        if row in left:
            left.remove(row)
        else:
            lenient.append(row)
    if len(lenient) != len(left):
        return False
    added_rows = {proj(task, a) for a in added}
    for row in lenient:
        if row not in added_rows:
            return False
        match = next((x for x in left if all(fuzz.token_set_ratio(a, b) >= LENIENT for a, b in zip(row, x, strict=True))), None)
        if match is None:
            return False
        left.remove(match)
    return True


def item_ok(gold: dict, got: list[dict]) -> bool:
    from lic_cli.tasks import FORMATS

    def text(item: dict, part: str) -> str:
        if item["kind"] == "forget":
            return item.get("target", "") if part == "value" else ""
        fields = FORMATS[item["kind"]][part]
        return " ".join(str(item.get(f, "")) for f in fields)

    for g in gold:
        if not any(x.get("kind") == g["kind"]
                   and fuzz.token_set_ratio(norm(text(g, "value")), norm(text(x, "value"))) >= 80
                   and (g["kind"] == "forget" or fuzz.token_set_ratio(norm(text(g, "key")), norm(text(x, "key"))) >= 70)
                   for x in got):
            return False
    return True


def edit_keys(project, edits: list[dict]) -> set[tuple[str, str, tuple[str, ...]]]:
    out = set()
    for e in edits:
        if e.get("op") not in ("add", "update", "delete") or e.get("review") not in (None, "sweep"):
            continue
        task = project.task(e["task"])
        row = e.get("before") if e["op"] != "add" else e.get("after")
        out.add((task.name, e["op"], key_of(task, row or {})))
    return out


def gold_keys(project, changes: list[dict]) -> set[tuple[str, str, tuple[str, ...]]]:
    out = set()
    for ch in changes:
        task = project.task(ch["task"])
        src = ch["after"] if ch["op"] == "add" else ch["key"]
        out.add((task.name, ch["op"], tuple(norm(src.get(task.column(f), "")) for f in task.key_fields)))
    return out


def keys_match(got: set, want: set) -> bool:
    if len(got) != len(want):
        return False
    left = list(got)
    for w in want:
        m = next((g for g in left if g[:2] == w[:2] and all(fuzz.token_set_ratio(a, b) >= LENIENT
                                                              for a, b in zip(g[2], w[2], strict=True))), None)
        if m is None:
            return False
        left.remove(m)
    return True


def annotate(domain: Path, project, mode: str, detector, encoder) -> list[dict]:
    from lic_cli import detect, extract
    from lic_cli.extract.schema import make_item

    teach = read_jsonl(domain / "teach.jsonl")
    if mode == "full":
        if isinstance(detector, str):  # no detector for this project: nothing is detected
            return teach
        from lic_cli.detect.labelcue import project_labels

        # the project's label names as the label cue's evidence, as `lic detect` and chat pass them (session 13)
        return list(extract.run(detect.run(teach, model=detector, labels=project_labels(project)),
                                engine=engine_for(project), project=project))
    gold = {g["turn"]: g for g in read_jsonl(domain / "gold.jsonl")}
    out = []
    for rec in teach:
        g = gold.get(rid(rec))
        if g is not None:
            rec = {**rec, "intent": {"label": g["intent"], "score": 1.0}}
            if g["intent"] != "none" and mode == "gold":
                rec["knowledge"] = [make_item(k["kind"], {f: v for f, v in k.items() if f != "kind"},
                                              source=rid(rec), engine="gold") for k in g["knowledge"]]
        out.append(rec)
    if mode == "extract":
        out = list(extract.run(out, engine=engine_for(project), project=project))
    return out


def engine_for(project):
    """The extract engine by name, or `auto` over a learned model folder given with --learned."""
    if not OPTS.get("learned"):
        return OPTS["engine"]
    from lic_cli.extract.auto import AutoEngine
    from lic_cli.extract.learned import LearnedEngine

    if "model" not in OPTS:
        OPTS["model"] = LearnedEngine.from_folder(Path(OPTS["learned"]))
    if OPTS["engine"] == "learned":
        return OPTS["model"]
    return AutoEngine(learned=lambda: OPTS["model"], project=project)


def load_detector(project):
    """The detector `lic detect` would use here, or the reason there is none (a string)."""
    from lic_cli import detect
    from lic_cli.errors import LicError

    try:
        return detect.load_model(project)
    except LicError as exc:
        return str(exc)


def run_domain(name: str, mode: str, detector_for, encoder, base: Path = HERE) -> list[dict]:
    from lic_cli import locate, router
    from lic_cli.patches.run import apply_records
    from lic_cli.store.rows import iter_rows
    from lic_cli.tasks import load_project

    src = base / name
    work = Path(tempfile.mkdtemp(prefix=f"lic-trial-{name}-"))
    try:
        shutil.copy(src / "tasks.yaml", work / "tasks.yaml")
        shutil.copytree(src / "datasets", work / "datasets")
        project = load_project(work)
        detector = detector_for(project) if mode == "full" else None
        if isinstance(detector, str):
            print(f"{name}: no detector: {detector}", file=sys.stderr)
        recs = annotate(src, project, mode, detector, encoder)
        gold = read_jsonl(src / "gold.jsonl")
        state = {t.name: [row for _, _, row in iter_rows(t, project.dataset_path(t))] for t in project.tasks.values()}
        results = []
        for g in gold:
            for t in project.tasks.values():  # the gold state before this turn
                project.dataset_path(t).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                                           for r in state[t.name]), encoding="utf-8")
            at = next(i for i, r in enumerate(recs) if rid(r) == g["turn"])
            conv = [r for r in recs[:at + 1] if r["conversation"] == recs[at]["conversation"]]
            located = list(locate.run(router.run(conv, project=project, encoder=encoder), project=project,
                                      encoder=encoder))
            rec = located[-1]
            list(apply_records([rec], project=project, author="trial", message=None, apply=True, dry_run=False,
                               approve=True, notify=lambda _m: None, sweep=True))
            want = {t.name: apply_gold(t, state[t.name], g["changes"]) for t in project.tasks.values()}
            got = {t.name: [row for _, _, row in iter_rows(t, project.dataset_path(t))] for t in project.tasks.values()}
            added = {t.name: [c["after"] for c in g["changes"] if c["task"] == t.name and c["op"] == "add"]
                     for t in project.tasks.values()}
            end = all(same_state(t, got[t.name], want[t.name], added[t.name]) for t in project.tasks.values())
            intent = (rec.get("intent") or {}).get("label")
            routed = {r["task"] for r in rec.get("routes") or []}
            need = {c["task"] for c in g["changes"] if c.get("via") == "route"}
            edits = rec.get("edits") or []
            swept = edit_keys(project, [e for e in edits if e.get("signal") == "sweep"])
            want_keys = gold_keys(project, g["changes"])
            results.append({
                "swept": len(swept), "swept_right": sum(any(keys_match({k}, {w}) for w in want_keys) for k in swept),
                "domain": name, "turn": g["turn"], "intent": g["intent"], "teaching": g["intent"] != "none",
                "correction": g["intent"] == "correct",
                "detect": intent == g["intent"],
                "extract": item_ok(g["knowledge"], rec.get("knowledge") or []) if g["intent"] != "none"
                else not rec.get("knowledge"),
                "route": need <= routed,
                "locate": keys_match(edit_keys(project, edits), gold_keys(project, g["changes"])),
                "end state": end,
                "got_intent": intent, "knowledge": rec.get("knowledge") or [],
                "edits": [{k: e.get(k) for k in ("task", "op", "row", "signal", "review", "reason") if e.get(k)}
                          for e in edits],
                "wrong": {t: {"got": got[t], "want": want[t]} for t in got
                          if not same_state(project.task(t), got[t], want[t], added[t])},
            })
            state = want
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


def table(results: list[dict], title: str) -> str:
    groups = [("teaching turns", [r for r in results if r["teaching"]]),
              ("corrections", [r for r in results if r["correction"]])]
    domains = dict.fromkeys(r["domain"] for r in results)
    groups += [(f"  {d}", [r for r in results if r["teaching"] and r["domain"] == d]) for d in domains]
    lines = [title, f"{'stage':<10} " + " ".join(f"{g:>16}" for g, _ in groups)]
    for stage in STAGES:
        cells = []
        for _, rs in groups:
            ok = sum(r[stage] for r in rs)
            cells.append(f"{ok}/{len(rs)} {100 * ok / len(rs):5.1f}%" if rs else "-")
        lines.append(f"{LABELS.get(stage, stage):<10} " + " ".join(f"{c:>16}" for c in cells))
    none = [r for r in results if not r["teaching"]]
    swept, right = sum(r["swept"] for r in results), sum(r["swept_right"] for r in results)
    lines.append(f"stale-value sweep proposals: {swept}, in the gold changes: {right}")
    lines.append(f"non-teaching turns left every dataset unchanged: {sum(r['end state'] for r in none)}/{len(none)}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=("full", "extract", "gold", "all"), default="all",
                    help="full: detect and extract on main; extract: gold intent, extract on main; "
                         "gold: gold intent and knowledge")
    ap.add_argument("--engine", default=OPTS["engine"], help="extract engine (default: lic extract's default, auto)")
    ap.add_argument("--learned", default="", help="a trained learned-engine folder ($LIC_HOME/cache/extract/learned-*) "
                                                  "for auto / learned, instead of the one for the packaged corpus")
    ap.add_argument("--round", default=[], action="append",
                    help="a round folder under evals/trial (round2); repeat it to run several rounds with one "
                         "model load ('round1' is round 1); default: round 1")
    ap.add_argument("--domains", nargs="*", default=None, help="default: every project of the round")
    ap.add_argument("--json", type=Path, default=None, help="write per-turn results here")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every failing turn")
    args = ap.parse_args()
    from lic_cli.models import load_encoder

    OPTS["engine"] = args.engine
    OPTS["learned"] = args.learned
    rounds = ["" if r == "round1" else r for r in args.round] or [""]

    encoder = load_encoder("minilm")
    out: dict[str, dict[str, list[dict]]] = {}
    for rnd in rounds:
        base = HERE / rnd if rnd else HERE
        domains = args.domains or (sorted(p.name for p in base.iterdir() if (p / "gold.jsonl").is_file())
                                   if rnd else list(DOMAINS))
        out[rnd or "round1"] = run_round(base, domains, args.mode, encoder, rnd or "round1", args.verbose)
    if args.json:
        data = out[rounds[0] or "round1"] if len(rounds) == 1 else out
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


def run_round(base: Path, domains: list[str], mode_arg: str, encoder, name: str, verbose: bool) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for mode in ("full", "extract", "gold") if mode_arg == "all" else (mode_arg,):
        t0 = time.perf_counter()
        res = []
        for d in domains:
            res += run_domain(d, mode, load_detector, encoder, base)
        out[mode] = res
        title = {"full": "Full pipeline (detect, extract: what is on main)",
                 "extract": "Gold intent given (extract on main, then route, locate, apply)",
                 "gold": "Gold intent and knowledge given (route, locate, apply)"}[mode]
        print(table(res, f"{name}: {title}: {time.perf_counter() - t0:.0f} s"), file=sys.stderr)
        if verbose:
            for r in res:
                bad = [s for s in STAGES if not r[s]]
                if bad:
                    print(f"  {mode} {r['domain']} {r['turn']}: wrong at {', '.join(bad)}; edits {r['edits']}",
                          file=sys.stderr)
        print(file=sys.stderr)
    return out


if __name__ == "__main__":
    sys.exit(main())
