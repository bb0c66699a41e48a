"""Parameters of the text truth: real human text, cut into fixed-length token blocks.

Kept in its own module (re-exported by :mod:`ecosystem.config.truth`); the truth itself lives in
:mod:`ecosystem.truth.text`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from ecosystem.config.base import Int, Params, Real, field_error
from ecosystem.corpora import CorpusError, text_files


class TextTruthParams(Params):
    """Human text from a corpus: the shipped Shakespeare plays, a folder or a HF dataset.

    The corpus is split into a training part (what "human data" is drawn from) and a held-out
    test part, tokenized, and cut into documents of ``block_length`` tokens.
    """

    modality: Literal["text"] = "text"
    source: Literal["shakespeare", "folder", "hf"] = Field(
        "shakespeare",
        description="shakespeare: the plays shipped with ecosim; folder: the .txt files of "
        "`path`; hf: a Hugging Face `datasets` dataset (needs `datasets` and the network).",
    )
    path: str | None = Field(
        None, description="source folder: a folder of UTF-8 .txt files (read recursively)."
    )
    hf_dataset: str | None = Field(None, description="source hf: dataset id, e.g. wikitext.")
    hf_config: str | None = Field(
        None, description="source hf: configuration name, e.g. wikitext-2-raw-v1."
    )
    hf_train_split: str = Field("train", description="source hf: split of the human data.")
    hf_test_split: str = Field("test", description="source hf: split held out for evaluation.")
    hf_text_column: str = Field("text", description="source hf: column holding the text.")
    tokenizer: Literal["bpe", "pretrained"] = Field(
        "bpe",
        description="bpe: a byte-level BPE trained on the training split; pretrained: the "
        "tokenizer at tokenizer_path (e.g. the fine-tuned model's).",
    )
    tokenizer_path: str | None = Field(
        None, description="tokenizer pretrained: local folder or hub id (e.g. facebook/opt-125m)."
    )
    bpe_vocab_size: Int = Field(
        1024, ge=257, le=200_000, description="tokenizer bpe: vocabulary size (256 bytes + merges)."
    )
    block_length: Int = Field(
        64, ge=2, le=32_768, description="Tokens per document (Shumailov et al.: 64)."
    )
    test_fraction: Real = Field(
        0.1,
        gt=0.0,
        lt=1.0,
        description="shakespeare, folder: share of each file (its end) held out for evaluation.",
    )

    @model_validator(mode="after")
    def _source(self) -> TextTruthParams:
        if self.source == "folder":
            if self.path is None:
                raise field_error("path", "source 'folder' needs path: a folder of .txt files")
            folder = Path(self.path).expanduser()
            if not folder.is_dir():
                raise field_error("path", f"{self.path!r} is not a folder")
            try:
                files = text_files(folder)
            except CorpusError as exc:
                raise field_error("path", str(exc)) from None
            if not files:
                raise field_error("path", f"{self.path!r} holds no .txt files")
        elif self.path is not None:
            raise field_error("path", "applies to source 'folder' only")
        if self.source == "hf" and not self.hf_dataset:
            raise field_error(
                "hf_dataset", "source 'hf' needs hf_dataset (e.g. wikitext) and usually hf_config"
            )
        if self.tokenizer == "pretrained" and not self.tokenizer_path:
            raise field_error(
                "tokenizer_path", "tokenizer 'pretrained' needs tokenizer_path (folder or hub id)"
            )
        return self
