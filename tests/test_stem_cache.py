"""The stem cache: a rerun stems only new words, never reusing a stem made under other rules."""

from __future__ import annotations

import os
from dataclasses import replace

from pipeline.analysis import prepare
from pipeline.documents import Document
from pipeline.text import stemcache
from pipeline.text.preprocess import Preprocessor
from pipeline.text.stemming import StemmerConfig

DOCS = [
    Document(
        source="t",
        identifier=str(i),
        title=title,
        abstracts={"und": abstract},
    )
    for i, (title, abstract) in enumerate(
        [
            (
                "Pemberdayaan masyarakat desa melalui BUMDes",
                "ABSTRAK Penelitian ini menganalisis kemitraan pemerintah daerah dan LSM dalam "
                "pemberdayaan masyarakat desa. ABSTRACT This study analyses partnerships "
                "between local governments and NGOs in empowering village communities.",
            ),
            (
                "Kolaborasi pentahelix dalam pengembangan desa wisata",
                "Kolaborasi akademisi, pelaku usaha, komunitas, pemerintah dan media "
                "mengembangkan desa wisata serta meningkatkan pendapatan warga bersama Bappeda.",
            ),
        ]
    )
]


def _tokens_and_surfaces(pre: Preprocessor, docs=DOCS):
    tokens = [pre.document_tokens(d) for d in docs]
    return tokens, {t: pre.surface(t) for doc in tokens for t in doc}


def test_a_warm_run_gives_the_same_tokens_and_surfaces_as_a_cold_one(tmp_path):
    cold = prepare(DOCS, stem_cache=tmp_path)
    saved = list(tmp_path.glob(f"*{stemcache.SUFFIX}"))
    assert len(saved) == 1

    warm_pre = Preprocessor()
    preloaded = warm_pre.use_stem_cache(tmp_path)
    assert preloaded >= cold.preprocessor.stemmer.distinct_words > 0
    assert _tokens_and_surfaces(warm_pre) == _tokens_and_surfaces(Preprocessor())
    assert [warm_pre.document_tokens(d) for d in DOCS] == cold.tokens


def test_a_warm_run_stems_no_word_it_has_seen(tmp_path, monkeypatch):
    prepare(DOCS, stem_cache=tmp_path)
    warm = Preprocessor()
    warm.use_stem_cache(tmp_path)
    calls: list[str] = []
    original = warm.stemmer._stem_uncached

    def counting(word: str, language: str) -> str:
        calls.append(word)
        return original(word, language)

    monkeypatch.setattr(warm.stemmer, "_stem_uncached", counting)
    [warm.document_tokens(d) for d in DOCS]
    assert calls == []


def test_abbreviations_keep_their_display_form_when_stems_come_from_the_cache(tmp_path):
    prepare(DOCS, stem_cache=tmp_path)
    warm = Preprocessor()
    warm.use_stem_cache(tmp_path)
    tokens = warm.document_tokens(DOCS[1])
    assert "bappeda" in tokens
    assert warm.surface("bappeda") == "Bappeda"


def test_another_stemmer_configuration_does_not_read_the_cache(tmp_path):
    prepare(DOCS, stem_cache=tmp_path)
    plain = StemmerConfig.plain()
    assert stemcache.fingerprint(plain) != stemcache.fingerprint(StemmerConfig())
    assert not stemcache.cache_file(tmp_path, plain).exists()
    assert stemcache.fingerprint(replace(plain, morphology=True)) != stemcache.fingerprint(plain)


def test_saving_removes_caches_of_other_fingerprints(tmp_path):
    stale = tmp_path / f"0123456789abcdef0123{stemcache.SUFFIX}"
    tmp_path.mkdir(exist_ok=True)
    stale.write_text("old", encoding="utf-8")
    prepare(DOCS, stem_cache=tmp_path)
    assert not stale.exists()
    assert len(list(tmp_path.glob(f"*{stemcache.SUFFIX}"))) == 1


def test_a_damaged_cache_is_ignored_and_rewritten(tmp_path, caplog):
    prepare(DOCS, stem_cache=tmp_path)
    (path,) = tmp_path.glob(f"*{stemcache.SUFFIX}")
    good = path.read_text(encoding="utf-8")
    path.write_text(good + "id\tonly-two-cells\n", encoding="utf-8")

    pre = Preprocessor()
    assert pre.use_stem_cache(tmp_path) == 0
    assert "damaged" in caplog.text and path.name in caplog.text
    assert [pre.document_tokens(d) for d in DOCS] == prepare(DOCS).tokens
    pre.save_stem_cache()
    assert Preprocessor().use_stem_cache(tmp_path) > 0


def test_worker_processes_start_from_the_cache_and_agree_with_one_process(tmp_path):
    serial = prepare(DOCS * 3, stem_cache=tmp_path)
    parallel = Preprocessor()
    parallel.use_stem_cache(tmp_path)
    tokens = list(parallel.map_parallel(DOCS * 3, workers=2, chunksize=2))
    assert tokens == serial.tokens
    assert parallel.surface("bappeda") == "Bappeda"


def test_a_save_removes_half_written_files_of_killed_writers_only(tmp_path):
    import subprocess
    import sys

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tmp_path.mkdir(exist_ok=True)
    killed = tmp_path / f".stems-{dead}-abc123"
    killed.write_text("half", encoding="utf-8")
    running = tmp_path / f".stems-{os.getpid()}-def456"  # a live writer's file is left alone
    running.write_text("half", encoding="utf-8")
    prepare(DOCS, stem_cache=tmp_path)
    assert not killed.exists()
    assert running.exists()
