"""Which language a piece of text is in: Indonesian (id), English (en), or something else.

Abstracts in this literature are Indonesian, English, or both. We combine two signals: a count of
the commonest function words of each language (decisive on academic prose, even a title) and
py3langid's bundled model (offline) for anything else, so Javanese or Arabic is named as such
rather than stemmed as if it were Indonesian.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Any

# Function words that almost never occur in the other language; a title has one or two of them.
_ID_MARKERS = frozenset(
    "yang dan di ke dari dalam untuk dengan pada ini itu adalah sebagai oleh atau tidak juga "
    "akan telah dapat serta bagi terhadap melalui antara secara para kepada tersebut karena "
    "maka bahwa sudah belum masih hasil penelitian kabupaten desa masyarakat pemerintah".split()
)
_EN_MARKERS = frozenset(
    "the of and in to is are was were for with on by from as that this which be an at or not "
    "have has been their its into through between study research results community "
    "government".split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Languages the statistical model may answer; Malay is folded into Indonesian (same written
# standard for our purposes), everything else is reported as itself.
_MODEL_LANGUAGES = ["id", "en", "ms", "jv", "ar", "nl", "de", "fr", "es", "pt", "zh", "ja"]


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(_MODEL_LANGUAGES)
    return identifier


def marker_counts(text: str) -> tuple[int, int, int]:
    """(Indonesian marker words, English marker words, all words): the cheap first signal."""
    counts = Counter(_WORD.findall(text.lower()))  # counted in C; then ~60 lookups per language
    id_hits = sum(counts[w] for w in _ID_MARKERS if w in counts)
    en_hits = sum(counts[w] for w in _EN_MARKERS if w in counts)
    return id_hits, en_hits, counts.total()


def detect_language(text: str, min_words: int = 1) -> str:
    """Return ``id``, ``en``, another ISO 639-1 code, or ``und`` when there is no text.

    With ``min_words`` above one, text that is too short for the markers to decide (a heading, a
    name) is ``und`` rather than a guess of the model: segmentation fills it from its neighbours.
    """
    return decide_language(text, *marker_counts(text), min_words=min_words)


def decide_language(text: str, id_hits: int, en_hits: int, n_words: int, min_words: int = 1) -> str:
    """detect_language from marker counts already made (segments.py reuses them)."""
    if not n_words:
        return "und"
    if id_hits + en_hits >= 2 and (id_hits >= 2 * en_hits or en_hits >= 2 * id_hits):
        return "id" if id_hits > en_hits else "en"
    if n_words < min_words:
        return "und"
    language, _confidence = _identifier().classify(text)
    return "id" if language == "ms" else str(language)
