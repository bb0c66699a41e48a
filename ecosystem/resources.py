"""Estimate a run's peak memory and run time from its scenario, before anything starts.

The estimate counts what a run keeps alive at its peak, by kind:

- ``loop``: the documents, vectors or rows live at once (replicas x samples per generation,
  times the generations kept under ``accumulate``), the held-out test set and the per-generation
  metric samples, plus the transformer's weights and optimiser state where one is trained;
- ``scaling``: the largest training set over the replicas, the generator's samples;
- ``ecosystem``: every document the web will hold after ``steps`` (authors x productivity and
  farm output over the run), each trainer's crawl and its token model;
- a token truth: its sparse chains (topics x vocabulary x branching).

The per-token and per-value costs below were measured with ``tracemalloc`` (numpy reports its
buffers to it) on the shipped scenarios; ``tests/test_resources.py`` keeps the estimate within
2x of the measured peak. The process itself (interpreter, numpy, torch, ...) adds ``BASE_BYTES``.
"""

from __future__ import annotations

import math
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ecosystem.config.schema import LoopScenario, Scenario

BASE_BYTES = 600 * 2**20
"""Memory of the process before the run: Python, numpy, polars, torch and the rest imported."""

LIVE_TOKEN, LIVE_DOC = 24, 96
"""Bytes per token and per document of token data kept alive (the pool or training set)."""
GEN_TOKEN, GEN_DOC = 14, 120
"""Bytes per token and per document of one generation's transient sampling work."""
VALUE = 8
"""Bytes per float64 value (vectors, rows)."""
VECTOR_WORK = 6
"""Float64 values of EM / moment work per vector value (responsibilities, temporaries)."""
MIXTURE_ENTROPY = 48 * 2**20
"""The Monte Carlo estimate of a mixture truth's entropy (2^18 points, log-densities)."""
STORE_DOC = 40
"""Bytes per stored document: its metadata columns (about 20), its slot in the text cache (4)
and its share of a crawl's per-document weights and their chunked temporaries."""
DRAWN_TOKEN, DRAWN_DOC = 4, 16
"""Bytes per token and per document of text drawn when read and cached (the text as kept and
as handed out, its start)."""
CRAWL_TOKEN = 28
"""Bytes per token of a trainer's crawl (its documents copied into a training set, counted)."""
MODEL_CELL = 64
"""Bytes per non-zero (context, token) count of a trainer's n-gram model, kept with its rows
and decoding tables."""
CHAIN_CELLS = 4
"""Distinct next tokens per (topic, context) an n-gram model sees beyond the truth's
``branching`` successors (the background draws; measured: about 50,000 counts per baseline
model, 8 topics x 501 contexts x (8 + 4))."""
NGRAM_CELL = 8
"""Bytes per possible (context, token) cell of a lab n-gram model (sparse: most are empty)."""
VOCAB_ROW = 32
"""Bytes per (replica, token) of the dense per-token metric arrays (counts, marginals)."""
TRUTH_SUCCESSOR, TRUTH_TOKEN = 36, 40
"""Bytes per (topic, token, successor) and per (topic, token) while a token truth is built."""
AUTHOR, AUTHOR_AGENT = 300, 750
"""Bytes per human author (its columns of author state, its site and links) and per thin
HumanAuthor Mesa agent (``authors.agents``)."""
ADAM_BYTES = 16
"""Bytes per trained parameter: float32 weights, gradients and AdamW's two moments."""
LONG_SECONDS = 600
"""Runs estimated to take longer than this are called long."""
CPU_TOKENS_PER_SECOND = 5e6
"""Token-model throughput of the lab loop (sampling and counting), conservatively."""
FIT_SECONDS = {"gmm": 5e-3, "linear": 3e-5, "gaussian": 1e-5}
"""Seconds per (replica, generation) fit of a vector or row learner on explicit samples."""
VALUE_SECONDS = 2e-8
"""Seconds per drawn and fitted value of explicit vector or row samples."""
CPU_FLOPS, GPU_FLOPS = 2e10, 5e12
"""Sustained training FLOP/s assumed for a transformer on CPU and on a GPU."""


@dataclass(frozen=True)
class Estimate:
    """What a run will need, and which fields drive it.

    Attributes:
        peak_bytes: the run's own peak memory (without the process's BASE_BYTES).
        seconds: a rough run time (order of magnitude).
        drivers: (field expression, bytes) of the largest terms, largest first.
    """

    peak_bytes: int
    seconds: float
    drivers: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        """Peak memory of the whole process."""
        return self.peak_bytes + BASE_BYTES

    @property
    def long(self) -> bool:
        """Whether the run is expected to take more than LONG_SECONDS."""
        return self.seconds > LONG_SECONDS

    def describe(self) -> str:
        """One line: memory, time and the fields that drive them."""
        drivers = "; ".join(f"{name} ({human_bytes(size)})" for name, size in self.drivers[:3])
        text = f"estimated peak memory {human_bytes(self.total_bytes)}"
        text += f", run time {human_seconds(self.seconds)}"
        if self.long:
            text += " (a long run)"
        return f"{text}; driven by {drivers}" if drivers else text


def human_bytes(size: float) -> str:
    """``size`` bytes as MiB / GiB / TiB."""
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size / 2**20:.0f} MiB"


def human_seconds(seconds: float) -> str:
    """A rough duration: seconds, minutes, hours or days."""
    for unit, scale in (("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= scale:
            return f"about {seconds / scale:.1f} {unit}"
    return f"about {max(seconds, 1):.0f} s"


def estimate(scenario: Scenario) -> Estimate:
    """Peak memory and run time of ``scenario`` (see the module docstring for the model)."""
    if scenario.kind == "ecosystem":
        terms, seconds = _ecosystem(scenario)
    elif scenario.kind == "scaling":
        terms, seconds = _scaling(scenario)
    else:
        terms, seconds = _loop(scenario)
    truth = scenario.truth
    if truth.modality == "tokens":  # the sparse chains: successors, weights and their CDFs
        terms["truth.topics x truth.vocab_size x truth.branching (the truth)"] = (
            truth.topics * truth.vocab_size * (truth.branching * TRUTH_SUCCESSOR + TRUTH_TOKEN)
        )
    drivers = sorted(((k, int(v)) for k, v in terms.items() if v > 0), key=lambda kv: -kv[1])
    return Estimate(int(sum(terms.values())), seconds, drivers)


def available_memory() -> int | None:
    """Memory available to a new run (MemAvailable of /proc/meminfo), or None if unknown."""
    try:
        text = Path("/proc/meminfo").read_text(encoding="ascii")
    except OSError:
        return None
    match = re.search(r"^MemAvailable:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) * 1024 if match else None


def _doc_tokens(truth) -> float:
    if truth.modality == "text":
        return truth.block_length
    return (truth.doc_length_min + truth.doc_length_max) / 2


def _token_bytes(docs: float, tokens_per_doc: float, per_token: int, per_doc: int) -> float:
    return docs * (tokens_per_doc * per_token + per_doc)


def _kept(s: LoopScenario, strategy: str) -> tuple[int, int]:
    """(samples kept alive, samples of one generation) per replica under ``strategy``."""
    loop, G = s.loop, s.loop.generations
    subsamples = strategy in ("accumulate_subsample", "original_fraction")
    statistics = s.learner.kind in ("gaussian", "linear") and loop.sampling != "explicit"
    if statistics and not subsamples:
        return 0, 0  # sufficient statistics: O(1) per replica (the exact-draw path)
    largest = max(loop.samples_at(g) for g in range(min(G, 1), G + 1))
    if strategy in ("accumulate", "accumulate_subsample"):
        return sum(loop.samples_at(g) for g in range(G + 1)), largest
    return largest, largest


def _loop(s: LoopScenario) -> tuple[dict[str, float], float]:
    loop, truth = s.loop, s.truth
    R, G = loop.replicas, loop.generations
    kept, largest = max(_kept(s, strategy) for strategy in loop.strategies)
    kept += loop.samples_at(0)  # generation 0's human data stays for the whole run
    terms: dict[str, float] = {}
    if truth.modality in ("tokens", "text"):
        L = _doc_tokens(truth)
        terms["loop.replicas x loop.samples_per_generation (x generations kept)"] = _token_bytes(
            R * kept, L, LIVE_TOKEN, LIVE_DOC
        ) + _token_bytes(R * largest, L, GEN_TOKEN, GEN_DOC)
        terms["loop.test_samples"] = _token_bytes(loop.test_samples, L, LIVE_TOKEN, LIVE_DOC)
        terms["metrics.sample_size x loop.replicas"] = _token_bytes(
            R * s.metrics.sample_size, L, GEN_TOKEN, GEN_DOC
        )
        tokens = R * L * sum(loop.samples_at(g) for g in range(G + 1)) * len(loop.strategies)
        seconds = tokens / CPU_TOKENS_PER_SECOND
        if s.learner.kind == "ngram":
            cells = R * min(_contexts(s) * truth_vocab(truth), kept * L + 1)
            terms["truth.vocab_size ^ learner.order (n-gram counts)"] = cells * NGRAM_CELL
            terms["loop.replicas x truth.vocab_size (per-token metrics)"] = (
                R * truth_vocab(truth) * VOCAB_ROW
            )
    else:
        width = truth.dim + (1 if truth.modality == "labeled" else 0)
        work = max(largest, loop.samples_at(0))  # generation 0 is drawn and fitted too
        terms["loop.replicas x loop.samples_per_generation x truth.dim"] = (
            R * (kept + work * VECTOR_WORK) * width * VALUE
        )
        if truth.modality == "labeled" and getattr(truth, "design", "") == "fixed":
            terms["loop.replicas x loop.samples_per_generation x truth.dim"] += (
                R * loop.samples_at(0) * width * VALUE
            )
        terms["loop.test_samples x truth.dim"] = loop.test_samples * width * VALUE * 4
        if getattr(truth, "mixture", None):
            terms["truth.mixture (entropy estimate)"] = MIXTURE_ENTROPY
        fits = R * (G + 1) * len(loop.strategies)
        fit_cost = FIT_SECONDS.get(s.learner.kind, 1e-5) * getattr(s.learner, "n_init", 1)
        explicit = largest > 0 or s.learner.kind == "gmm"
        seconds = fits * ((fit_cost + VALUE_SECONDS * largest * width) if explicit else 1e-7)
    if s.learner.kind == "transformer":
        model, train_seconds = _transformer(s, R * sum(loop.samples_at(g) for g in range(G + 1)))
        terms.update(model)
        seconds += train_seconds * len(loop.strategies)
    return terms, seconds


def truth_vocab(truth) -> int:
    """V of a token truth (the BPE vocabulary for text)."""
    return truth.vocab_size if truth.modality == "tokens" else truth.bpe_vocab_size


def _contexts(s) -> int:
    order = getattr(s.learner, "order", 1)
    topics = getattr(s.truth, "topics", 1) if getattr(s.learner, "condition_on_topic", 0) else 1
    return topics * truth_vocab(s.truth) ** (order - 1)


def _transformer(s, documents: float) -> tuple[dict[str, float], float]:
    """Weights, optimiser state and activations of the trained model; training time."""
    learner, V = s.learner, truth_vocab(s.truth)
    params = transformer_params(learner, V, getattr(s.truth, "topics", 1))
    block, batch = learner.block_size, learner.batch_size
    width = learner.n_embd if learner.pretrained is None else _pretrained_width(params)
    layers = learner.n_layer if learner.pretrained is None else max(1, round(params / 7e6))
    activations = batch * block * (width * layers * 34 + V * 3) * 4
    tokens = documents * _doc_tokens(s.truth) * learner.epochs
    gpu = learner.device == "cuda" or (learner.device == "auto" and _has_gpu())
    seconds = 6 * params * tokens / (GPU_FLOPS if gpu else CPU_FLOPS)
    terms = {
        "learner (transformer weights and AdamW state)": params * ADAM_BYTES,
        "learner.batch_size x learner.block_size (activations)": activations,
    }
    if gpu:  # weights and activations live on the GPU; host memory holds a copy of the weights
        terms = {"learner (transformer weights, host copy)": params * 4}
    return terms, seconds


def _has_gpu() -> bool:
    """Whether an NVIDIA GPU seems present (without importing torch: the estimate is cheap)."""
    return Path("/dev/nvidia0").exists() or shutil.which("nvidia-smi") is not None


def transformer_params(learner, vocab_size: int, topics: int = 1) -> int:
    """Parameters of the transformer: GPT-2's count for one built from scratch; for a pretrained
    model, its config.json's shape when it is a local folder, else the size in its name
    (``opt-125m`` -> 125e6), else 125e6."""
    if learner.pretrained is None:
        d, n = learner.n_embd, learner.n_layer
        vocab = vocab_size + (topics if learner.condition_on_topic else 1)
        return 12 * n * d * d + 13 * n * d + (vocab + learner.block_size) * d + 2 * d
    config = Path(learner.pretrained) / "config.json"
    if config.is_file():
        import json

        c = json.loads(config.read_text(encoding="utf-8"))
        d = c.get("hidden_size") or c.get("n_embd") or 768
        n = c.get("num_hidden_layers") or c.get("n_layer") or 12
        vocab = c.get("vocab_size", vocab_size)
        return 12 * n * d * d + vocab * d
    match = re.search(r"(\d+(?:\.\d+)?)([mb])\b", learner.pretrained.lower())
    if match:
        return int(float(match.group(1)) * (1e6 if match.group(2) == "m" else 1e9))
    return 125_000_000


def _pretrained_width(params: int) -> int:
    return max(64, int(math.sqrt(params / 150)))


def _scaling(s) -> tuple[dict[str, float], float]:
    p, truth = s.scaling, s.truth
    largest = max(p.train_sizes)
    terms: dict[str, float] = {}
    if truth.modality in ("tokens", "text"):
        L = _doc_tokens(truth)
        terms["scaling.replicas x max(scaling.train_sizes)"] = _token_bytes(
            p.replicas * largest, L, LIVE_TOKEN + GEN_TOKEN, LIVE_DOC + GEN_DOC
        )
        terms["scaling.generator_samples"] = _token_bytes(
            p.generator_samples, L, LIVE_TOKEN, LIVE_DOC
        )
        terms["scaling.test_samples"] = _token_bytes(p.test_samples, L, LIVE_TOKEN, LIVE_DOC)
        if s.learner.kind == "ngram":
            cells = min(_contexts(s) * truth_vocab(truth), largest * L + 1)
            terms["truth.vocab_size ^ learner.order (n-gram counts)"] = (
                (p.replicas + 1) * cells * NGRAM_CELL
            )
            terms["scaling.replicas x truth.vocab_size (per-token metrics)"] = (
                p.replicas * truth_vocab(truth) * VOCAB_ROW
            )
        total = sum(p.train_sizes) * len(p.real_fractions) * p.replicas * L
        seconds = total / CPU_TOKENS_PER_SECOND
    else:
        width = truth.dim + (1 if truth.modality == "labeled" else 0)
        terms["scaling.replicas x max(scaling.train_sizes) x truth.dim"] = (
            p.replicas * largest * width * VALUE * (1 + VECTOR_WORK)
        )
        terms["scaling.generator_samples x truth.dim"] = p.generator_samples * width * VALUE * 2
        seconds = sum(p.train_sizes) * len(p.real_fractions) * p.replicas * width * 1e-6
    if s.learner.kind == "transformer":
        model, train_seconds = _transformer(s, sum(p.train_sizes) * p.replicas)
        terms.update(model)
        seconds += train_seconds * len(p.real_fractions)
    return terms, seconds


def ecosystem_documents(s) -> float:
    """Documents on the web after ``steps``: the initial human web, human output of the
    authors (entrants included, quitting ignored: an upper estimate) and farm output."""
    a, f = s.authors, s.farms
    authors = a.count + a.entrants_per_step * s.steps / 2  # on average over the run
    human = a.count * a.initial_docs + authors * a.productivity_mean * s.steps
    farm = f.count * f.docs_per_step * max(0, s.steps - s.launch_step)
    return human + farm


def _ecosystem(s) -> tuple[dict[str, float], float]:
    L = _doc_tokens(s.truth)
    docs = ecosystem_documents(s)
    crawls = sum(t.crawl_budget for t in s.trainers)
    largest_crawl = max((t.crawl_budget for t in s.trainers), default=0)
    V, K = s.truth.vocab_size, s.truth.topics
    cells = min(K * V**2, K * (V + 1) * (s.truth.branching + CHAIN_CELLS))
    # every generation's model is kept (it may still be asked for its documents' text)
    models = sum(
        min(cells, t.crawl_budget * L) * (s.steps // t.retrain_every + 1) for t in s.trainers
    )
    generations = sum(s.steps // t.retrain_every + 1 for t in s.trainers)
    drawn = min(docs, crawls * generations / len(s.trainers) if s.trainers else 0.0)
    authors = s.authors.count + s.authors.entrants_per_step * s.steps
    terms = {
        "steps x (authors.count x authors.productivity_mean + farms.count x farms.docs_per_step)": (
            docs * STORE_DOC + _token_bytes(drawn, L, DRAWN_TOKEN, DRAWN_DOC)
        ),
        # trainers train one after another: one crawl is live at a time
        "trainers.*.crawl_budget": largest_crawl * L * CRAWL_TOKEN + models * MODEL_CELL,
        "authors.count (author state)": authors
        * (AUTHOR + (AUTHOR_AGENT if s.author_agents else 0)),
        "metrics.test_docs + metrics.sample_size": _token_bytes(
            s.metrics.test_docs + s.metrics.sample_size * len(s.trainers), L, LIVE_TOKEN, LIVE_DOC
        ),
    }
    seconds = 0.02 * s.steps + docs * L / 2e7 + generations * (0.05 + crawls * L / 2e7)
    return terms, seconds
