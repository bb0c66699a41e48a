"""The base of every parameter model: frozen, strict about unknown keys, and the number types
every numeric field uses (finite reals and integers, never booleans)."""

from typing import Annotated, Any

from pydantic import AllowInfNan, BaseModel, BeforeValidator, ConfigDict, Strict
from pydantic_core import PydanticCustomError


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("bool_not_number", "true/false is not a number")
    return value


Real = Annotated[float, BeforeValidator(_not_bool), AllowInfNan(False)]
"""A finite real number: NaN, infinities and booleans are refused (integers are accepted)."""

Int = Annotated[int, Strict()]
"""An integer: booleans, floats such as 2.0 and strings are refused."""


class Params(BaseModel):
    """Frozen, typed parameters, validated once at the YAML boundary; unknown keys are errors.

    ``allow_inf_nan=False`` backs up ``Real``: no float of a scenario may be NaN or infinite.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False
    )


def field_error(path: str, message: str) -> PydanticCustomError:
    """An error of a cross-field rule, pinned to the field ``path`` (dotted, relative to the
    model that checks the rule) so the loader reports that field's line and path."""
    return PydanticCustomError("field_rule", message, {"field": path})
