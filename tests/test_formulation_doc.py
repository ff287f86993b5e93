"""docs/formulation.md is generated from the code and must match it; every file a docstring,
comment or README names exists."""

from __future__ import annotations

import re
from pathlib import Path

from models import formulation_doc
from models.registry import BLOCKS, VARIABLES

ROOT = Path(__file__).resolve().parents[1]


def test_formulation_doc_is_up_to_date():
    """Fails when a docstring or the registry changed without regenerating the document:
    run `python -m models.formulation_doc`."""
    assert formulation_doc.TARGET.read_text() == formulation_doc.render()


def test_every_block_and_variable_is_in_the_document():
    text = formulation_doc.render()
    for block in BLOCKS:
        assert f"#### `{block.name}`" in text, block.name
        assert block.rows.__doc__.splitlines()[0].strip() in text, block.name
    for spec in VARIABLES:
        assert f"| `{spec.name}` | `{spec.symbol}` |" in text, spec.name


def test_the_check_mode_sees_a_stale_document(tmp_path, monkeypatch):
    stale = tmp_path / "formulation.md"
    stale.write_text("# an old version\n")
    monkeypatch.setattr(formulation_doc, "TARGET", stale)
    assert formulation_doc.main(["--check"]) == 1
    formulation_doc.main([])
    assert formulation_doc.main(["--check"]) == 0


PATH_RE = re.compile(
    r"\b((?:planner|models|tests|benchmarks|examples|inputs|docs)/[\w./-]+\.(?:py|md))\b"
)


def test_every_file_named_in_code_and_docs_exists():
    """A docstring, comment or README that points at a file points at one that exists."""
    missing = []
    sources = [*ROOT.glob("*.md"), *ROOT.glob("docs/*.md")]
    for folder in ("planner", "models", "tests", "benchmarks", "examples", "inputs"):
        sources += (ROOT / folder).rglob("*.py")
        sources += (ROOT / folder).rglob("*.md")
    for source in sources:
        for name in PATH_RE.findall(source.read_text()):
            if not (ROOT / name).exists() and not name.startswith("docs/formulation"):
                missing.append(f"{source.relative_to(ROOT)}: {name}")
    assert missing == []
