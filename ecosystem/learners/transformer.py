"""The transformer learner: a causal language model per replica, trained with torch.

A model is a GPT-2 built from the scenario's architecture (from scratch) or a pretrained causal LM
from ``transformers`` (a local folder or a hub id) that is fine-tuned. Replicas are independent
models, fitted one after another (R is small for this learner). Each generation starts from fresh
weights, from the previous generation's or from generation 0's (``init``).

Token ids of the truth are the model's ids. A model from scratch has ``V + K`` embeddings: the V
tokens of the truth and one start token per topic (K = 1 unless ``condition_on_topic``), so it
learns and samples each topic's documents, like the n-gram learner; a pretrained model starts
every document with its BOS token. Scores are renormalised over the truth's V tokens.

Models are saved with safetensors (``save_pretrained``) and loaded with ``use_safetensors`` and
``weights_only``: no pickle is ever executed.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import torch

from ecosystem.config.learners import DecodingParams
from ecosystem.config.transformer import TransformerParams
from ecosystem.core.data import TokenDocs
from ecosystem.core.errors import RunSetupError
from ecosystem.core.rng import ReplicaRNG
from ecosystem.learners.transformer_data import TokenSpace, split_pieces
from ecosystem.learners.transformer_sample import (
    DocumentLaws,
    GenerationPlan,
    generate,
    plan_documents,
)
from ecosystem.learners.transformer_train import (
    resolve_device,
    seeded_torch,
    token_log_probs,
    torch_threads,
    train,
)


class TransformerLearner:
    """Fits one causal language model per replica on token documents.

    Args:
        params: architecture or pretrained checkpoint, training and sampling settings.
        vocab_size: V, the token ids 0..V-1 documents use (the data's tokenizer).
        n_topics: K, the topic labels 0..K-1 documents carry.

    Fits draw from the replica generators they are given, so the learner holds no seed.

    Raises:
        RuntimeError: when a pretrained model cannot be loaded or has fewer embeddings than V.
    """

    def __init__(self, params: TransformerParams, vocab_size: int, n_topics: int = 1):
        self.params = params
        self.vocab_size = int(vocab_size)
        self.n_topics = int(n_topics)
        self.device = resolve_device(params.device)
        self._base = None if params.pretrained is None else self._load_pretrained()
        self.space = self._token_space()

    # ------------------------------------------------------------------ models
    def _load_pretrained(self) -> torch.nn.Module:
        from transformers import AutoModelForCausalLM

        name = self.params.pretrained
        try:
            model = AutoModelForCausalLM.from_pretrained(
                name, dtype=torch.float32, weights_only=True
            )
        except OSError as exc:
            raise RunSetupError(
                f"learner.pretrained {name!r}: not a local model folder and not reachable on "
                f"the Hugging Face hub (offline?): {exc}"
            ) from exc
        n_embeddings = model.get_input_embeddings().num_embeddings
        if self.vocab_size > n_embeddings:
            raise RunSetupError(
                f"learner.pretrained {name!r} has {n_embeddings} token embeddings but the truth "
                f"has {self.vocab_size} tokens: use truth.tokenizer 'pretrained' with this model"
            )
        return model.eval()

    def _token_space(self) -> TokenSpace:
        V, params = self.vocab_size, self.params
        if self._base is None:
            K = self.n_topics if params.condition_on_topic else 1
            start_ids = V + np.arange(K)
            suppress = list(range(V, V + K))
            return TokenSpace(V, start_ids, V, suppress, params.block_size, params.block_size)
        config = self._base.config
        n_embeddings = self._base.get_input_embeddings().num_embeddings
        special = [config.bos_token_id, config.eos_token_id, config.pad_token_id]
        special = [int(s) for s in special if s is not None]
        start = special[0] if special else V
        max_context = getattr(config, "n_positions", None) or getattr(
            config, "max_position_embeddings", params.block_size
        )
        if params.block_size > max_context:
            raise RunSetupError(
                f"learner.block_size {params.block_size} exceeds the context of "
                f"{params.pretrained!r} ({max_context} tokens)"
            )
        suppress = sorted(set(special) | set(range(V, n_embeddings)))
        return TokenSpace(V, np.array([start]), start, suppress, params.block_size, max_context)

    def new_model(self, rng: np.random.Generator) -> torch.nn.Module:
        """Fresh weights: a random GPT-2 (from ``rng``), or a copy of the pretrained model."""
        if self._base is not None:
            return copy.deepcopy(self._base).to(self.device)
        from transformers import GPT2Config, GPT2LMHeadModel

        p, space = self.params, self.space
        start = int(space.start_ids[0])
        config = GPT2Config(
            vocab_size=self.vocab_size + space.start_ids.shape[0],
            n_positions=p.block_size,
            n_embd=p.n_embd,
            n_layer=p.n_layer,
            n_head=p.n_head,
            resid_pdrop=p.dropout,
            embd_pdrop=p.dropout,
            attn_pdrop=p.dropout,
            bos_token_id=start,
            eos_token_id=start,
        )
        with seeded_torch(rng, torch.device("cpu")):
            model = GPT2LMHeadModel(config)
        return model.to(self.device).eval()

    def _initial_model(
        self, r: int, rng: np.random.Generator, previous: TransformerFitted | None
    ) -> torch.nn.Module:
        if previous is None or self.params.init == "scratch":
            return self.new_model(rng)
        source = previous if self.params.init == "previous" else previous.original
        return copy.deepcopy(source.models[r]).to(self.device)

    # ------------------------------------------------------------------ fitting
    def fit(
        self, data: TokenDocs, rng: ReplicaRNG, previous: TransformerFitted | None = None
    ) -> TransformerFitted:
        """Train one model per replica of ``data`` (each from its own generator)."""
        models, losses = [], []
        with torch_threads(self.params.threads):
            for r, g in enumerate(rng):
                docs = data.for_replica(r)
                model = self._initial_model(r, g, previous)
                pieces = split_pieces(
                    docs, self.space.starts(docs.topics), self.space.context - 1, self.space.pad_id
                )
                losses.append(train(model, pieces, self.params, g, self.device))
                models.append(model)
        laws = DocumentLaws.of(data, self.n_topics)
        prompts = data if self.params.prompt_length > 0 else None
        fitted = TransformerFitted(self, models, laws, np.stack(losses), prompts)
        fitted.original = previous.original if previous is not None else fitted
        return fitted

    def load(self, folder: Path) -> TransformerFitted:
        """Fitted models saved by :meth:`TransformerFitted.save` (safetensors, weights only).

        The loaded models are their own ``original`` (the generation-0 link is not saved).
        """
        from transformers import AutoModelForCausalLM

        folder = Path(folder)
        meta = json.loads((folder / "fitted.json").read_text())
        models = [
            AutoModelForCausalLM.from_pretrained(
                folder / f"replica_{r}", use_safetensors=True, weights_only=True
            )
            .to(self.device)
            .eval()
            for r in range(meta["replicas"])
        ]
        laws = DocumentLaws(np.array(meta["length_counts"]), np.array(meta["topic_counts"]))
        prompts = None
        if (folder / "prompts.npz").exists():
            with np.load(folder / "prompts.npz", allow_pickle=False) as z:
                prompts = TokenDocs(
                    z["tokens"], z["offsets"], z["topics"], z["replica"], meta["replicas"]
                )
        return TransformerFitted(self, models, laws, np.array(meta["losses"]), prompts)


class TransformerFitted:
    """R fitted causal language models (one per replica).

    Attributes:
        n_replicas: R.
        models: the torch models, in replica order.
        laws: length and topic counts of the training documents (sampled documents follow them).
        train_losses: (R, steps) training loss per optimiser step, nats per token.
        original: the generation-0 fitted models this line of generations started from.
    """

    def __init__(
        self,
        learner: TransformerLearner,
        models: list[torch.nn.Module],
        laws: DocumentLaws,
        train_losses: np.ndarray,
        prompts: TokenDocs | None,
    ):
        self.learner = learner
        self.models = models
        self.n_replicas = len(models)
        self.laws = laws
        self.train_losses = train_losses
        self.prompts = prompts
        self.original: TransformerFitted = self

    # ------------------------------------------------------------------ scoring
    def log_prob(self, docs: TokenDocs) -> np.ndarray:
        """Log-probability (nats) of every token of ``docs`` under every model: (R, n_tokens).

        Each document is scored from its start token, so its first token is conditioned on the
        start (its topic's, from scratch) alone; replica labels of ``docs`` are ignored.
        """
        learner = self.learner
        space = learner.space
        pieces = split_pieces(docs, space.starts(docs.topics), space.context - 1, space.pad_id)
        out = np.empty((self.n_replicas, docs.n_tokens))
        with torch_threads(learner.params.threads):
            for r, model in enumerate(self.models):
                out[r] = token_log_probs(
                    model,
                    pieces,
                    space.vocab_size,
                    learner.params.eval_batch_size,
                    learner.device,
                    docs.n_tokens,
                )
        return out

    def sequence_perplexity(self, docs: TokenDocs) -> np.ndarray:
        """Perplexity of every document under every model: (R, n_docs).

        exp of the mean negative log-probability of the document's tokens (NaN for an empty
        document). Call it on ``fitted.original`` for perplexities under generation 0.
        """
        lp = self.log_prob(docs)
        doc = docs.doc_of_token()
        total = np.stack([np.bincount(doc, weights=row, minlength=docs.n_docs) for row in lp])
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            return np.exp(-total / docs.lengths)

    def evaluate(self, test: TokenDocs, truth) -> dict[str, np.ndarray]:
        """Cross-entropy and perplexity on held-out human ``test``; excess over a known truth.

        Returns:
            ``cross_entropy`` (nats/token), ``perplexity``, ``train_loss`` (mean loss of the last
            tenth of training steps) and, when the truth has ``cross_entropy`` (the synthetic
            tokens truth), ``excess_cross_entropy`` and ``truth_cross_entropy``.
        """
        ce = -self.log_prob(test).mean(axis=1)
        with np.errstate(over="ignore"):
            metrics = {"cross_entropy": ce, "perplexity": np.exp(ce)}
        steps = self.train_losses.shape[1]
        if steps:
            metrics["train_loss"] = self.train_losses[:, -max(1, steps // 10) :].mean(axis=1)
        if callable(getattr(truth, "cross_entropy", None)):
            truth_ce = truth.cross_entropy(test)
            metrics["excess_cross_entropy"] = ce - truth_ce
            metrics["truth_cross_entropy"] = np.full(self.n_replicas, truth_ce)
        return metrics

    # ------------------------------------------------------------------ sampling
    def sample(self, n: np.ndarray, rng: ReplicaRNG, decoding: DecodingParams) -> TokenDocs:
        """Generate ``n[r]`` documents per replica, lengths (and topics) as in its training data.

        Deterministic given ``rng``: torch is seeded from each replica's generator.
        """
        n = np.broadcast_to(np.asarray(n, dtype=np.int64), (self.n_replicas,))
        parts = []
        for r, g in enumerate(rng):
            prompts = None if self.prompts is None else self.prompts.for_replica(r)
            plan = self._plan(r, int(n[r]), g, prompts=prompts)
            tokens = self._generate(r, plan, g, decoding)
            replica = np.full(n[r], r)
            parts.append(
                TokenDocs.from_arrays(tokens, plan.lengths, plan.topics, replica, self.n_replicas)
            )
        return TokenDocs.concat(parts)

    def sample_topics(
        self,
        topics: np.ndarray,
        rng: np.random.Generator,
        decoding: DecodingParams,
        replica: int = 0,
    ) -> TokenDocs:
        """One document per entry of ``topics`` from model ``replica``, as a one-replica batch.

        Lengths follow the learned length law; no prompts (the ecosystem writes each author's
        documents on the author's topics with one call per model).
        """
        plan = self._plan(replica, len(topics), rng, topics=np.asarray(topics, dtype=np.int64))
        tokens = self._generate(replica, plan, rng, decoding)
        zeros = np.zeros(len(topics))
        return TokenDocs.from_arrays(tokens, plan.lengths, plan.topics, zeros, 1)

    def _plan(self, r: int, n: int, g: np.random.Generator, **given) -> GenerationPlan:
        learner = self.learner
        return plan_documents(
            self.laws, learner.space, r, n, g, prompt_length=learner.params.prompt_length, **given
        )

    def _generate(
        self, r: int, plan: GenerationPlan, g: np.random.Generator, decoding: DecodingParams
    ) -> np.ndarray:
        learner = self.learner
        with torch_threads(learner.params.threads), seeded_torch(g, learner.device):
            return generate(
                self.models[r],
                plan,
                decoding,
                learner.params.sample_batch_size,
                learner.space,
                learner.device,
            )

    # ------------------------------------------------------------------ storage
    def save(self, folder: Path) -> Path:
        """Write every model with safetensors plus the document laws; returns ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for r, model in enumerate(self.models):
            model.save_pretrained(folder / f"replica_{r}")
        meta = {
            "replicas": self.n_replicas,
            "length_counts": self.laws.length_counts.tolist(),
            "topic_counts": self.laws.topic_counts.tolist(),
            "losses": self.train_losses.tolist(),
        }
        (folder / "fitted.json").write_text(json.dumps(meta))
        if self.prompts is not None:
            p = self.prompts
            np.savez(
                folder / "prompts.npz",
                tokens=p.tokens,
                offsets=p.offsets,
                topics=p.topics,
                replica=p.replica,
            )
        return folder
