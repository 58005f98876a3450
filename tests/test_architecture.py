"""The layout's rules, checked on the source: pure modules stay pure, pages stay apart, one page registry.

Imports are read with ``ast`` and followed through the project's own modules, so a pure module that imports
a helper that imports Streamlit fails too.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("playground", "sweep", "maps", "lessons")

#: Modules that must not import Streamlit (directly or through the project's own modules).
PURE = sorted(
    [p for folder in ("optim", "landscapes", "analysis", "viz") for p in (ROOT / folder).glob("*.py")]
    + [ROOT / f"views/{page}/settings.py" for page in PAGES if (ROOT / f"views/{page}/settings.py").exists()]
    + [
        ROOT / f"views/common/{name}.py"
        for name in (
            "scenario",
            "presets",
            "quiz",
            "query",
            "run_spec",
            "stops",
            "knobs",
            "live_payload",
            "lesson_index",
        )
    ]
    + [ROOT / "views/lessons/content.py", ROOT / "views/sweep/grid.py", ROOT / "views/playground/class_store.py"]
)
#: The cores: no Plotly either.
CORES = sorted(p for folder in ("optim", "landscapes", "analysis") for p in (ROOT / folder).glob("*.py"))


def _module_file(name: str) -> Path | None:
    """The project file of a dotted module name (None for a third-party or standard module)."""
    path = ROOT.joinpath(*name.split("."))
    if path.with_suffix(".py").exists():
        return path.with_suffix(".py")
    if (path / "__init__.py").exists():
        return path / "__init__.py"
    return None


def _package(file: Path) -> str:
    parts = file.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1])


@cache
def imports(file: Path) -> frozenset[str]:
    """The dotted names ``file`` imports (relative imports resolved; ``from x import y`` gives x and x.y)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package(file).split(".")
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return frozenset(names)


def reachable(file: Path) -> dict[str, Path]:
    """Every module name imported from ``file`` or, transitively, from the project modules it imports, with
    the project file that imports it first."""
    seen: dict[str, Path] = {}
    todo = [file]
    visited: set[Path] = set()
    while todo:
        current = todo.pop()
        if current in visited:
            continue
        visited.add(current)
        for name in imports(current):
            seen.setdefault(name, current)
            parts = name.split(".")
            for end in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__.py and a/b/__init__.py too
                target = _module_file(".".join(parts[:end]))
                if target is not None:
                    todo.append(target)
    return seen


def _third_party(names: dict[str, Path], package: str) -> list[str]:
    return sorted(f"{name} (imported by {path.relative_to(ROOT)})" for name, path in names.items()
                  if name == package or name.startswith(package + "."))  # fmt: skip


@pytest.mark.parametrize("file", PURE, ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_modules_do_not_import_streamlit(file: Path) -> None:
    assert not _third_party(reachable(file), "streamlit")


@pytest.mark.parametrize("file", CORES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_cores_do_not_import_plotly(file: Path) -> None:
    assert not _third_party(reachable(file), "plotly")


def test_the_checker_sees_an_import_through_a_helper() -> None:
    """The rule above can fail: views/common/links.py imports Streamlit, and so does anything that imports it."""
    assert _third_party(reachable(ROOT / "views/common/links.py"), "streamlit")
    assert _third_party(reachable(ROOT / "views/playground/state.py"), "streamlit")


@pytest.mark.parametrize("page", PAGES)
def test_pages_never_import_each_other(page: str) -> None:
    others = [p for p in PAGES if p != page]
    for file in (ROOT / "views" / page).glob("*.py"):
        bad = [n for n in imports(file) for o in others if n == f"views.{o}" or n.startswith(f"views.{o}.")]
        assert not bad, f"{file.relative_to(ROOT)} imports {bad}"


def test_every_page_has_its_folder_with_the_same_roles() -> None:
    from views.common.links import PAGES as REGISTRY

    assert set(REGISTRY) == set(PAGES)
    for page in PAGES:
        folder = ROOT / "views" / page
        assert (folder / "page.py").exists() and (folder / "state.py").exists(), page
        assert REGISTRY[page].file == f"views/{page}/page.py"


def test_no_loose_modules_at_the_top_level() -> None:
    assert sorted(p.name for p in ROOT.glob("*.py")) == ["app.py"]
    assert not (ROOT / "ui").exists()


def test_page_files_and_the_playground_key_are_written_only_in_the_registry() -> None:
    """No hard-coded page script paths or copies of the Playground's session key outside views/common/links.py."""
    pattern = re.compile(r"""["']views/\w+(/page)?\.py["']|["']pg\.scenario["']""")
    offenders = []
    for file in [ROOT / "app.py", *ROOT.glob("views/**/*.py")]:
        if file == ROOT / "views/common/links.py":
            continue
        offenders += [f"{file.relative_to(ROOT)}: {m.group()}" for m in pattern.finditer(file.read_text())]
    assert not offenders
