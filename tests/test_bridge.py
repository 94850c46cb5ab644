"""The English -> Indonesian bridge learned from a corpus's own bilingual abstracts."""

from __future__ import annotations

from itertools import combinations

from pipeline.documents import Document
from pipeline.text.bridge import MIN_PAIRS, Bridge, learn_bridge
from pipeline.text.preprocess import Preprocessor


def _pairs(n: int) -> list[tuple[list[str], list[str]]]:
    """Made-up token pairs: each pair speaks of two of four subjects, in both languages."""
    subjects = [("desa", "villag"), ("sungai", "river"), ("sekolah", "school"), ("pasar", "market")]
    out = []
    for k in range(n):
        a, b = subjects[k % 4], subjects[(k + 1 + k // 4) % 4]
        out.append(([a[0], b[0], "dan_lain"], [a[1], b[1], "the_other"]))
    return out


class TestLearnBridge:
    def test_words_that_travel_together_across_many_pairs_are_bridged(self):
        bridge = learn_bridge(_pairs(60))
        assert bridge.mapping["villag"] == "desa"
        assert bridge.mapping["river"] == "sungai"
        assert bridge.translate(["school", "unknown"]) == ["sekolah", "unknown"]

    def test_too_few_bilingual_abstracts_give_no_bridge_and_say_so(self):
        bridge = learn_bridge(_pairs(MIN_PAIRS - 1))
        assert not bridge
        assert "fewer than" in bridge.sentence()

    def test_concept_tokens_are_never_rewritten(self):
        pairs = [(["c:village", "desa"], ["c:village", "villag"]) for _ in range(40)]
        bridge = learn_bridge(pairs)
        assert "c:village" not in bridge.mapping

    def test_the_same_pairs_give_the_same_bridge_in_any_order(self):
        pairs = _pairs(80)
        assert learn_bridge(pairs).mapping == learn_bridge(list(reversed(pairs))).mapping


class TestBridgeInThePreprocessor:
    # Six subjects, each said in both languages; every document holds three of them.
    _SUBJECTS = (
        ("Nelayan membersihkan sungai setiap pekan.", "Fishers clean the river every week."),
        ("Pemuda menulis buku cerita.", "Young people write story books."),
        ("Petani menanam padi di sawah.", "Farmers plant rice in the fields."),
        ("Koperasi menjual beras murah.", "The cooperative sells cheap rice."),
        ("Guru mengajar anak membaca.", "Teachers teach children to read."),
        ("Bidan memeriksa ibu hamil.", "Midwives examine pregnant mothers."),
    )

    def _bilingual(self) -> list[Document]:
        docs = []
        for k, chosen in enumerate(combinations(self._SUBJECTS, 3)):
            docs.append(
                Document(
                    source="test",
                    identifier=f"d{k}",
                    title=f"Kajian {k}",
                    abstracts={
                        "id": " ".join(idn for idn, _ in chosen),
                        "en": " ".join(en for _, en in chosen),
                    },
                )
            )
        return docs  # 20 documents; twice over to pass MIN_PAIRS

    def test_english_text_lands_on_the_indonesian_words_of_its_subject(self):
        pre = Preprocessor()
        bridge = pre.learn_bridge(self._bilingual() * 2)
        assert bridge.pairs == 40
        raw = Preprocessor()  # no bridge: English stems as they are
        for indonesian, english in self._SUBJECTS:
            target = set(pre.tokens(indonesian, "id"))
            bridged = [
                t
                for t, r in zip(pre.tokens(english, "en"), raw.tokens(english, "en"), strict=True)
                if t != r or t in target
            ]
            # A sentence's words always travel together here, so which Indonesian word of the
            # sentence an English one is paired with is a tie; it is always one of that sentence.
            assert set(bridged) <= target
            assert len(bridged) >= len(target) // 2, (english, bridged, target)

    def test_indonesian_text_is_never_read_through_the_bridge(self):
        """Indonesian "main" is to play; only English "main" may become "utama"."""
        pre = Preprocessor(bridge=Bridge({"main": "utama"}, pairs=99))
        assert pre.tokens("main", "id") == ["main"]
        assert pre.tokens("main", "en") == ["utama"]

    def test_workers_built_from_the_settings_use_the_same_bridge(self):
        pre = Preprocessor()
        pre.learn_bridge(self._bilingual() * 2)
        worker = pre.settings().build()
        assert worker.bridge.mapping == pre.bridge.mapping
        assert worker.tokens("The river is clear.", "en") == pre.tokens("The river is clear.", "en")
