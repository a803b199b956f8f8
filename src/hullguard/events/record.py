"""Plain value classes for modules on the cold-start path, instead of ``dataclasses``.

``import dataclasses`` imports ``inspect`` (and with it ``ast``, ``dis``, ``tokenize``): about 8 ms,
and each ``@dataclass`` costs about half a millisecond more, in every protected function's cold
start. A subclass of ``Record`` lists its fields in ``_fields`` (declaration order, as a dataclass
would), declares them in ``__slots__`` and writes its own ``__init__``; it gets what callers relied
on from the dataclasses: equality and ``repr`` over the fields, and pickling/copying.
``FrozenRecord`` also refuses assignment and is hashable, like ``@dataclass(frozen=True)``.
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


class Record:
    __slots__ = ()
    _fields: tuple[str, ...] = ()  # every field, in the order ``__init__`` takes them

    def _values(self) -> tuple[object, ...]:
        return tuple([getattr(self, name) for name in self._fields])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    # Defining __eq__ alone makes a class unhashable, as a mutable dataclass is.

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{self.__class__.__qualname__}({fields})"

    def __reduce__(self) -> tuple[type[Record], tuple[object, ...]]:
        # Rebuilt through __init__ with every field positionally: works for frozen records too.
        return self.__class__, self._values()


class FrozenRecord(Record):
    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a frozen {self.__class__.__name__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a frozen {self.__class__.__name__}")

    def __hash__(self) -> int:
        return hash(self._values())


class _NamedTupleMeta(type):
    """Builds ``collections.namedtuple`` classes from class syntax, as ``typing.NamedTuple`` does."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, object]) -> type:
        if namespace.get("_root"):  # ``NamedTuple`` itself
            return super().__new__(mcs, name, bases, namespace)
        annotations = namespace.get("__annotations__", {})
        assert isinstance(annotations, dict)
        fields = tuple(annotations)
        defaults: list[object] = []
        for field in fields:
            if field in namespace:
                defaults.append(namespace[field])
            elif defaults:
                raise TypeError(f"{name}: field {field} without a default follows a field with one")
        cls = _namedtuple(name, fields, defaults=defaults, module=str(namespace.get("__module__")))
        cls.__annotations__ = dict(annotations)
        for key, value in namespace.items():
            if key in _TUPLE_OWN:
                raise AttributeError(f"{name}: cannot overwrite NamedTuple attribute {key}")
            if key not in fields and key not in ("__module__", "__annotations__", "__classcell__"):
                setattr(cls, key, value)  # methods, properties, docstring, __qualname__
        return cls


# Called through a variable: type checkers only accept literal arguments in a direct call.
_namedtuple: Callable[..., type[tuple[object, ...]]] = namedtuple
_TUPLE_OWN = frozenset(
    ("__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults", "_make", "_replace", "_asdict")
)


class NamedTuple(metaclass=_NamedTupleMeta):
    """Runtime stand-in for ``typing.NamedTuple`` (``class Budget(NamedTuple): max_bytes: int = 8``)
    that does not import ``typing``. Use it as ``if TYPE_CHECKING: from typing import NamedTuple``
    ``else: from hullguard.events.record import NamedTuple``, so type checkers see the real one."""

    _root = True
