"""A learned scorer over a question and each row of a task: a small head over features the row
index already has (cosines of the question with the whole row and its key, with the task's
domain, the share of the question's words the row holds, the kind of answer asked and held,
whether the question speaks of the asker, how the row stands against the task's best),
trained on many domains (chat/ranker.py's data) to put the row a question asks about first
and to keep general questions below every row.

The head is trained listwise: for each question, a softmax over every row of its domain and a
learned "no row" logit; its score for a row is the row's logit minus the "no row" logit, so
scores compare across tasks and one threshold holds (calibrated on ranker.DEV_DOMAINS).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lic_cli.chat import answertype

if TYPE_CHECKING:
    import numpy as np

FEATURES = ("cos_whole", "cos_key", "cos_best", "domain", "gap_best", "gap_second", "kw_whole", "kw_key",
            "agree", "mismatch", "asks_known", "kinds_known", "situated", "blend")


def features(emb: np.ndarray, n: int, q: np.ndarray, text: str, value_kinds: list[set[str]], kw_whole: np.ndarray,
             kw_key: np.ndarray, domain: np.ndarray | None) -> np.ndarray:
    """(n, len(FEATURES)) for one question against one task's rows (VIEWS embedded view by view in `emb`)."""
    import numpy as np

    from lic_cli.chat import rowindex

    views = np.asarray(emb @ q, dtype=np.float32).reshape(-1, n)
    whole, key = views[0], views[1]
    best = views[:rowindex.head_views()].max(axis=0)  # the better view (the questions a row answers too)
    top = float(best.max()) if n else 0.0
    second = float(np.sort(best)[-2]) if n > 1 else 0.0
    dom = max(0.0, float(domain @ q)) if domain is not None else 0.0
    asked = answertype.asks(text)
    agree = np.array([float(bool(k & asked)) for k in value_kinds], dtype=np.float32)
    known = np.array([float(bool(k)) for k in value_kinds], dtype=np.float32)
    mismatch = known * (1.0 - agree) * float(bool(asked))
    sit = float(answertype.situated(text))
    blend = rowindex.blend(np.clip(best, 0.0, 1.0), 0.0, dom, bool(sit), mismatch)
    gap_second = best - np.where(best >= top, second, top)  # the best row: its lead; the others: their gap
    cols = [whole, key, best, np.full(n, dom), best - top, gap_second, kw_whole, kw_key, agree, mismatch,
            np.full(n, float(bool(asked))), known, np.full(n, sit), blend]
    return np.stack(cols, axis=1).astype(np.float32)


def keyword_shares(keywords: Any, text: str, n: int) -> np.ndarray:
    import numpy as np

    out = np.zeros(n, dtype=np.float32)
    for i, s in keywords.scores(text).items():
        out[i] = s
    return out


class Head:
    """The trained head: standardized features -> a small MLP -> the row's logit minus "no row"."""

    def __init__(self, net: Any, mean: np.ndarray, scale: np.ndarray, null: float) -> None:
        self.net, self.mean, self.scale, self.null = net, mean, scale, float(null)

    def score(self, feats: np.ndarray) -> np.ndarray:
        return self.net((feats - self.mean) / self.scale)[:, 0] - self.null

    def save(self, path) -> None:
        import numpy as np

        self.net.save(path, mean=self.mean, scale=self.scale, null=np.array(self.null),
                      features=np.array(",".join(FEATURES)))

    @classmethod
    def load(cls, path) -> Head | None:
        """The head saved at `path`; None if it was trained on other features."""
        from lic_cli.models.mlp import MLP

        net, extra = MLP.load(path)
        if str(extra["features"]) != ",".join(FEATURES):
            return None
        return cls(net, extra["mean"], extra["scale"], float(extra["null"]))


def train_head(samples: list[tuple[np.ndarray, int]], *, hidden: int = 16, steps: int = 300, lr: float = 1e-2,
               weight_decay: float = 1e-4, seed: int = 0) -> Head:
    """Fit on (features of a question against every row of a task, the right row or -1 for none):
    full-batch Adam on the softmax over the rows and a learned "no row" logit."""
    import numpy as np
    import torch

    from lic_cli.models.mlp import MLP

    torch.manual_seed(seed)
    stacked = np.concatenate([x for x, _ in samples])
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0) + 1e-6
    width = max(x.shape[0] for x, _ in samples)
    dim = stacked.shape[1]
    feats = torch.zeros(len(samples), width, dim)
    mask = torch.zeros(len(samples), width + 1, dtype=torch.bool)
    for k, (x, _) in enumerate(samples):
        feats[k, :len(x)] = torch.from_numpy((x - mean) / scale)
        mask[k, :len(x)] = True
    mask[:, -1] = True
    target = torch.tensor([y if y >= 0 else width for _, y in samples])
    net = torch.nn.Sequential(torch.nn.Linear(dim, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))
    null = torch.nn.Parameter(torch.zeros(()))
    opt = torch.optim.Adam([*net.parameters(), null], lr=lr, weight_decay=weight_decay)
    for _ in range(steps):
        logits = torch.cat([net(feats).squeeze(-1), null.expand(len(samples), 1)], dim=1).masked_fill(~mask, -1e9)
        loss = torch.nn.functional.cross_entropy(logits, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return Head(MLP.from_state(net.state_dict()), mean.astype(np.float32), scale.astype(np.float32),
                float(null.detach()))
