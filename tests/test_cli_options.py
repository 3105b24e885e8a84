"""Fixed-choice options are real choices, and every bad value is one line with exit status 2."""

import sys
import typing

import pytest

from nqpf.cli import _app, main
from nqpf.econometrics import EFFECTS, MODELS
from nqpf.index import AGGREGATIONS, NORMALIZATION_METHODS, WEIGHTINGS


def test_choices_are_the_library_lists():
    assert set(typing.get_args(_app.Weighting)) == set(WEIGHTINGS)
    assert set(typing.get_args(_app.Aggregation)) == set(AGGREGATIONS)
    # "reference" normalisation needs reference values that a command line cannot give
    assert set(typing.get_args(_app.Normalization)) == set(NORMALIZATION_METHODS) - {"reference"}
    assert set(typing.get_args(_app.Level)) == {"province", "city"}
    from nqpf.cli.spatial import drivers

    hints = typing.get_type_hints(drivers, include_extras=True)
    assert set(typing.get_args(typing.get_args(hints["model"])[0])) == set(MODELS)
    assert set(typing.get_args(typing.get_args(hints["effects"])[0])) == set(EFFECTS)


def run(monkeypatch, capsys, *args):
    monkeypatch.setattr(sys, "argv", ["nqpf", *args])
    with pytest.raises(SystemExit) as stop:
        main()
    return stop.value.code, capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["index", "--weighting", "entropi"], "'entropi' is not one of 'entropy', 'critic'"),
        (["index", "--aggregation", "sum"], "'sum' is not one of 'linear', 'geometric', 'topsis'"),
        (["index", "--normalization", "ranks"], "'ranks' is not one of"),
        (["report", "--weighting", "critc"], "'critc' is not one of"),
        (["validate", "x.csv", "--level", "county"], "'county' is not one of 'province', 'city'"),
        (["drivers", "--model", "sdx"], "'sdx' is not one of 'sdm', 'sar', 'sem', 'sdem'"),
        (["spatial", "--permutations", "-5"], "--permutations': Input should be greater than"),
        (["index", "--bogus"], "No such option: --bogus"),
    ],
)
def test_bad_values_are_one_line_with_exit_status_2(monkeypatch, capsys, args, shown):
    code, out = run(monkeypatch, capsys, *args)
    assert code == 2
    assert out.startswith("error: ") and out.count("\n") == 1, out
    assert shown in out and "Traceback" not in out


def test_data_errors_are_one_line_and_debug_shows_the_traceback(monkeypatch, capsys, tmp_path):
    missing = str(tmp_path / "nope.csv")
    code, out = run(monkeypatch, capsys, "index", "--data", missing, "--out", str(tmp_path))
    assert code == 2 and out.count("\n") == 1 and "nope.csv" in out
    monkeypatch.setattr(sys, "argv", ["nqpf", "--debug", "index", "--data", missing])
    with pytest.raises(FileNotFoundError):
        main()


def test_help_lists_the_choices(monkeypatch, capsys):
    code, out = run(monkeypatch, capsys, "index", "--help")
    assert code == 0
    for word in ("entropy-critic", "topsis", "minmax_group", "NAME|FILE", "NAME=REGION"):
        assert word in out


def test_ctrl_c_is_one_line_with_exit_status_130(monkeypatch, capsys):
    import nqpf.data

    def pressed():
        raise KeyboardInterrupt  # as if Ctrl-C came while the command was working

    monkeypatch.setattr(nqpf.data, "catalog", pressed)
    code, out = run(monkeypatch, capsys, "datasets")
    assert code == 130
    assert out.startswith("中断 interrupted") and out.count("\n") == 1, out
