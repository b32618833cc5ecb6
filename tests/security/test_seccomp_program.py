"""The seccomp filter's BPF program, byte for byte.

The filter is the layer that refuses forks, sockets and the rest of the deny
list (``graders/sandbox/seccomp.py``); a refactoring must not change the
program it assembles. Each case packs the instructions as the kernel reads
them (``struct sock_filter``: u16 code, u8 jt, u8 jf, u32 k, little-endian on
both supported architectures) and compares their SHA-256 with the digest
recorded when the program was last changed on purpose.

A deliberate change of the filter (a syscall added to the deny list, a new
rule) changes these digests: review the new program, then record the digests
printed by the failing assertion.
"""

from __future__ import annotations

import ctypes
import hashlib
import struct

import pytest

from sheetgrade.graders.sandbox import seccomp

# (machine, pid, pgrp): instruction count, SHA-256 of the packed program.
RECORDED = {
    ("x86_64", 1234, 1234): (
        334,
        "07cd04e7c1bd019d109aae64eff4a18b8c948e9f22f9e8b2dd7cd67cf67ff68f",
    ),
    ("x86_64", 1234, 99): (
        333,
        "b80f046df18e3e71a647ff7109b2b90648c5b76c2f25dc2dcd6184d86f822575",
    ),
    ("x86_64", 4194303, 4194303): (
        334,
        "e6ea1bcb8d22f1cdb8f871bb540c5eee7ce35daa53e3759e6db7355b85920086",
    ),
    ("x86_64", 1, 1): (
        334,
        "6772aa965f8659d1e8c4cac43151ff9dd49d7688f8fc224eb178d0903da52ac6",
    ),
    ("aarch64", 1234, 1234): (
        304,
        "af4cffb1910ef876579bff8555f278bf30dc07778520a7fb34435928e91d9d7d",
    ),
    ("aarch64", 1234, 99): (
        303,
        "b6ff28aef8beae9044b3ca9bfdec9369293bb1e0ae67ae9224e639606e984088",
    ),
    ("aarch64", 4194303, 4194303): (
        304,
        "d0c7981237182d93d05e49bf6d1ce67515cd684ce11be979a3109f2e0e29e550",
    ),
    ("aarch64", 1, 1): (
        304,
        "f15632ec5cb3a92317a09f8f98d5169b6e72c3dadb1dd52cc8a77fe5b7ec2933",
    ),
}


def _packed(prog: list[seccomp.Insn]) -> bytes:
    return b"".join(struct.pack("<HBBI", i.code, i.jt, i.jf, i.k) for i in prog)


@pytest.mark.parametrize(("machine", "pid", "pgrp"), sorted(RECORDED))
def test_filter_program_is_the_recorded_one(machine: str, pid: int, pgrp: int) -> None:
    prog = seccomp.build_filter(machine, pid=pid, pgrp=pgrp)
    found = (len(prog), hashlib.sha256(_packed(prog)).hexdigest())
    assert found == RECORDED[(machine, pid, pgrp)], (
        f"the seccomp program for {machine} pid={pid} pgrp={pgrp} changed: {found}"
    )


def test_group_signals_are_allowed_only_to_a_leader() -> None:
    leader = seccomp.build_filter("x86_64", pid=1234, pgrp=1234)
    member = seccomp.build_filter("x86_64", pid=1234, pgrp=99)
    negative_pid = -1234 & 0xFFFFFFFF
    assert any(i.k == negative_pid for i in leader)
    assert not any(i.k == negative_pid for i in member)


def test_install_loads_the_bytes_of_the_program() -> None:
    """The ctypes array handed to seccomp(2) holds exactly the packed program."""
    prog = seccomp.build_filter("x86_64", pid=1234, pgrp=1234)
    array = seccomp._sock_filter_array(prog)
    assert ctypes.sizeof(array) == 8 * len(prog)
    native = b"".join(struct.pack("=HBBI", i.code, i.jt, i.jf, i.k) for i in prog)
    assert bytes(array) == native
