"""A newcomer's first steps: the README, the checked-in config, the licence and ./test.sh (issue 15, item 14)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def section(title: str) -> int:
    """Where a level-2 heading starts in the README (its character offset)."""
    index = README.find(f"\n## {title}\n")
    assert index >= 0, title
    return index


def test_readme_keeps_the_two_setup_commands_and_says_where_to_look():
    assert "pip install -r requirements.txt && streamlit run app.py" in README
    assert "./test.sh" in README
    start = README.index("streamlit run app.py")
    assert "http://localhost:8501" in README[start : start + 400]  # right after the start command
    assert ".venv\\Scripts\\activate" in README  # Windows
    assert ". .venv/bin/activate" in README  # macOS, Linux


def test_teachers_come_before_the_internals():
    teachers = section("For teachers: the first five minutes")
    assert teachers < section("Pages") < section("Deploying")
    assert teachers < 3000  # near the top
    for internal in ("Python API", "Benchmarks", "Verified against the frameworks"):
        assert f"\n## {internal}\n" not in README  # moved to docs/
    # the architecture gets a short section for contributors, after what teachers need; the rest is in docs/
    architecture = section("Architecture")
    assert section("Deploying") < architecture < section("More documentation")
    assert section("More documentation") - architecture < 1200
    for doc in ("python-api", "benchmarks", "architecture", "verification", "pages", "custom-formulas"):
        assert f"docs/{doc}.md" in README and (ROOT / "docs" / f"{doc}.md").is_file()


def test_every_relative_link_of_the_docs_resolves():
    import re

    for path in [ROOT / "README.md", *ROOT.glob("docs/*.md"), ROOT / "deploy" / "README.md"]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text()):
            assert (path.parent / target).exists(), (path.name, target)


def test_a_laptop_gets_its_browser():
    """No server-only settings in the checked-in config: `streamlit run app.py` opens the browser."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server = config.get("server", {})
    assert "headless" not in server and "fileWatcherType" not in server and "address" not in server
    assert server.get("showEmailPrompt") is False  # the first run does not wait at an e-mail prompt
    assert config["runner"]["postScriptGC"] is False  # kept: it matters on Community Cloud too
    deploy = (ROOT / "deploy" / "README.md").read_text()
    assert "--server.headless true" in deploy and "headless = true" in deploy


def test_licence():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "Copyright (c) 2026 RMSProp Playground contributors" in text
    assert "[LICENSE](LICENSE)" in README


# ----------------------------------------------------------------------------- ./test.sh without apt


def sandbox(tmp_path: Path, tools: dict[str, str]) -> dict[str, str]:
    """A PATH holding only the basic tools test.sh needs and the given stubs (name -> script body)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("dirname", "id", "cat"):
        (bin_dir / name).symlink_to(subprocess.check_output(["bash", "-c", f"command -v {name}"], text=True).strip())
    for name, body in tools.items():
        stub = bin_dir / name
        stub.write_text(f"#!/bin/bash\n{body}\n")
        stub.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("CHROMIUM", "CI")}
    return env | {"PATH": str(bin_dir), "PYTHON": str(bin_dir / "python3")}


@pytest.mark.skipif(sys.platform == "win32", reason="a bash script")
def test_test_sh_on_a_machine_without_apt_says_how_to_get_a_browser(tmp_path):
    log = tmp_path / "calls"
    env = sandbox(
        tmp_path,
        {
            "python3": f'echo "python $*" >> {log}; exit 0',  # pip and pytest succeed without doing anything
            "sudo": f'echo "sudo $*" >> {log}; exit 1',  # macOS has sudo, but no apt-get behind it
        },
    )
    done = subprocess.run(["/bin/bash", str(ROOT / "test.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "export CHROMIUM=" in done.stderr and "brew install --cask chromium" in done.stderr
    calls = log.read_text()
    assert "sudo" not in calls  # never tried to install with a package manager that is not there
    assert "-m pytest -n auto --ignore=tests/browser" in calls and "-m pytest --reruns 1 tests/browser" in calls


@pytest.mark.skipif(sys.platform == "win32", reason="a bash script")
def test_test_sh_uses_the_chromium_it_is_given(tmp_path):
    env = sandbox(tmp_path, {"python3": "exit 0", "chrome": "exit 0"})
    env["CHROMIUM"] = str(tmp_path / "bin" / "chrome")
    done = subprocess.run(["/bin/bash", str(ROOT / "test.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "No Chromium" not in done.stderr, done.stderr
    env["CHROMIUM"] = str(tmp_path / "nothing-here")
    done = subprocess.run(["/bin/bash", str(ROOT / "test.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert "is not an executable file" in done.stderr and "export CHROMIUM=" in done.stderr


def test_the_browser_tests_honour_chromium():
    code = "import tests.browser.conftest as c; print(c.CHROMIUM); print(c.NO_CHROMIUM)"
    env = os.environ | {"CHROMIUM": "/opt/my/chrome"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[0] == "/opt/my/chrome"
    assert "set CHROMIUM" in out.stdout
