"""The base of every parameter model: frozen, strict about unknown keys."""

from pydantic import BaseModel, ConfigDict


class Params(BaseModel):
    """Frozen, typed parameters; unknown keys are errors (STYLE.md habit 3)."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)
