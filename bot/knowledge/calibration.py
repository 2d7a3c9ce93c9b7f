"""How sure an answer is: a logistic regression over the answer's signals (issue 21).

The weights (``calibration.json`` beside this module) are learned by
``benchmarks/calibrate.py`` from the spent question sets: for every confident answer (kind
``rule``, ``clause`` or ``no_number``) given with no calibration, its signals
(``bot.knowledge.ask``'s ``_signals``: where the first clause ranks and by how much, how
much of the question it holds, whether the question keys and the lexical ranking agree on
it, whose duty and which figure the question asks for and whether the answer gives them)
and whether it was judged right.  An answer whose probability of being right is below the
file's threshold is given as ``unsure``.  The threshold was chosen on held-out sets (each
set left out of the training in turn), never on the set it is then scored on.

Pure: the file is read once, on first use; a missing or unreadable file means no model (the
answerer then falls back to the question keys' fixed thresholds).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

WEIGHTS = Path(__file__).with_name("calibration.json")
EMBEDDED_WEIGHTS = Path(__file__).with_name("calibration-embedding.json")
"""The weights learned with the sentence-embedding model's signals too
(``benchmarks/calibrate.py --embedding``): used when the model and a Compact's vectors are
loaded (``bot.knowledge.embedding``)."""


@dataclass(frozen=True)
class Calibrator:
    names: tuple[str, ...]
    """The signals the model reads, in the order of ``weights``."""
    means: tuple[float, ...]
    scales: tuple[float, ...]
    """Each signal is standardised, (x - mean) / scale, as in training."""
    weights: tuple[float, ...]
    bias: float
    threshold: float
    """An answer less likely than this to be right is given as unsure."""

    def probability(self, signals: dict[str, float]) -> float:
        """The chance (0-1) that an answer with these signals is right."""
        z = self.bias
        for name, mean, scale, weight in zip(
            self.names, self.means, self.scales, self.weights, strict=True
        ):
            z += weight * (signals.get(name, 0.0) - mean) / scale
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def doubts(self, signals: dict[str, float]) -> bool:
        return self.probability(signals) < self.threshold

    def as_json(self) -> dict[str, object]:
        return {
            "threshold": self.threshold,
            "bias": self.bias,
            "signals": [
                {"name": n, "mean": m, "scale": s, "weight": w}
                for n, m, s, w in zip(
                    self.names, self.means, self.scales, self.weights, strict=True
                )
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Calibrator:
        rows = data["signals"]
        assert isinstance(rows, list)
        return cls(
            names=tuple(str(r["name"]) for r in rows),
            means=tuple(float(r["mean"]) for r in rows),
            scales=tuple(float(r["scale"]) for r in rows),
            weights=tuple(float(r["weight"]) for r in rows),
            bias=float(str(data["bias"])),
            threshold=float(str(data["threshold"])),
        )


@cache
def calibrator(path: Path = WEIGHTS) -> Calibrator | None:
    """The shipped model, loaded once; None when the file is missing or unreadable."""
    try:
        return Calibrator.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AssertionError):
        return None


def fit(
    rows: list[dict[str, float]],
    labels: list[bool],
    names: list[str],
    l2: float = 1.0,
    steps: int = 400,
) -> Calibrator:
    """A logistic regression by gradient descent (with an L2 penalty on the weights) over
    standardised signals; the threshold is left at 0.5 for the caller to set."""
    n = len(rows)
    columns = [[r.get(name, 0.0) for r in rows] for name in names]
    means = [sum(col) / n for col in columns]
    scales = [
        math.sqrt(sum((x - m) ** 2 for x in col) / n) or 1.0
        for col, m in zip(columns, means, strict=True)
    ]
    xs = [[(columns[j][i] - means[j]) / scales[j] for j in range(len(names))] for i in range(n)]
    ys = [1.0 if y else 0.0 for y in labels]
    w = [0.0] * len(names)
    b = 0.0
    rate = 0.5
    for _ in range(steps):
        gw = [l2 * wj / n for wj in w]
        gb = 0.0
        for x, y in zip(xs, ys, strict=True):
            z = b + sum(wj * xj for wj, xj in zip(w, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            d = (p - y) / n
            gb += d
            for j, xj in enumerate(x):
                gw[j] += d * xj
        b -= rate * gb
        w = [wj - rate * g for wj, g in zip(w, gw, strict=True)]
    return Calibrator(tuple(names), tuple(means), tuple(scales), tuple(w), b, 0.5)
