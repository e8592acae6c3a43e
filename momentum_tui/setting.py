"""Declaring settings: typed, bounded, documented fields on plain dataclasses.

Settings are read by every command and by the app before its first screen, so they are
declared with the standard library rather than pydantic: importing pydantic and building
its models cost about 200 ms of CPU on every launch, for a few dozen scalar fields. What
the settings need is small and lives here:

* `setting(default, description=…, ge=…, gt=…, le=…, lt=…)` declares a field;
* `Section` subclasses take keyword arguments, and every value they are given is checked and
  coerced the way a config file or an environment variable needs (`"20"` → 20, `"yes"` →
  True), raising `SettingError` (a `ValueError`) in the words pydantic would use;
* `Section.from_dict` builds one from a TOML table, refusing unknown keys.

The types a field may have: `str`, `int`, `float`, `bool`, a `Literal` of strings, a
`dict[str, …]` of those, or another `Section`.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal, Self, dataclass_transform, get_args, get_origin

_MISSING: Any = dataclasses.MISSING


class SettingError(ValueError):
    """A value a setting can't take; `loc` is where (section, field, …), `msg` why."""

    def __init__(self, loc: tuple[str, ...], msg: str, kind: str = "invalid") -> None:
        self.loc, self.msg, self.kind = loc, msg, kind
        super().__init__(f"{'.'.join(loc)}: {msg}" if loc else msg)

    def within(self, *outer: str) -> SettingError:
        """The same error, located inside `outer`."""
        return SettingError((*outer, *self.loc), self.msg, self.kind)


@dataclasses.dataclass(frozen=True, slots=True)
class Bounds:
    """The limits of a number setting (None: no limit that way)."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None

    def check(self, value: float) -> None:
        """Raise `SettingError` when `value` is out of bounds."""
        for bound, fails, words in (
            (self.ge, self.ge is not None and value < self.ge, "greater than or equal to"),
            (self.gt, self.gt is not None and value <= self.gt, "greater than"),
            (self.le, self.le is not None and value > self.le, "less than or equal to"),
            (self.lt, self.lt is not None and value >= self.lt, "less than"),
        ):
            if fails:
                raise SettingError((), f"Input should be {words} {bound}", "bound")


@dataclasses.dataclass(frozen=True, slots=True)
class _Declared:
    """What `setting()` puts in a class body; the class turns it into a `FieldInfo`."""

    default: Any
    default_factory: Callable[[], Any] | None
    description: str
    bounds: Bounds


def setting(
    default: Any = _MISSING,
    *,
    default_factory: Callable[[], Any] | None = None,
    description: str = "",
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
) -> Any:
    """A settings field: its default (or default factory), what it means, its bounds."""
    return _Declared(default, default_factory, description, Bounds(ge, gt, le, lt))


@dataclasses.dataclass(frozen=True, slots=True)
class FieldInfo:
    """One field of a section: its type, default, description and bounds."""

    name: str
    annotation: Any
    description: str
    bounds: Bounds
    declared: _Declared

    @property
    def default(self) -> Any:
        """A fresh default value."""
        factory = self.declared.default_factory
        return factory() if factory is not None else self.declared.default

    def coerce(self, value: Any) -> Any:
        """`value` as this field holds it, or `SettingError` located at the field."""
        try:
            checked = coerce(self.annotation, value)
            if isinstance(checked, int | float) and not isinstance(checked, bool):
                self.bounds.check(checked)
        except SettingError as error:
            raise error.within(self.name) from None
        return checked


@dataclass_transform(kw_only_default=True, field_specifiers=(setting,))
class Section:
    """A group of settings, built from keyword arguments; every value it takes is checked.

    Not a generated dataclass: generating each class's methods cost more at start-up
    than the whole of the settings' use. The fields are read from the class body.
    """

    _declared: ClassVar[dict[str, _Declared]] = {}
    _fields: ClassVar[dict[str, FieldInfo] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = {k: v for k, v in vars(cls).items() if isinstance(v, _Declared)}
        for name in declared:
            delattr(cls, name)  # instances always hold their own value
        cls._declared, cls._fields = declared, None  # types resolved on first use

    def __init__(self, **values: Any) -> None:
        fields = type(self).fields()
        for key in values:
            if key not in fields:
                raise SettingError((str(key),), "Extra inputs are not permitted", "extra_forbidden")
        for name, info in fields.items():
            object.__setattr__(
                self, name, info.coerce(values[name]) if name in values else info.default
            )

    @classmethod
    def fields(cls) -> dict[str, FieldInfo]:
        """The section's fields by name, in declaration order."""
        fields = cls.__dict__.get("_fields")
        if fields is None:
            hints = typing.get_type_hints(cls)
            fields = {
                name: FieldInfo(name, hints[name], spec.description, spec.bounds, spec)
                for name, spec in cls._declared.items()
            }
            cls._fields = fields
        return fields

    def __setattr__(self, name: str, value: Any) -> None:
        info = type(self).fields().get(name)
        if info is None:
            raise SettingError((name,), "Extra inputs are not permitted", "extra_forbidden")
        object.__setattr__(self, name, info.coerce(value))

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in type(self).fields())

    __hash__ = None  # type: ignore[assignment]  # settings change: never dictionary keys

    def __repr__(self) -> str:
        values = ", ".join(f"{n}={getattr(self, n)!r}" for n in type(self).fields())
        return f"{type(self).__name__}({values})"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """A section from a table (a TOML section, a JSON object); unknown keys are errors."""
        return cls(**{str(key): value for key, value in data.items()})

    def to_dict(self) -> dict[str, Any]:
        """Every field's value as plain data (sections as tables)."""
        return {
            name: value.to_dict() if isinstance(value, Section) else _plain(value)
            for name in type(self).fields()
            for value in (getattr(self, name),)
        }

    def replace(self, **changes: Any) -> Self:
        """A copy with `changes` (each checked like any assignment)."""
        return type(self)(**{**{n: getattr(self, n) for n in type(self).fields()}, **changes})


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def coerce(annotation: Any, value: Any) -> Any:
    """`value` as `annotation` takes it (lax, as a config file or environment needs)."""
    origin = get_origin(annotation)
    if origin is Literal:
        options = get_args(annotation)
        if value in options:
            return value
        listed = [repr(option) for option in options]
        said = ", ".join(listed[:-1]) + f" or {listed[-1]}" if len(listed) > 1 else listed[0]
        raise SettingError((), f"Input should be {said}", "literal_error")
    if origin is dict:
        key_type, item_type = get_args(annotation)
        if not isinstance(value, Mapping):
            raise SettingError((), "Input should be a valid dictionary", "dict_type")
        checked: dict[Any, Any] = {}
        for key, item in value.items():
            try:
                checked[coerce(key_type, key)] = coerce(item_type, item)
            except SettingError as error:
                raise error.within(str(key)) from None
        return checked
    if isinstance(annotation, type) and issubclass(annotation, Section):
        if isinstance(value, annotation):
            return value
        if isinstance(value, Mapping):
            return annotation.from_dict(value)
        raise SettingError((), "Input should be a valid dictionary", "model_type")
    scalar = _SCALARS.get(annotation)
    if scalar is None:
        raise TypeError(f"settings can't hold {annotation!r}")
    return scalar(value)


def _string(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise SettingError((), "Input should be a valid string", "string_type")


def _integer(value: Any) -> int:
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise SettingError(
            (),
            "Input should be a valid integer, got a number with a fractional part",
            "int_from_float",
        )
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise SettingError(
                (), "Input should be a valid integer, unable to parse string as an integer",
                "int_parsing",
            ) from None  # fmt: skip
    raise SettingError((), "Input should be a valid integer", "int_type")


def _number(value: Any) -> float:
    if isinstance(value, bool | int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise SettingError(
                (), "Input should be a valid number, unable to parse string as a number",
                "float_parsing",
            ) from None  # fmt: skip
    raise SettingError((), "Input should be a valid number", "float_type")


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise SettingError(
            (), "Input should be a valid boolean, unable to interpret input", "bool_parsing"
        )
    raise SettingError((), "Input should be a valid boolean", "bool_type")


_SCALARS: dict[Any, Callable[[Any], Any]] = {
    str: _string,
    int: _integer,
    float: _number,
    bool: _boolean,
}
