"""Every ```python block in docs/*.md runs, and the site configuration is sound.

Blocks of one page run in order in one namespace, like a notebook. A block
preceded by ``<!-- no-test -->`` is skipped (it needs files or takes long).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import keras  # noqa: F401 - the migration page compares against Keras
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
_BLOCK = re.compile(r"(<!-- no-test -->\n)?```python\n(.*?)```", re.S)


def _blocks(page: Path) -> list[tuple[bool, str]]:
    return [(bool(skip), code) for skip, code in _BLOCK.findall(page.read_text())]


@pytest.mark.parametrize("page", [p.name for p in PAGES if _blocks(p)])
def test_page_code_runs(page, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # blocks may write files
    namespace: dict = {"__name__": f"docs_{page}"}
    ran = 0
    for skip, code in _blocks(DOCS / page):
        if not skip:
            exec(compile(code, str(DOCS / page), "exec"), namespace)
            ran += 1
    assert ran >= 1
    capsys.readouterr()


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
