"""The house rules of docs/architecture.md, checked on the source tree.

Layers import only downward (the import-linter contract in pyproject.toml, also run by
``make lint``), and no private name — a module or object starting with ``_`` — is imported from
another top-level package of nqpf. The ground-floor modules ``nqpf._random`` and
``nqpf._compat`` are shared by every package on purpose.
"""

import ast
from pathlib import Path

from importlinter.cli import lint_imports

SRC = Path(__file__).resolve().parents[1] / "src" / "nqpf"


def _home(path: Path, root: Path) -> str:
    """The top-level unit of nqpf a file belongs to (``spatial``, ``_random``, ``''`` for nqpf)."""
    parts = path.relative_to(root).with_suffix("").parts
    return "" if parts in (("__init__",),) else parts[0]


def private_crossings(root: Path) -> list[str]:
    """``file:line: import`` for every private module or name imported across packages."""
    found = []
    for path in sorted(root.rglob("*.py")):
        home = _home(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imports = [(node.module, [a.name for a in node.names])]
            elif isinstance(node, ast.Import):
                imports = [(a.name, []) for a in node.names]
            else:
                continue
            for module, names in imports:
                parts = module.split(".")
                if parts[0] != root.name or len(parts) < 2 or parts[1] == home:
                    continue
                private = [p for p in parts[2:] if p.startswith("_")]
                private += [n for n in names if n.startswith("_") and not n.startswith("__")]
                if private:
                    where = path.relative_to(root.parent)
                    found.append(f"{where}:{node.lineno}: {module} {', '.join(private)}")
    return found


def test_no_private_name_crosses_a_package_boundary():
    assert private_crossings(SRC) == []


def test_the_private_name_check_finds_a_crossing(tmp_path):
    pkg = tmp_path / "nqpf"
    (pkg / "index").mkdir(parents=True)
    (pkg / "spatial").mkdir()
    (pkg / "index" / "compute.py").write_text(
        "from nqpf.spatial.weights import _helper\n"
        "from nqpf.spatial._permutation import pseudo_p\n"
        "from nqpf.index._checks import ok\n"
        "from nqpf._random import RandomSource\n",
        encoding="utf-8",
    )
    (pkg / "spatial" / "weights.py").write_text("def f():\n    import nqpf.index._checks\n")
    assert private_crossings(pkg) == [
        "nqpf/index/compute.py:1: nqpf.spatial.weights _helper",
        "nqpf/index/compute.py:2: nqpf.spatial._permutation _permutation",
        "nqpf/spatial/weights.py:2: nqpf.index._checks _checks",
    ]


def test_layers_import_only_downward(monkeypatch, capsys):
    monkeypatch.chdir(SRC.parents[1])  # the project root, where pyproject.toml holds the contract
    status = lint_imports(config_filename="pyproject.toml", no_cache=True, no_logo=True)
    assert status == 0, capsys.readouterr().out[-3000:]


def test_the_command_line_starts_without_the_analysis_stack():
    """Every command imports what it needs when it runs: `nqpf --help` loads no study,
    plotting or web package."""
    import subprocess
    import sys

    heavy = ["nqpf.studies", "nqpf.report", "matplotlib", "shiny", "scipy"]
    code = f"import sys, nqpf.cli; print([m for m in {heavy!r} if m in sys.modules])"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
