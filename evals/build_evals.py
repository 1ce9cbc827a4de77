"""Writes evals/route.jsonl and evals/locate.jsonl from the demo datasets plus the
hand-written cases below. Deterministic: rerun after editing a case list.

Each case: id, split (dev: tune thresholds here; test: report only), case (the kind of
situation), the knowledge item, and what a person would expect. Rows are named by their
key columns (readable, and stable when ids are hashes).

    python evals/build_evals.py
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "datasets"

# Issue 16 routes knowledge across kinds: a QA pair goes to the facts task too when a facts row
# states what its question asks, and a fact goes to the QA task when one of its questions asks
# for that fact. Labelled by hand from the datasets (the question asks this fact; the stored
# answer or object states it), not from the router's output. Borderline cases left out: a
# question about existence or use ("Do you offer installation...?", "Do you have a trade-in
# program?") whose answer happens to carry the value.
QA_ALSO_FACTS = {
    'how long is the refund window',
    'Hi, what amounts do gift cards come in?',
    'Do the Aero 2 headphones have noise cancelling please?',
    'quick question: does the kestrel link cable support fast charging?',
    'Hi, which chargers work with the Glide 16?',
    'Hi, what time does the Chicago store close?',
    'How many days do I get to ask for my money back?',
    'Can businesses pay with an invoice?',
    'When does Kestrel Chicago close?',
    'What values can I buy a gift card for?',
    'Can I pay for expensive items in instalments?',
    'Can the Kestrel Link cable fast charge?',
    'Does the Pulse smartwatch measure blood oxygen?',
}
FACT_ALSO_QA = {
    ('Kestrel', 'fax number'),
    ('Kestrel', 'website'),
    ('Kestrel', 'refund window'),
    ('Kestrel', 'standard shipping time'),
    ('Kestrel', 'canada shipping fee'),
    ('Kestrel', 'signature required above'),
    ('Kestrel', 'warranty on kestrel-brand products'),
    ('Kestrel', 'newsletter discount'),
    ('Kestrel', 'business program'),
    ('Kestrel Care+', 'price'),
    ('Kestrel Seattle', 'address'),
    ('Kestrel Aero 2 headphones', 'price'),
    ('Kestrel Aero Buds', 'water resistance'),
    ('Kestrel Glide 14 laptop', 'weight'),
    ('Kestrel Volt 65W charger', 'included cable'),
    ('Kestrel Haven camera', 'weather rating'),
}

# Hand-written rewordings of existing support questions (same meaning, different words).
PARAPHRASES = [
    ("How long is the refund window?", "How many days do I get to ask for my money back?"),
    ("Do you deliver on Saturdays?", "Will my parcel arrive on a Saturday?"),
    ("Can I pay with bitcoin?", "Do you take Bitcoin as payment?"),
    ("How do I reset my password?", "I forgot my password, how can I reset it?"),
    ("How do I update my saved address?", "Where can I edit the addresses saved in my account?"),
    ("Where do I send a complaint?", "Who do I email if I want to complain?"),
    ("Is there a store in New York?", "Do you have a shop in NYC?"),
    ("Can my company pay by invoice?", "Can businesses pay with an invoice?"),
    ("Is the Pulse watch compatible with iPhone?", "Does the Pulse smartwatch work with an iPhone?"),
    ("How do I update the firmware on my Aero 2?", "How can I install a firmware update on the Aero 2 headphones?"),
    ("Do you offer international shipping to Europe?", "Can you ship my order to Europe?"),
    ("Can I reload my gift card?", "Is it possible to top up a gift card?"),
    ("What time does the Chicago store close?", "When does Kestrel Chicago close?"),
    ("What amounts do gift cards come in?", "What values can I buy a gift card for?"),
    ("What do I need to bring for store pickup?", "What should I bring when I pick up my order in store?"),
    ("Can I trade in a game console?", "Do you accept game consoles for trade-in?"),
    ("Do you offer financing for more expensive items?", "Can I pay for expensive items in instalments?"),
    ("Can I combine the student discount with a promo code?", "Can I use a promo code together with my student discount?"),
    ("How do I change the delivery address on my order?", "How can I change where my order is delivered?"),
    ("Can I choose a delivery date?", "Can I pick the day my order is delivered?"),
    ("My tracking number doesn't work.", "My tracking number isn't working."),
    ("I placed an order twice by accident.", "I accidentally ordered the same thing twice."),
    ("Does the Kestrel Link cable support fast charging?", "Can the Kestrel Link cable fast charge?"),
    ("What items can't be returned?", "Which products are not returnable?"),
    ("Can I buy a product that's not on your website?", "Can I order something that isn't listed on your site?"),
]
# Same topic as existing rows, but a question the dataset does not answer.
NEW_SAME_TOPIC = [
    "Can I get a refund in cash if I paid by card?", "Do you deliver on public holidays?",
    "Do you accept cheques?", "Do you sell vinyl records?",
    "Can I return a laptop I bought as a gift for someone else?", "Is there a kids version of the Aero 2?",
    "Is the Glide 16 laptop good for gaming?", "Can I change the name on my gift card?",
    "Do you sell extended warranties for phones?", "Can I order now and pick up in Denver next month?",
    "Does the Pulse smartwatch measure blood oxygen?", "Can I reserve a product before it launches?",
    "Do you ship to PO boxes in Canada?", "Is there a loyalty program?",
    "Can I exchange headphones for a different colour?", "Can I rent a laptop for a week?",
    "Can I get a paper catalogue by mail?", "Can two people share one account?",
    "Does Kestrel sell refurbished phones?", "Do you engrave headphones?",
]
UNRELATED = [
    "What is the capital of Australia?", "How do I bake sourdough bread?", "Who won the 1998 World Cup?",
    "What is the boiling point of water on Everest?", "How many legs does a spider have?",
    "What's a good name for a golden retriever?", "How do I tune a guitar to drop D?",
    "When was the Eiffel Tower built?", "How do I solve a quadratic equation?",
    "What's the best way to learn Japanese?", "Why is the sky blue?", "How do tides work?",
    "What is the plural of octopus?", "How long should I boil an egg?", "Who painted the Mona Lisa?",
]
NEW_ANSWERS = ["Please call our support line; this changed in March.", "It's 30 days now, counted from the order date.",
               "Yes, since last week.", "No, not any more.", "Only in our Toronto store."]
# Facts whose relation sounds like an existing one but is not the same key.
SIMILAR_FACTS = [
    ("Kestrel", "support phone number", "+1 555 0199"), ("Kestrel", "sales email", "sales@kestrel.example"),
    ("Kestrel", "head of marketing", "Mara Lind"), ("Kestrel", "warranty on refurbished laptops", "6 months"),
    ("Kestrel", "europe shipping fee", "$29.99"), ("Kestrel Seattle", "parking", "free for 2 hours"),
    ("Kestrel Denver", "assistant manager", "Tom Ruiz"), ("Kestrel Chicago", "holiday hours", "closed on Christmas"),
    ("Kestrel Aero 2 headphones", "codec support", "AAC and LDAC"), ("Kestrel Aero Buds", "ear tip sizes", "S, M and L"),
    ("Kestrel Glide 16 laptop", "keyboard layout", "US English"), ("Kestrel Pulse smartwatch", "strap width", "22 mm"),
    ("Kestrel Link USB-C cable", "colour", "graphite"), ("Kestrel Toronto", "opening year", "2019"),
    ("Kestrel", "bank", "First Pine Bank"),
]
NEW_TICKETS = [
    ("I was billed for a subscription I cancelled last month.", "billing"),
    ("The courier left my parcel at the wrong house.", "shipping"),
    ("I want to send back the speaker, it sounds tinny.", "returns"),
    ("I can't log in since I changed my email address.", "account"),
    ("My Pulse watch keeps disconnecting from the app.", "technical"),
    ("Does the Glide 16 come in silver?", "product"),
    ("Why did my card get declined at checkout?", "billing"),
    ("The parcel smelled of smoke when it arrived.", "shipping"),
    ("How do I print a return label?", "returns"),
    ("Please merge my two Kestrel accounts.", "account"),
    ("The laptop fan is loud after the update.", "technical"),
    ("Is the Aero Buds case wireless-charging compatible?", "product"),
]
OUT_OF_SET = [
    ("My dog ate the charging cable.", "pets"), ("Loved the staff in Denver!", "praise"),
    ("Are you hiring in Seattle?", "careers"), ("Can you sponsor our school fair?", "sponsorship"),
    ("Your website is slow in Firefox.", "website-feedback"), ("I'd like to invest in Kestrel.", "investors"),
    ("What's your carbon footprint?", "sustainability"), ("Press inquiry about the Aero 3 launch.", "press"),
    ("Where is my llama?", "zoology"), ("Can I bring my bike into the store?", "store-policy-misc"),
]
INTENT_TURNS = [
    ("Heads up: our Denver store now opens at 10.", "teach"), ("No, that's wrong, the fee is $9.99.", "correct"),
    ("Please forget what I said about the Toronto address.", "forget"), ("Thanks, that's all for today.", "none"),
    ("Just so you know, Aero Buds are IPX5 now.", "teach"), ("Actually it's 30 days, not 14.", "correct"),
]
UNRELATED_FORGET = ["my neighbour's wifi password", "the moon landing date", "Kestrel's yacht club membership",
                    "the recipe for pancakes", "Kestrel's Mars office address"]


def split_of(case_id: str) -> str:
    return "dev" if int(hashlib.sha256(case_id.encode()).hexdigest(), 16) % 2 == 0 else "test"


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def surface(q: str, n: int) -> str:
    """Typing-style variants a person produces when repeating a question."""
    variants = [q.lower().rstrip("?."), f"Hi, {q[0].lower()}{q[1:]}", f"{q.rstrip('?.')} please?",
                f"quick question: {q.lower()}", q.replace("?", " ?").upper()[:1] + q.replace("?", " ?")[1:]]
    return variants[n % len(variants)]


def main() -> None:
    qa, facts, tickets = rows("support_qa"), rows("facts"), rows("ticket_topics")
    answer = {r["question"]: r["answer"] for r in qa}
    loc: list[dict] = []
    route: list[dict] = []

    def L(case: str, task: str, item: dict, op: str, row: list[str] | None) -> None:
        cid = f"L{len(loc) + 1:03d}"
        loc.append({"id": cid, "split": split_of(cid), "case": case, "task": task, "item": item,
                    "expect": {"op": op, "row": row}})

    def R(case: str, item: dict, tasks: list[str]) -> None:
        cid = f"R{len(route) + 1:03d}"
        if case == "qa" and item["question"] in QA_ALSO_FACTS:
            tasks = [*tasks, "facts"]
        if case == "fact" and (item["subject"], item["relation"]) in FACT_ALSO_QA:
            tasks = [*tasks, "support_qa"]
        route.append({"id": cid, "split": split_of(cid), "case": case, "item": item, "expect": {"tasks": tasks}})

    for n, r in enumerate(qa[::9]):
        q = r["question"]
        L("duplicate", "support_qa", {"kind": "qa", "question": surface(q, n), "answer": r["answer"]}, "noop", [q])
        L("new_answer", "support_qa", {"kind": "qa", "question": surface(q, n + 1), "answer": NEW_ANSWERS[n % 5]},
          "update", [q])
        R("qa", {"kind": "qa", "question": surface(q, n), "answer": NEW_ANSWERS[n % 5]}, ["support_qa"])
    for _n, (q, para) in enumerate(PARAPHRASES):
        L("paraphrase_duplicate", "support_qa", {"kind": "qa", "question": para, "answer": answer[q]}, "noop", [q])
        R("qa", {"kind": "qa", "question": para, "answer": answer[q]}, ["support_qa"])
    for n, q in enumerate(NEW_SAME_TOPIC):
        L("same_topic_new_question", "support_qa", {"kind": "qa", "question": q, "answer": NEW_ANSWERS[n % 5]}, "add", None)
        R("qa", {"kind": "qa", "question": q, "answer": NEW_ANSWERS[n % 5]}, ["support_qa"])
    for _n, q in enumerate(UNRELATED):
        L("unrelated", "support_qa", {"kind": "qa", "question": q, "answer": "I don't know."}, "add", None)
    for n, r in enumerate(facts[::6]):
        key = [r["subject"], r["relation"]]
        L("fact_duplicate", "facts", {"kind": "fact", "subject": r["subject"], "relation": r["relation"].lower(),
                                      "object": r["object"]}, "noop", key)
        L("fact_new_value", "facts", {"kind": "fact", "subject": r["subject"], "relation": r["relation"],
                                      "object": f"{r['object']} (changed)" if n % 2 else "unknown until further notice"},
          "update", key)
        L("forget", "facts", {"kind": "forget", "target": f"{r['subject']}'s {r['relation']}"}, "delete", key)
        R("fact", {"kind": "fact", "subject": r["subject"], "relation": r["relation"], "object": "x"}, ["facts"])
        if n % 2 == 0:
            R("forget_existing", {"kind": "forget", "target": f"{r['subject']}'s {r['relation']}"}, ["facts"])
    for s, rel, o in SIMILAR_FACTS:
        L("similar_relation", "facts", {"kind": "fact", "subject": s, "relation": rel, "object": o}, "add", None)
        R("fact", {"kind": "fact", "subject": s, "relation": rel, "object": o}, ["facts"])
    for t in UNRELATED_FORGET:
        L("forget_unknown", "facts", {"kind": "forget", "target": t}, "noop", None)
        R("forget_unknown", {"kind": "forget", "target": t}, [])
    for _n, r in enumerate(tickets[::25]):
        L("label_duplicate", "ticket_topics", {"kind": "label", "text": r["text"], "label": r["label"]}, "noop", [r["text"]])
    for text, label in NEW_TICKETS:
        L("label_new_text", "ticket_topics", {"kind": "label", "text": text, "label": label}, "add", None)
        R("label_in_set", {"kind": "label", "text": text, "label": label}, ["ticket_topics"])
    for _n, r in enumerate(tickets[3::20]):
        R("label_in_set", {"kind": "label", "text": r["text"].lower(), "label": r["label"]}, ["ticket_topics"])
    for text, label in OUT_OF_SET:
        R("label_out_of_set", {"kind": "label", "text": text, "label": label}, [])
    for text, label in INTENT_TURNS:
        R("label_in_set", {"kind": "label", "text": text, "label": label}, ["intent"])
    for name, cases in (("locate", loc), ("route", route)):
        with open(HERE / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for c in cases:
                fh.write(json.dumps(c, ensure_ascii=False) + "\n")
        print(name, len(cases), sum(c["split"] == "dev" for c in cases), "dev")


if __name__ == "__main__":
    main()
