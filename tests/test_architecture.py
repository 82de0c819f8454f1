"""The package's shape: stages that import only earlier stages, through their faces, and no
reaching into another module's private names."""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "packgen"
STAGES = ["read", "check", "plan", "render", "convert", "pack", "write", "distribute", "commands"]
SOURCES = [
    p
    for folder in ("packgen", "tests", "benchmarks", "tools")
    for p in (ROOT / folder).rglob("*.py")
]


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_names(tree: ast.AST) -> dict[str, str]:
    """The names a file binds to packgen modules (`from packgen.read import sheetcache`)."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("packgen"):
                    bound[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("packgen"):
            for alias in node.names:
                dotted = f"{node.module}.{alias.name}"
                if _is_module(dotted):
                    bound[alias.asname or alias.name] = dotted
    return bound


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def private_uses(path: Path) -> list[str]:
    """Where a file imports or reads a private name of a packgen module other than itself."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("packgen"):
            found += [
                f"{node.lineno}: {alias.name}" for alias in node.names if _private(alias.name)
            ]
    modules = _module_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            owner = _dotted(node.value)
            if owner in modules or (owner or "").startswith("packgen."):
                found.append(f"{node.lineno}: {owner}.{node.attr}")
    return sorted(found, key=lambda where: int(where.split(":")[0]))


def test_no_module_imports_or_reads_a_private_name_of_another() -> None:
    found = {str(p.relative_to(ROOT)): private_uses(p) for p in SOURCES}
    assert {name: uses for name, uses in found.items() if uses} == {}


def test_the_private_name_check_finds_both_kinds(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import packgen.convert.cache\n"
        "from packgen.render import analysis\n"
        "from packgen.convert.soffice import _hidden\n"
        "analysis._kept.clear()\n"
        "packgen.convert.cache._secret\n"
    )
    assert private_uses(sample) == [
        "3: _hidden",
        "4: analysis._kept",
        "5: packgen.convert.cache._secret",
    ]


def face_breaches(path: Path) -> list[str]:
    """Where a module of packgen imports another stage's module rather than its face."""
    parts = path.relative_to(PACKAGE).parts
    stage = parts[0] if len(parts) > 1 else None
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("packgen."):
            names = node.module.split(".")
            if names[1] in STAGES and names[1] != stage and len(names) > 2:
                found.append(f"{node.lineno}: {node.module}")
    return found


def test_stages_use_each_other_only_through_their_faces() -> None:
    found = {str(p.relative_to(ROOT)): face_breaches(p) for p in PACKAGE.rglob("*.py")}
    assert {name: breaches for name, breaches in found.items() if breaches} == {}


@pytest.mark.parametrize("stage", STAGES)
def test_every_name_a_face_offers_is_there(stage: str) -> None:
    face = importlib.import_module(f"packgen.{stage}")
    assert face.__all__, f"packgen.{stage} offers nothing"
    missing = [name for name in face.__all__ if getattr(face, name, None) is None]
    assert missing == []


def test_a_face_refuses_a_name_its_module_would_shadow() -> None:
    from packgen.faces import lazy_face

    with pytest.raises(ValueError, match="named as its own modules are"):
        lazy_face("packgen.pack", {"merge": ["merge"]})


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if command is None:
        pytest.skip("import-linter is not installed (make lint and make test install it)")
    return subprocess.run(
        [command, "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package and its setup.cfg, to break."""
    shutil.copytree(PACKAGE, tmp_path / "packgen", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    return tmp_path


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_layers_hold_as_the_package_is(tree: Path) -> None:
    done = lint_imports(tree)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_lint_refuses_an_earlier_stage_importing_a_later_one(tree: Path) -> None:
    _append(tree / "packgen" / "read" / "dates.py", "import packgen.render  # noqa")
    done = lint_imports(tree)
    assert done.returncode != 0
    assert "Stages import only earlier stages" in done.stdout
    assert "packgen.read.dates -> packgen.render" in done.stdout


def test_lint_refuses_a_cycle_inside_a_stage(tree: Path) -> None:
    # packgen.convert.cache imports packgen.convert.conversion; the other way makes a cycle.
    _append(tree / "packgen" / "convert" / "conversion.py", "import packgen.convert.cache  # noqa")
    done = lint_imports(tree)
    assert done.returncode != 0
    assert "No import cycles among the modules of a stage BROKEN" in done.stdout
