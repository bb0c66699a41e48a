"""The base of every parameter model: frozen, strict about unknown keys."""

from pydantic import BaseModel, ConfigDict
from pydantic_core import PydanticCustomError


class Params(BaseModel):
    """Frozen, typed parameters, validated once at the YAML boundary; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def field_error(path: str, message: str) -> PydanticCustomError:
    """An error of a cross-field rule, pinned to the field ``path`` (dotted, relative to the
    model that checks the rule) so the loader reports that field's line and path."""
    return PydanticCustomError("field_rule", message, {"field": path})
