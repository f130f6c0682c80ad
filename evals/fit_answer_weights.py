"""Fit the extractive answerer's score weights by logistic regression (a developer tool).

Every sentence of the top candidates of every gold question becomes one example, with the
features of :meth:`qa.extractive.ExtractiveAnswerer.score_sentences` and the label "contains
an accepted answer". The script prints 5-fold cross-validated top-1 accuracy (folds by
question) for the current weights and the fitted ones, then the fitted coefficients scaled
so that the cosine weighs 0.5, ready to copy into ``qa/extractive.py``.

    python -m evals.fit_answer_weights INDEX_DIR:GOLD.jsonl [INDEX_DIR:GOLD.jsonl ...]

Each index must have been built with ``newsdesk ingest`` from that gold set's corpus.
Needs scikit-learn (installed with the ``dev`` extra).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import numpy as np


def collect(
    pairs: list[tuple[Path, Path]],
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels, current scores and question ids of every candidate sentence."""
    from evals.gold import load_gold
    from evals.metrics import contains_answer
    from newsdesk.settings import Settings
    from qa.extractive import ExtractiveAnswerer
    from qa.followup import Turn, condense_question
    from qa.retriever import HybridRetriever, to_retrieved
    from vectorstore.embeddings import load_embeddings
    from vectorstore.store import open_keyword_index, open_store

    embeddings = load_embeddings()
    feats, labels, scores, qids = [], [], [], []
    for index, gold in pairs:
        settings = Settings.from_env(persist_dir=index)
        store = open_store(settings, embeddings, create=False)
        retriever = HybridRetriever(
            store=store, keyword=open_keyword_index(settings, store), k=settings.candidates
        )
        answerer = ExtractiveAnswerer(embeddings, 0.0)
        for g in load_gold(gold):
            history = [Turn(h) for h in g.history]
            query = condense_question(g.question, history)
            retrieved = to_retrieved(retriever.invoke(query))
            for s in answerer.score_sentences(g.question, retrieved, query=query, history=history):
                feats.append(s.features)
                labels.append(
                    g.answerable
                    and any(contains_answer(s.text, a) for a in g.answers)
                    and all(contains_answer(s.text, a) for a in g.all_of)
                )
                scores.append(s.score)
                qids.append(f"{gold}:{g.id}")
    names = sorted(feats[0])
    x = np.array([[f[n] for n in names] for f in feats])
    return names, x, np.array(labels, dtype=int), np.array(scores), np.array(qids)


def top1(scores: np.ndarray, labels: np.ndarray, qids: np.ndarray) -> float:
    """Share of questions whose best-scored sentence contains an accepted answer."""
    by: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(qids):
        by[q].append(i)
    return float(np.mean([labels[max(ix, key=lambda i: scores[i])] for ix in by.values()]))


def main(argv: list[str]) -> None:
    from sklearn.linear_model import LogisticRegression

    pairs = [(Path(a.split(":")[0]), Path(a.split(":")[1])) for a in argv]
    if not pairs:
        sys.exit(__doc__)
    names, x, y, current, qids = collect(pairs)
    rng = np.random.default_rng(0)
    questions = np.unique(qids)
    rng.shuffle(questions)
    predicted = np.zeros(len(y))
    for fold in np.array_split(questions, 5):
        test = np.isin(qids, fold)
        model = LogisticRegression(max_iter=1000).fit(x[~test], y[~test])
        predicted[test] = model.decision_function(x[test])
    print(f"top-1 accuracy, current weights: {top1(current, y, qids):.3f}")
    print(f"top-1 accuracy, fitted (5-fold CV): {top1(predicted, y, qids):.3f}")
    model = LogisticRegression(max_iter=1000).fit(x, y)
    scale = 0.5 / model.coef_[0][names.index("cosine")]
    for name, coef in zip(names, model.coef_[0], strict=True):
        print(f"  {name:18s} {coef * scale:+.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
