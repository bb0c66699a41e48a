"""Reading a scenario never crashes and never hangs: every hostile input ends in one
``FILE:LINE: field.path: message`` line, quickly (each case under a hard time limit)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from ecosystem.config import load_scenario, validate_text
from ecosystem.config.yaml_reader import MAX_BYTES, MAX_DEPTH
from ecosystem.core.errors import ScenarioError
from tests.conftest import ROOT, SMALL_TOKENS

SECONDS = 5  # every case must be refused well within this


@contextmanager
def within(seconds: float = SECONDS):
    """Fail (instead of hanging the suite) when the block runs longer than ``seconds``."""

    def timeout(*_):
        raise AssertionError(f"took longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def refusal(text: str, source: str = "s.yaml") -> str:
    """The single message of refusing ``text``, checked to be one line with a line number."""
    with within(), pytest.raises(ScenarioError) as info:
        validate_text(text, source)
    (problem,) = info.value.problems
    message = str(problem)
    assert "\n" not in message and len(message) <= 400
    assert re.match(rf"^{re.escape(source)}:\d+: ", message), message
    return message


def alias_bomb(levels: int, width: int = 9) -> str:
    names = [f"l{i}" for i in range(levels + 1)]
    lines = [f"{names[0]}: &{names[0]} [{', '.join(['x'] * width)}]"]
    for prev, name in zip(names, names[1:], strict=False):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * width)}]")
    return "\n".join(lines) + "\n" + SMALL_TOKENS


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 490, 5000])
def test_deep_nesting_is_refused_not_recursed(depth):
    for opening, closing in (("[", "]"), ("{a: ", "}")):
        text = SMALL_TOKENS + "description: " + opening * depth + "1" + closing * depth + "\n"
        message = refusal(text)
        assert f"nested more than {MAX_DEPTH} levels deep" in message


def test_nesting_within_the_bound_reaches_validation():
    depth = MAX_DEPTH - 3  # the mapping and key of `description` count too
    text = SMALL_TOKENS + "description: " + "[" * depth + "1" + "]" * depth + "\n"
    assert "description: got [[[" in refusal(text)  # a type error, not a nesting error


@pytest.mark.parametrize(
    "extra",
    ["extra: &r [*r]\n", "extra: &r {a: *r}\n", "extra: &r {a: [1, {b: *r}]}\n"],
)
def test_self_referencing_alias_is_refused(extra):
    message = refusal(SMALL_TOKENS + extra)
    assert message.startswith(f"s.yaml:{SMALL_TOKENS.count(chr(10)) + 1}: alias *r refers to")


@pytest.mark.parametrize("levels", [5, 9, 30])
def test_alias_bombs_are_refused_quickly(levels):
    start = time.perf_counter()
    message = refusal(alias_bomb(levels))
    assert "alias bomb" in message
    assert time.perf_counter() - start < 1.0


def test_small_aliases_still_work():
    text = SMALL_TOKENS.replace("seed: 3", "seed: &r 3").replace("replicas: 3", "replicas: *r")
    scenario = validate_text(text, "s.yaml")
    assert scenario.seed == scenario.loop.replicas == 3


def test_duplicate_keys_name_the_second_line():
    message = refusal(SMALL_TOKENS + "seed: 4\n")
    line = SMALL_TOKENS.count("\n") + 1
    assert message == f"s.yaml:{line}: seed: duplicate key 'seed' (first at line 3)"
    nested = SMALL_TOKENS.replace("  order: 2\n", "  order: 2\n  order: 3\n")
    assert refusal(nested).startswith("s.yaml:13: learner.order: duplicate key 'order'")


def test_non_scalar_keys_are_refused():
    assert "a key must be a plain name" in refusal(SMALL_TOKENS + "? [a, b]\n: 1\n")


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x0b", "\x1b", "\x7f", "\ufffe"])
def test_control_characters_name_their_line(char):
    text = SMALL_TOKENS.replace("  vocab_size: 60", f"  vocab_size: 6{char}0")
    message = refusal(text)
    assert message.startswith(f"s.yaml:6: control character U+{ord(char):04X}")


def test_non_utf8_file_names_its_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(SMALL_TOKENS.encode() + "description: café\n".encode("latin-1"))
    with within(), pytest.raises(ScenarioError) as info:
        load_scenario(path)
    line = SMALL_TOKENS.count("\n") + 1
    assert str(info.value) == f"{path}:{line}: not UTF-8 text (byte 0xe9); save the file as UTF-8"


def test_huge_values_are_echoed_cut_short():
    message = refusal(SMALL_TOKENS.replace("replicas: 3", "replicas: " + "9" * 5000 + "x"))
    assert "loop.replicas: got '99999" in message and "…" in message
    assert len(message) < 200
    message = refusal(SMALL_TOKENS + "k" * 900 + ": 1\n")
    assert "unknown field 'kkk" in message and len(message) <= 400


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused_without_reading(special):
    if not Path(special).exists():
        pytest.skip(f"no {special} here")
    with within(), pytest.raises(ScenarioError) as info:
        load_scenario(special)
    assert str(info.value) == f"{special}: not a regular file (a pipe or device?); give a YAML file"


def test_named_pipe_does_not_block(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)  # nobody ever writes: opening it for reading would block forever
    with within(), pytest.raises(ScenarioError, match="not a regular file"):
        load_scenario(fifo)


def test_folder_and_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario(tmp_path)
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_large_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:  # sparse: 10 GB on paper, nothing on disk
        handle.truncate(10 * 1024**3)
    with within(), pytest.raises(ScenarioError) as info:
        load_scenario(big)
    assert "file too large (10,737,418,240 bytes" in str(info.value)
    just_over = tmp_path / "over.yaml"
    just_over.write_text("#" * MAX_BYTES + "\n")
    with pytest.raises(ScenarioError, match="file too large"):
        load_scenario(just_over)
    with pytest.raises(ScenarioError, match="too large"):
        validate_text("#" * (MAX_BYTES + 1), "pasted")


@pytest.mark.parametrize(
    "value", ["9" * 5000, "0x" + "f" * 5000, "0b" + "1" * 20000, "1:" * 3000 + "1", "2001-13-99"]
)
def test_values_python_cannot_hold_are_refused_with_their_line(value):
    message = refusal(SMALL_TOKENS.replace("replicas: 3", f"replicas: {value}"))
    assert message.startswith("s.yaml:15: ")
    assert "cannot read this value" in message or " bits: input should be less than" in message


def test_code_running_tags_are_refused():
    text = SMALL_TOKENS + "description: !!python/object/apply:os.system [echo hi]\n"
    assert "could not determine a constructor" in refusal(text)


def test_cli_validate_hostile_files_exit_2_without_traceback(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb(9))
    deep = tmp_path / "deep.yaml"
    deep.write_text("description: " + "[" * 490 + "]" * 490 + "\n")
    for path in (fifo, bomb, deep, Path("/dev/zero")):
        proc = subprocess.run(
            [sys.executable, "-m", "ecosystem.cli", "validate", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
            check=False,
        )
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        (line,) = proc.stderr.splitlines()
        assert line.startswith(f"{path}:")


def test_an_alias_bomb_through_set_is_refused_quickly():
    from ecosystem.config.loader import parse_overrides

    levels = ["&b0 [" + ",".join(["x"] * 10) + "]"]
    levels += [f"&b{i} [" + ",".join([f"*b{i - 1}"] * 10) + "]" for i in range(1, 9)]
    with pytest.raises(ScenarioError) as info:
        parse_overrides(["description=[" + ",".join(levels) + "]"])
    (problem,) = info.value.problems
    assert problem.source.startswith("--set description=") and "alias bomb" in problem.message
    assert len(str(problem)) <= 400
