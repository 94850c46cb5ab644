"""The study registry: the OKU case and its 15 cited works, as Documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.ingest.registry import RegistryError, load_registry

REGISTRY = Path(__file__).resolve().parents[1] / "corpus" / "studies.toml"


def test_bundled_registry_holds_the_case_and_fifteen_cited_works():
    registry = load_registry(REGISTRY)
    assert registry.case.key == "oku2024"
    assert registry.case.role == "case"
    assert len(registry.cited) == 15
    assert {d.role for d in registry.cited} == {"cited"}
    assert len({d.id for d in registry.documents}) == 16


def test_works_without_a_summary_are_known_only_by_title():
    registry = load_registry(REGISTRY)
    title_only = {d.key for d in registry.cited if d.title_only}
    assert "lestari2023" in title_only
    assert "sujatmiko2023" not in title_only


def test_curated_actors_and_language_are_carried():
    registry = load_registry(REGISTRY)
    assert registry.case.language == "en"
    sectors = {a["sector"] for a in registry.case.extra["actors"]}
    assert "NGO/civil society organisation" in sectors


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "studies.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_duplicate_keys_are_refused_naming_the_key(tmp_path):
    path = write(tmp_path, '[[study]]\nkey="a"\ntitle="x"\n[[study]]\nkey="a"\ntitle="y"\n')
    with pytest.raises(RegistryError, match="'a' appears twice"):
        load_registry(path, case_key="a")


def test_missing_case_is_refused(tmp_path):
    path = write(tmp_path, '[[study]]\nkey="a"\ntitle="x"\n')
    with pytest.raises(RegistryError, match="case study 'oku2024' is not in the registry"):
        load_registry(path)


def test_broken_toml_names_the_file(tmp_path):
    path = write(tmp_path, "[[study]\n")
    with pytest.raises(RegistryError, match=r"studies\.toml: cannot read"):
        load_registry(path)
