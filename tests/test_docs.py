"""The documentation's promises: the scenario reference is current, every link resolves, and no
file cites a document the project does not hold."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from ecosystem.config.docs import BEGIN, END, REFERENCE, reference_markdown
from tests.conftest import ROOT

SKIPPED_DIRS = {".git", ".venv", "runs", "build", "__pycache__", ".pytest_cache", ".ruff_cache"}
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# Design notes that live outside the repository; the names are split so this file does not
# cite them either.
FOREIGN = re.compile(r"\b(?:" + "DESIGN" + "|" + "STYLE" + r")\.md\b")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*$", re.M)
HTML_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")


def project_files(*suffixes: str) -> list[Path]:
    """Every file of the project (not the virtualenv, run folders or caches) with a suffix."""
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info")]
        found += [Path(folder, f) for f in files if f.endswith(suffixes)]
    return sorted(found)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors a markdown page offers: its headings' slugs (numbered when repeated) and
    explicit ``<a id=...>`` tags."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    out = set(HTML_ANCHOR.findall(text))
    for heading in HEADING.findall(text):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        out.add(base if count == 0 else f"{base}-{count}")
    return out


def links(page: Path) -> list[str]:
    """The targets of a page's markdown links and images, outside code blocks."""
    return LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8")))


def test_scenario_reference_is_current():
    text = (ROOT / REFERENCE).read_text(encoding="utf-8")
    generated = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert generated == reference_markdown().strip(), (
        f"{REFERENCE} is stale: run `.venv/bin/python -m ecosystem.config.docs`"
    )


def test_no_file_cites_design_notes_the_project_does_not_hold():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in project_files(".py", ".md", ".yaml", ".yml", ".toml")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FOREIGN.search(line)
    ]
    assert not offenders, "\n".join(offenders)


def test_every_docs_path_named_in_the_project_exists():
    mention = re.compile(r"(?<![\w/.])docs/([\w.-]+\.(?:md|png))")
    missing = [
        f"{path.relative_to(ROOT)}: docs/{name}"
        for path in project_files(".py", ".md", ".yaml", ".yml", ".toml")
        for name in mention.findall(path.read_text(encoding="utf-8"))
        if not (ROOT / "docs" / name).exists()
    ]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    broken = []
    for target in links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{target}: no heading with anchor #{anchor} in {file.name}")
    assert not broken, f"{page.relative_to(ROOT)}:\n" + "\n".join(broken)


def test_slug_follows_github():
    assert slug("The ecosystem (`kind: ecosystem`)") == "the-ecosystem-kind-ecosystem"
    assert slug("`trainers.learner (ngram)`") == "trainerslearner-ngram"
    assert slug("Paper: Shumailov et al. (2024), OPT-125m") == "paper-shumailov-et-al-2024-opt-125m"


def test_readme_fits_on_a_few_screens():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 350, f"README.md has {len(lines)} lines; reference belongs in docs/"
