"""A picture of the joint space: concepts projected with t-SNE, coloured by concept type."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kg.align.space import JointSpace

PLOTTED_TYPES = ("ActionUnit", "Emotion", "Prosody", "SpeechRate", "ContentPolarity", "Symptom",
                 "Disorder", "Scale", "ScaleItem", "Severity", "RiskLevel")


def plot_joint_space(space: JointSpace, out: Path, *, seed: int = 0, max_per_type: int = 300) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.manifold import TSNE

    rng = np.random.default_rng(seed)
    rows: list[int] = []
    for ctype in PLOTTED_TYPES:
        idx = [i for i, c in enumerate(space.concepts) if c.type == ctype]
        if len(idx) > max_per_type:
            idx = sorted(rng.choice(idx, size=max_per_type, replace=False).tolist())
        rows += idx
    vectors = np.hstack([space.name_matrix[rows], space.node_matrix[rows]])
    xy = TSNE(n_components=2, random_state=seed, init="pca", perplexity=30).fit_transform(vectors)
    fig, ax = plt.subplots(figsize=(11, 8), dpi=120)
    cmap = plt.get_cmap("tab20")
    for k, ctype in enumerate(PLOTTED_TYPES):
        sel = [j for j, i in enumerate(rows) if space.concepts[i].type == ctype]
        if sel:
            ax.scatter(xy[sel, 0], xy[sel, 1], s=10 if ctype in ("Symptom", "Disorder") else 22,
                       color=cmap(k), label=f"{ctype} ({len(sel)})", alpha=0.75)
    ax.set_title("MindKG joint space (node2vec + Word2Vec), t-SNE of concept vectors")
    ax.legend(loc="best", fontsize=8, markerscale=1.5)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out
