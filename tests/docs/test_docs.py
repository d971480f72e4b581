"""Every ```python block in docs/*.md runs, and the site configuration is sound.

Blocks of one page run in order in one namespace, like a notebook. A block
preceded by ``<!-- no-test -->`` is skipped (it needs files or takes long). A page
that tells readers to run with ``--xla_force_host_platform_device_count=N`` runs
in a subprocess with N host devices.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import keras  # noqa: F401 - the migration page compares against Keras
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
_BLOCK = re.compile(r"(<!-- no-test -->\n)?```python\n(.*?)```", re.S)
_DEVICES = re.compile(r"--xla_force_host_platform_device_count=(\d+)")


def _blocks(page: Path) -> list[tuple[bool, str]]:
    return [(bool(skip), code) for skip, code in _BLOCK.findall(page.read_text())]


# Pages whose blocks are known not to run yet (owned elsewhere; strict, so the
# mark must go as soon as the page is fixed).
_KNOWN_BROKEN = {}


def _page_params() -> list:
    return [
        pytest.param(
            p.name,
            marks=[pytest.mark.xfail(strict=True, reason=_KNOWN_BROKEN[p.name])]
            if p.name in _KNOWN_BROKEN
            else [],
        )
        for p in PAGES
        if _blocks(p)
    ]


@pytest.mark.parametrize("page", _page_params())
def test_page_code_runs(page, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # blocks may write files
    code = [code for skip, code in _blocks(DOCS / page) if not skip]
    assert code
    devices = _DEVICES.search((DOCS / page).read_text())
    if devices is None:
        namespace: dict = {"__name__": f"docs_{page}"}
        for block in code:
            exec(compile(block, str(DOCS / page), "exec"), namespace)
        capsys.readouterr()
        return
    script = tmp_path / "page.py"
    script.write_text("\n".join(code))
    flags = f"--xla_force_host_platform_device_count={devices.group(1)}"
    env = dict(os.environ, XLA_FLAGS=flags, JAX_PLATFORMS="cpu")
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_guides_exist_and_have_code():
    names = {p.name for p in PAGES}
    for page in (
        "index.md",
        "getting-started.md",
        "models.md",
        "training.md",
        "custom-training.md",
        "saving.md",
        "migrating.md",
        "api.md",
        "differences.md",
    ):
        assert page in names
    tested = sum(1 for p in PAGES for skip, _ in _blocks(p) if not skip)
    skipped = sum(1 for p in PAGES for skip, _ in _blocks(p) if skip)
    assert tested >= 25
    assert skipped <= 6, "keep untested blocks few"


def test_no_test_marker_only_before_code_blocks():
    for page in PAGES:
        lines = page.read_text().splitlines()
        for index, line in enumerate(lines):
            if line.strip() == "<!-- no-test -->":
                assert lines[index + 1].startswith("```"), f"{page.name}:{index + 1}"


def test_relative_links_resolve():
    for page in DOCS.glob("**/*.md"):
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).is_file(), f"{page.name} -> {target}"


def _mkdocs_config() -> str:
    return (ROOT / "mkdocs.yml").read_text()


def test_mkdocs_nav_lists_existing_pages():
    listed = re.findall(r":\s*([\w/.-]+\.md)\s*$", _mkdocs_config(), re.M)
    assert "api.md" in listed and "differences.md" in listed
    for page in listed:
        assert (DOCS / page).is_file(), page
    assert "mkdocstrings" in _mkdocs_config()


def test_api_reference_names_import():
    identifiers = re.findall(r"^::: ([\w.]+)$", (DOCS / "api.md").read_text(), re.M)
    assert len(identifiers) >= 15
    for identifier in identifiers:
        module_name, _, attribute = identifier.rpartition(".")
        try:
            importlib.import_module(identifier)
        except ImportError:
            module = importlib.import_module(module_name)
            assert hasattr(module, attribute), identifier
