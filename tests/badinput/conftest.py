"""Running ``nqpf`` in this process as a user would, for the bad-input tests."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable

import pytest

from nqpf.cli import main


def run(argv: list[str]) -> tuple[int, str]:
    """``nqpf ARGV`` through :func:`nqpf.cli.main`: its exit status and everything it printed.

    An exception that ``main`` lets through is what a user would see as a traceback: it is not
    caught here, so the test fails with it.
    """
    buffer = io.StringIO()
    saved = sys.argv, sys.stdout, sys.stderr
    sys.argv, sys.stdout, sys.stderr = ["nqpf", *argv], buffer, buffer
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.argv, sys.stdout, sys.stderr = saved
    return int(code or 0), buffer.getvalue()


def check_output(status: int, output: str, error: str | None = None) -> None:
    """No traceback; with status 2 exactly one error line, the last, matching ``error``."""
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    errors = [i for i, line in enumerate(lines) if re.match(r"(?i)error\b", line)]
    if status == 2:
        assert len(errors) == 1 and errors[0] == len(lines) - 1, output
        if error:
            assert re.search(error, lines[-1]), lines[-1]
    else:
        assert not errors, output


@pytest.fixture
def nqpf() -> Callable[[list[str]], tuple[int, str]]:
    """The ``nqpf`` command in this process (see :func:`run`)."""
    return run


@pytest.fixture
def one_line() -> Callable[..., None]:
    """The output check of every bad input (see :func:`check_output`)."""
    return check_output
