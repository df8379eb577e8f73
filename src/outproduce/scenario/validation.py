"""Pydantic's validation errors as one clear line: file, line, field path, what was expected."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from outproduce.errors import InputError


def _allowed_fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Best-effort list of the fields the model allows at the parent of ``loc``."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return []
            current = field.annotation
        current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    for arg in getattr(annotation, "__args__", ()) or ():
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    args = getattr(annotation, "__args__", ())
    if args and getattr(annotation, "__origin__", None) in (list, dict):
        return _unwrap(args[-1]) if not isinstance(args[-1], type) else args[-1]
    return annotation


def _short(value: Any, limit: int = 60) -> str:
    """A value's repr cut to ``limit`` characters: an error line stays one short line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def validation_error(
    exc: ValidationError,
    model: type[BaseModel],
    label: str,
    prefix: tuple[str, ...],
    source: Any,
) -> InputError:
    """The first problem pydantic found, as one InputError.

    It names the file, line and field path and says what was expected (an unknown field
    lists the allowed ones). ``source`` (the parsed file, or None) finds the line.
    """
    err = exc.errors(include_url=False)[0]
    loc = tuple(str(p) for p in err["loc"] if not str(p).startswith("function-"))
    # Drop union tags pydantic inserts ('range', 'fixed', ...) from the path.
    tags = {"fixed", "range", "normal", "lognormal", "triangular", "uniform", "pert"}
    loc = tuple(p for p in loc if p not in tags)
    path = (*prefix, *loc)
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        allowed = _allowed_fields(model, tuple(err["loc"]))
        message = f"unknown field {loc[-1]!r}" + (
            f"; expected one of: {', '.join(allowed)}" if allowed else ""
        )
    elif err["type"] == "missing":
        message = "required field is missing"
    elif err["type"] == "literal_error":
        message = f"got {_short(err.get('input'))}; {message.lower()}"
    elif "input" in err and err["type"] not in ("value_error", "uncertain_value"):
        message = f"{message}, got {_short(err['input'])}"
    elif err["type"] == "uncertain_value":
        message = f"{message}; got {_short(err.get('input'))}"
    line = source.line_of(path) if source else None
    return InputError(message, file=label, field=".".join(path) or None, line=line)


def validate(
    model: type[BaseModel], raw: Any, label: str, prefix: tuple[str, ...], source: Any
) -> Any:
    """``model`` validated from ``raw``, or the first problem as one InputError."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(exc, model, label, prefix, source) from None
