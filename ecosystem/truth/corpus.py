"""Reading human text corpora and tokenizing them: the shipped plays, a folder, a HF dataset.

A corpus is read as two lists of texts, a training part and a held-out test part. Local files
are split per file at a line boundary (the last ``test_fraction`` of every file is held out, so
neighbouring text never straddles the split); a Hugging Face dataset brings its own splits.
Tokenizers are either a byte-level BPE trained on the training part only or a pretrained one.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Protocol

import numpy as np

from ecosystem.config.text import TextTruthParams
from ecosystem.core.errors import RunSetupError
from ecosystem.corpora import CorpusError, corpus_folder, read_text_file, text_files


class TextTokenizer(Protocol):
    """What the text truth needs from a tokenizer."""

    vocab_size: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """Token ids of the texts, concatenated (int32)."""
        ...

    def decode(self, sequences: list[np.ndarray]) -> list[str]:
        """Text of each token sequence."""
        ...


def read_corpus(params: TextTruthParams) -> tuple[list[str], list[str]]:
    """The (training, test) texts of the corpus ``params`` names."""
    if params.source == "hf":
        return _read_hf(params)
    folder = corpus_folder("shakespeare") if params.source == "shakespeare" else Path(params.path)
    try:
        files = text_files(folder)
        texts = [read_text_file(file) for file in files]
    except CorpusError as exc:
        raise RunSetupError(f"truth.path: {exc}") from None
    if not files:
        raise FileNotFoundError(f"truth.path {str(folder)!r}: no .txt files")
    train, test = [], []
    for text in texts:
        head, tail = split_text(text, params.test_fraction)
        train.append(head)
        test.append(tail)
    return train, test


def split_text(text: str, test_fraction: float) -> tuple[str, str]:
    """Cut ``text`` after the last line break before (1 - test_fraction) of its characters."""
    at = round(len(text) * (1.0 - test_fraction))
    cut = text.rfind("\n", 0, at) + 1 or at  # mid-line only when no line break comes before
    return text[:cut], text[cut:]


def _read_hf(params: TextTruthParams) -> tuple[list[str], list[str]]:
    try:
        import datasets
    except ImportError:
        raise RunSetupError(
            "truth.source 'hf' needs the optional package `datasets`: "
            "pip install 'ecosim[hf]' (or use source 'folder' with local .txt files)"
        ) from None
    name = params.hf_dataset + (f"/{params.hf_config}" if params.hf_config else "")
    parts = []
    for split in (params.hf_train_split, params.hf_test_split):
        try:
            data = datasets.load_dataset(params.hf_dataset, params.hf_config, split=split)
            column = data[params.hf_text_column]
        except Exception as exc:  # network, unknown id, split or column: all one message
            raise RunSetupError(
                f"truth: could not load Hugging Face dataset {name!r} split {split!r} "
                f"column {params.hf_text_column!r} (is the network reachable, or the dataset "
                f"in the local cache?): {exc}"
            ) from exc
        # rows are lines (wikitext keeps their newline); one text per split
        parts.append(["".join(t if t.endswith("\n") else t + "\n" for t in column)])
    return parts[0], parts[1]


def _lines(texts: list[str]) -> list[str]:
    """Lines with their line breaks, so encoding them one by one keeps the text's layout."""
    return [line for text in texts for line in text.splitlines(keepends=True)]


class BPETokenizer:
    """A byte-level BPE trained with ``tokenizers`` on the human training texts.

    Args:
        texts: the training texts.
        vocab_size: the vocabulary size (the 256 byte symbols plus merges).
    """

    def __init__(self, texts: list[str], vocab_size: int):
        from tokenizers import ByteLevelBPETokenizer

        self._tok = ByteLevelBPETokenizer()
        self._tok.train_from_iterator(
            _lines(texts), vocab_size=vocab_size, min_frequency=2, show_progress=False
        )
        self.vocab_size = self._tok.get_vocab_size()

    def encode(self, texts: list[str]) -> np.ndarray:
        encoded = self._tok.encode_batch(_lines(texts))
        return _flat([e.ids for e in encoded])

    def decode(self, sequences: list[np.ndarray]) -> list[str]:
        return self._tok.decode_batch([np.asarray(s).tolist() for s in sequences])


class PretrainedTokenizer:
    """A pretrained model's tokenizer (``AutoTokenizer``), without its special tokens.

    Args:
        name: local folder or hub id.
    """

    def __init__(self, name: str):
        from transformers import AutoTokenizer

        try:
            self._tok = AutoTokenizer.from_pretrained(name)
        except OSError as exc:
            raise RunSetupError(
                f"truth.tokenizer_path {name!r}: not a local tokenizer folder and not reachable "
                f"on the Hugging Face hub: {exc}"
            ) from exc
        self.vocab_size = len(self._tok)

    def encode(self, texts: list[str]) -> np.ndarray:
        ids = self._tok(_lines(texts), add_special_tokens=False)["input_ids"]
        return _flat(ids)

    def decode(self, sequences: list[np.ndarray]) -> list[str]:
        return self._tok.batch_decode(
            [np.asarray(s).tolist() for s in sequences],
            skip_special_tokens=True,
            clean_up_tokenization_spaces=False,
        )


def build_tokenizer(params: TextTruthParams, train_texts: list[str]) -> TextTokenizer:
    """The tokenizer ``params`` asks for (BPE is trained on ``train_texts`` only)."""
    if params.tokenizer == "bpe":
        return BPETokenizer(train_texts, params.bpe_vocab_size)
    return PretrainedTokenizer(params.tokenizer_path)


def _flat(ids: list[list[int]]) -> np.ndarray:
    total = sum(map(len, ids))
    return np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int32, count=total)
