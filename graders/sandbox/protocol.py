"""The wire between the grader and a student process: length-prefixed JSON of
plain data, never pickle.

A frame is a 4-byte big-endian length followed by that many bytes of UTF-8
JSON. Values are plain data only:

- ``None``, ``bool``, ``int``, ``float`` (``NaN`` and ``Infinity`` allowed), ``str``;
- ``list``, ``dict`` with ``str`` keys;
- tagged objects ``{"$t": ...}`` for what JSON lacks: ``tuple``, ``complex``,
  non-finite floats are plain JSON constants, numpy arrays of numeric or bool
  dtype (``{"$t": "nd", "dtype": "<f8", "shape": [2, 3], "b64": "..."}``),
  and a dict that itself has a ``"$t"`` key (``{"$t": "dict", "v": {...}}``).

Numpy scalars encode as Python scalars; subclasses of ``int``, ``float``,
``str``, ``list``, ``dict``, ``tuple`` and ``ndarray`` encode as their plain
base type, so whatever the student process sends, :func:`decode` builds fresh
builtin objects and plain ``numpy.ndarray`` instances from the bytes. The
decoder limits message size and nesting depth: a protocol bomb is a
:class:`ProtocolError` for that one submission.

The grader side decodes with :func:`decode`; both sides use :func:`send` and
:func:`recv` on a connected ``socket.socket``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import socket
import struct
import time

# Bound at import: student code in the same process may replace attributes of
# the builtins module; this runtime keeps working and reports it (see tamper checks).
from builtins import (  # noqa: UP029
    ImportError,
    RecursionError,
    ValueError,
    all,
    bool,
    bytes,
    complex,
    dict,
    float,
    int,
    isinstance,
    len,
    list,
    min,
    str,
    tuple,
    type,
)
from typing import Any

from sheetgrade.graders.sandbox.errors import ProtocolError

MAX_MESSAGE = 256 * 1024 * 1024  # bytes in one frame
MAX_DEPTH = 64  # nesting of lists/dicts/tuples
MAX_ARRAY_DIMS = 32
MAX_ITEMS = 1_000_000  # values in one message (arrays count as one)
#: containers and values one frame may expand into when decoded (a list item
#: costs the grader about 60 bytes: 2 M of them stay near 150 MB)
MAX_OBJECTS = 2_000_000

_HEADER = struct.Struct(">I")
# The base types' own slots, bound at import (see ``_encode``).
_INT_VALUE = int.__index__
_FLOAT_VALUE = float.__float__
_STR_VALUE = str.__str__
_REAL = complex.real.__get__
_IMAG = complex.imag.__get__
_TUPLE_ITER = tuple.__iter__
_LIST_ITER = list.__iter__
_DICT_ITEMS = dict.items
_DTYPE = re.compile(r"^[<>|=]?(b1|[iu][1248]|f[248]|c(8|16))$")


class EncodeError(ProtocolError):
    """A value that cannot cross the boundary (e.g. a student's own class)."""


# ------------------------------------------------------------------ encoding


def encode(value: Any) -> Any:
    """Turn ``value`` into JSON-ready plain data (see the module docstring).

    Raises:
        EncodeError: for types outside the protocol, too deep nesting or more
            than ``MAX_ITEMS`` values (it fails fast rather than encoding for minutes).
    """
    return _encode(value, 0, [MAX_ITEMS])


def _encode(value: Any, depth: int, budget: list[int]) -> Any:
    if depth > MAX_DEPTH:
        raise EncodeError(f"value nested deeper than {MAX_DEPTH} levels")
    budget[0] -= 1
    if budget[0] < 0:
        raise EncodeError(f"value holds more than {MAX_ITEMS} items; return arrays for bulk data")
    if value is None or type(value) in (bool, int, float, str):
        return value
    # Subclasses cross as their exact base type, rebuilt from the true value
    # through the base type's own slots: a lying __float__, __iter__, items()
    # or __repr__ of a subclass is never called.
    if isinstance(value, bool):
        return _INT_VALUE(value) != 0
    if isinstance(value, int):
        return _INT_VALUE(value)
    if isinstance(value, float):
        return _FLOAT_VALUE(value)
    if isinstance(value, str):
        return _STR_VALUE(value)
    if isinstance(value, complex):
        return {"$t": "complex", "re": _REAL(value), "im": _IMAG(value)}
    if isinstance(value, tuple):
        return {"$t": "tuple", "v": [_encode(v, depth + 1, budget) for v in _TUPLE_ITER(value)]}
    if isinstance(value, list):
        return [_encode(v, depth + 1, budget) for v in _LIST_ITER(value)]
    if isinstance(value, dict):
        out = {}
        for key, item in _DICT_ITEMS(value):
            if type(key) is not str and not isinstance(key, str):
                raise EncodeError("a dict key is not a str; only str keys can be sent")
            out[_STR_VALUE(key)] = _encode(item, depth + 1, budget)
        return {"$t": "dict", "v": out} if "$t" in out else out
    return _encode_numpy(value)


def _encode_numpy(value: Any) -> Any:
    np = _numpy()
    if np is not None:
        if isinstance(value, np.generic):
            if isinstance(value, np.bool_ | np.number):
                return _encode(value.item(), 0, [2])
        elif isinstance(value, np.ndarray):
            array = np.asarray(value)  # drops subclasses
            if array.dtype.kind not in "biufc":
                raise EncodeError(
                    f"arrays of dtype {array.dtype} cannot be sent; only numbers and bools"
                )
            return {
                "$t": "nd",
                "dtype": array.dtype.str,
                "shape": list(array.shape),
                "b64": base64.b64encode(array.tobytes(order="C")).decode("ascii"),
            }
    raise EncodeError(
        f"a value of type {type(value).__name__} cannot be sent; return numbers, strings, "
        f"lists, tuples, dicts or numpy arrays"
    )


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:  # pragma: no cover - numpy is a dependency
        return None
    return numpy


def dumps(message: Any) -> bytes:
    """Encode ``message`` to the JSON bytes of one frame (without the header)."""
    # ASCII JSON: a lone surrogate (valid in a Python str, not in UTF-8) travels
    # as a \\udXXX escape instead of failing to encode.
    return json.dumps(encode(message), separators=(",", ":"), ensure_ascii=True).encode("ascii")


# ------------------------------------------------------------------ decoding


def decode(data: Any, _depth: int = 0) -> Any:
    """Build fresh plain objects from decoded JSON (see the module docstring).

    Raises:
        ProtocolError: for malformed tags, bad dtypes or too deep nesting.
    """
    if _depth > MAX_DEPTH:
        raise ProtocolError(f"message nested deeper than {MAX_DEPTH} levels")
    if data is None or isinstance(data, bool | int | float):
        return data
    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, list):
        return [decode(v, _depth + 1) for v in data]
    if not isinstance(data, dict):
        raise ProtocolError("unexpected JSON value")
    tag = data.get("$t")
    if tag is None:
        return {clean_text(k): decode(v, _depth + 1) for k, v in data.items()}
    if tag == "dict" and isinstance(data.get("v"), dict):
        return {clean_text(k): decode(v, _depth + 1) for k, v in data["v"].items()}
    if tag == "tuple" and isinstance(data.get("v"), list):
        return tuple(decode(v, _depth + 1) for v in data["v"])
    if tag == "complex":
        re_, im = data.get("re"), data.get("im")
        if isinstance(re_, int | float) and isinstance(im, int | float):
            return complex(re_, im)
    if tag == "nd":
        return _decode_array(data)
    # Messages of decoding errors never quote what was received: it may carry a
    # hidden test's inputs (see the module docstring).
    raise ProtocolError("malformed tagged value")


def clean_text(text: str) -> str:
    """``text`` without lone surrogates (each becomes U+FFFD): safe to encode as UTF-8."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def _decode_array(data: dict[str, Any]) -> Any:
    import numpy as np

    dtype, shape, b64 = data.get("dtype"), data.get("shape"), data.get("b64")
    if not isinstance(dtype, str) or not _DTYPE.match(dtype):
        raise ProtocolError("array dtype not allowed")
    if (
        not isinstance(shape, list)
        or len(shape) > MAX_ARRAY_DIMS
        or not all(type(n) is int and n >= 0 for n in shape)
    ):
        raise ProtocolError("bad array shape")
    if not isinstance(b64, str):
        raise ProtocolError("array without data")
    try:
        raw = base64.b64decode(b64, validate=True)
    except ValueError:
        raise ProtocolError("array data is not base64") from None
    dt = np.dtype(dtype)
    if len(raw) != math.prod(shape) * dt.itemsize:
        raise ProtocolError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dt).reshape(tuple(shape)).copy()


def loads(payload: bytes, max_objects: int = MAX_OBJECTS) -> Any:
    """Decode the JSON bytes of one frame into fresh plain objects.

    Bounded before any parsing: the frame's size, the number of containers
    and values it can build (counted on the bytes: brackets, braces, commas
    and colons), and the digits of any integer (Python's own
    ``int_max_str_digits``). A frame that would expand into more than
    ``max_objects`` objects is refused without being parsed.
    """
    if len(payload) > MAX_MESSAGE:
        raise ProtocolError("message exceeds the size limit")
    estimate = payload.count(b",") + payload.count(b"[") + payload.count(b"{")
    if estimate > max_objects:
        raise ProtocolError("message holds too many values")
    try:
        raw = json.loads(payload.decode("utf-8"))
    except (ValueError, RecursionError, MemoryError):
        raise ProtocolError("message is not valid JSON") from None
    try:
        return decode(raw)
    except RecursionError:
        raise ProtocolError("message nested too deeply") from None


# ------------------------------------------------------------------- framing


def send(sock: socket.socket, message: Any) -> None:
    """Send one frame."""
    payload = dumps(message)
    if len(payload) > MAX_MESSAGE:
        raise EncodeError(f"message of {len(payload)} bytes exceeds the limit of {MAX_MESSAGE}")
    sock.sendall(_HEADER.pack(len(payload)) + payload)


def recv(sock: socket.socket, deadline: float | None = None, max_size: int = MAX_MESSAGE) -> Any:
    """Receive one frame and decode it.

    Args:
        sock: a connected stream socket.
        deadline: ``time.monotonic()`` value after which ``TimeoutError`` is raised.
        max_size: largest frame accepted.

    Raises:
        TimeoutError: the deadline passed.
        EOFError: the peer closed the connection.
        ProtocolError: the frame is too big or malformed.
    """
    (length,) = _HEADER.unpack(_recv_exact(sock, _HEADER.size, deadline))
    if length > max_size:
        raise ProtocolError("message exceeds the size limit")
    return loads(_recv_exact(sock, length, deadline))


def _recv_exact(sock: socket.socket, n: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    left = n
    while left:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
        else:
            sock.settimeout(None)
        try:
            chunk = sock.recv(min(left, 1 << 20))
        except TimeoutError:
            raise
        except OSError as exc:
            raise EOFError(str(exc)) from None
        if not chunk:
            raise EOFError("connection closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def call_key(op: str, name: str, args: Any = (), kwargs: Any = None) -> str:
    """The key of one request to the reference, as stored in ``recorded_reference``.

    It is the SHA-256 (hex, first 32 digits) of the canonical JSON of
    ``[op, name, encode(args), encode(kwargs)]``; ``op`` is ``"call"`` or ``"value"``.
    """
    canonical = json.dumps(
        [op, name, encode(list(args)), encode(dict(kwargs or {}))],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()[:32]
