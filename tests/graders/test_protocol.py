"""The wire format: round trips of plain data, and limits against bombs."""

from __future__ import annotations

import json
import math
import socket
import struct

import numpy as np
import pytest

from sheetgrade.graders.errors import ProtocolError
from sheetgrade.graders.sandbox import protocol


def roundtrip(value):
    return protocol.loads(protocol.dumps(value))


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -7,
        2**70,
        1.5,
        "text ü",
        [1, [2, [3]]],
        {"a": 1, "b": [None]},
        (1, "x", (2.0,)),
        1 + 2j,
        {"$t": "not a tag"},
        [],
        {},
        (),
    ],
)
def test_roundtrip_plain(value) -> None:
    out = roundtrip(value)
    assert out == value and type(out) is type(value)


def test_nan_and_inf() -> None:
    out = roundtrip([math.nan, math.inf, -math.inf])
    assert math.isnan(out[0]) and out[1:] == [math.inf, -math.inf]


@pytest.mark.parametrize(
    "array",
    [
        np.arange(6.0).reshape(2, 3),
        np.array([True, False]),
        np.arange(4, dtype=np.int32),
        np.array([1 + 1j, 2j]),
        np.zeros((0, 3)),
        np.array(3.5),
        np.arange(10)[::2],
        np.array([1.0, 2.0], dtype=">f8"),
    ],
)
def test_roundtrip_arrays(array) -> None:
    out = roundtrip(array)
    assert type(out) is np.ndarray and out.dtype == array.dtype and out.shape == array.shape
    np.testing.assert_array_equal(out, array)


def test_numpy_scalars_become_python_scalars() -> None:
    out = roundtrip([np.float64(0.5), np.int64(3), np.bool_(True), np.complex64(1j)])
    assert out == [0.5, 3, True, 1j]
    assert [type(x) for x in out] == [float, int, bool, complex]


def test_subclasses_arrive_as_plain_types() -> None:
    class Liar(int):
        def __eq__(self, other):
            return True

    class LiarArray(np.ndarray):
        def __eq__(self, other):
            return True

    out = roundtrip([Liar(3), np.arange(3).view(LiarArray)])
    assert type(out[0]) is int and out[0] != 4
    assert type(out[1]) is np.ndarray


@pytest.mark.parametrize("value", [object(), np.array(["a"]), np.array([object()]), {1: 2}, {1, 2}])
def test_unsendable_values(value) -> None:
    with pytest.raises(protocol.EncodeError):
        protocol.dumps(value)


@pytest.mark.parametrize(
    "payload",
    [
        b"[" * 100_000 + b"]" * 100_000,  # nesting bomb
        b'{"$t": "nd", "dtype": "|O", "shape": [1], "b64": ""}',  # object dtype
        b'{"$t": "nd", "dtype": "<f8", "shape": [1000000000], "b64": ""}',  # lies about its size
        b'{"$t": "nd", "dtype": "<f8", "shape": [-1], "b64": ""}',
        b'{"$t": "pickle", "v": "gASV"}',
        b"not json",
        json.dumps(
            2
            * [
                [
                    [
                        [
                            [
                                [
                                    [
                                        [
                                            [
                                                [
                                                    [
                                                        [
                                                            [
                                                                [
                                                                    [
                                                                        [
                                                                            [
                                                                                [
                                                                                    [
                                                                                        [
                                                                                            [
                                                                                                [
                                                                                                    [
                                                                                                        [
                                                                                                            [
                                                                                                                [
                                                                                                                    [
                                                                                                                        [
                                                                                                                            [
                                                                                                                                [
                                                                                                                                    [
                                                                                                                                        [
                                                                                                                                            [
                                                                                                                                                [
                                                                                                                                                    [
                                                                                                                                                        [
                                                                                                                                                            [
                                                                                                                                                                [
                                                                                                                                                                    [
                                                                                                                                                                        [
                                                                                                                                                                            [
                                                                                                                                                                                [
                                                                                                                                                                                    [
                                                                                                                                                                                        [
                                                                                                                                                                                            [
                                                                                                                                                                                                [
                                                                                                                                                                                                    [
                                                                                                                                                                                                        [
                                                                                                                                                                                                            [
                                                                                                                                                                                                                [
                                                                                                                                                                                                                    [
                                                                                                                                                                                                                        [
                                                                                                                                                                                                                            [
                                                                                                                                                                                                                                [
                                                                                                                                                                                                                                    [
                                                                                                                                                                                                                                        [
                                                                                                                                                                                                                                            [
                                                                                                                                                                                                                                                [
                                                                                                                                                                                                                                                    [
                                                                                                                                                                                                                                                        [
                                                                                                                                                                                                                                                            [
                                                                                                                                                                                                                                                                [
                                                                                                                                                                                                                                                                    [
                                                                                                                                                                                                                                                                        [
                                                                                                                                                                                                                                                                            [
                                                                                                                                                                                                                                                                                [
                                                                                                                                                                                                                                                                                    [
                                                                                                                                                                                                                                                                                        1
                                                                                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                                                                                ]
                                                                                                                                                                                                                                                                            ]
                                                                                                                                                                                                                                                                        ]
                                                                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                                                                ]
                                                                                                                                                                                                                                                            ]
                                                                                                                                                                                                                                                        ]
                                                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                                                ]
                                                                                                                                                                                                                                            ]
                                                                                                                                                                                                                                        ]
                                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                                ]
                                                                                                                                                                                                                            ]
                                                                                                                                                                                                                        ]
                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                ]
                                                                                                                                                                                                            ]
                                                                                                                                                                                                        ]
                                                                                                                                                                                                    ]
                                                                                                                                                                                                ]
                                                                                                                                                                                            ]
                                                                                                                                                                                        ]
                                                                                                                                                                                    ]
                                                                                                                                                                                ]
                                                                                                                                                                            ]
                                                                                                                                                                        ]
                                                                                                                                                                    ]
                                                                                                                                                                ]
                                                                                                                                                            ]
                                                                                                                                                        ]
                                                                                                                                                    ]
                                                                                                                                                ]
                                                                                                                                            ]
                                                                                                                                        ]
                                                                                                                                    ]
                                                                                                                                ]
                                                                                                                            ]
                                                                                                                        ]
                                                                                                                    ]
                                                                                                                ]
                                                                                                            ]
                                                                                                        ]
                                                                                                    ]
                                                                                                ]
                                                                                            ]
                                                                                        ]
                                                                                    ]
                                                                                ]
                                                                            ]
                                                                        ]
                                                                    ]
                                                                ]
                                                            ]
                                                        ]
                                                    ]
                                                ]
                                            ]
                                        ]
                                    ]
                                ]
                            ]
                        ]
                    ]
                ]
            ]
        ).encode(),
        b"1" * 5000,  # an int too long to convert
    ],
)
def test_bombs_are_protocol_errors(payload: bytes) -> None:
    with pytest.raises(ProtocolError):
        protocol.loads(payload)


def test_frame_size_limit() -> None:
    a, b = socket.socketpair()
    with a, b:
        a.sendall(struct.pack(">I", 2**31))
        with pytest.raises(ProtocolError):
            protocol.recv(b, max_size=1024)


def test_frames_over_a_socket() -> None:
    a, b = socket.socketpair()
    with a, b:
        protocol.send(a, {"op": "call", "args": [np.eye(2)]})
        message = protocol.recv(b)
        np.testing.assert_array_equal(message["args"][0], np.eye(2))
        a.close()
        with pytest.raises(EOFError):
            protocol.recv(b)


def test_call_key_is_stable_and_content_based() -> None:
    k1 = protocol.call_key("call", "pca", (np.arange(3.0), 2), {})
    k2 = protocol.call_key("call", "pca", (np.arange(3.0), 2), {})
    assert k1 == k2
    assert k1 != protocol.call_key("call", "pca", (np.arange(3.0), 3), {})


def test_huge_values_fail_fast() -> None:
    with pytest.raises(protocol.EncodeError, match="more than"):
        protocol.dumps({str(i): [i] for i in range(protocol.MAX_ITEMS)})
