"""The codebook, lexicon coding with evidence, actor-role attribution and the classifier."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.themes.codebook import FAMILIES, CodebookError, load_codebook
from pipeline.themes.lexicon import LexiconCoder

CODEBOOK = Path(__file__).resolve().parents[1] / "corpus" / "codebook.toml"


@pytest.fixture(scope="module")
def coder() -> LexiconCoder:
    return LexiconCoder(load_codebook(CODEBOOK))


class TestCodebook:
    def test_bundled_codebook_covers_all_families_with_definitions(self):
        codebook = load_codebook(CODEBOOK)
        assert len(codebook.family("dimension")) == 5
        assert len(codebook.family("actor")) == 8
        assert len(codebook.family("role")) == 5
        assert codebook.families == FAMILIES
        for theme in codebook.themes:
            assert theme.definition and theme.include and theme.exclude and theme.example, theme.id
        assert len(codebook.sha256) == 64

    def test_unknown_family_is_refused_naming_the_theme(self, tmp_path):
        path = tmp_path / "codebook.toml"
        path.write_text('[[theme]]\nid = "x"\nfamily = "mood"\nid_terms = ["a"]\n')
        with pytest.raises(CodebookError, match="theme 'x' has family 'mood'"):
            load_codebook(path)

    def test_theme_without_terms_is_refused(self, tmp_path):
        path = tmp_path / "codebook.toml"
        path.write_text('[[theme]]\nid = "x"\nfamily = "actor"\n')
        with pytest.raises(CodebookError, match="no indicator terms"):
            load_codebook(path)


class TestLexicon:
    def test_indonesian_and_english_indicators_code_the_same_theme(self, coder):
        assert "actor.ngo" in coder.code_text("Peran LSM di desa.").themes()
        assert "actor.ngo" in coder.code_text("The role of NGOs in villages.").themes()

    def test_prefix_indicators_match_word_endings(self, coder):
        assert "dim.economic" in coder.code_text("Penguatan ekonomi lokal.").themes()
        assert "role.facilitator" in coder.code_text("Facilitators accompany the groups.").themes()

    def test_phrases_match_across_hyphens(self, coder):
        themes = coder.code_text("Citizens join decision-making.").themes()
        assert "dim.political" in themes

    def test_evidence_is_the_sentence_with_its_terms(self, coder):
        coding = coder.code_text("Judul.\n\nPemerintah daerah menyediakan anggaran. Lainnya.")
        evidence = coding.evidence["role.funder"][0]
        assert evidence.sentence == "Pemerintah daerah menyediakan anggaran."
        assert evidence.terms == ("anggaran",)

    def test_roles_go_to_the_actor_named_in_their_own_clause(self, coder):
        coding = coder.code_text(
            "The local government sets policy and provides funding, while the NGO implements "
            "the programmes and mentors residents."
        )
        pairs = set(coding.actor_roles)
        assert ("actor.regional_government", "role.policy_maker") in pairs
        assert ("actor.regional_government", "role.funder") in pairs
        assert ("actor.ngo", "role.implementer") in pairs
        assert ("actor.ngo", "role.funder") not in pairs

    def test_text_without_indicators_gets_no_theme(self, coder):
        assert coder.code_text("Sebuah kalimat tentang cuaca cerah.").themes() == set()
