"""The concept audit: for each thesaurus concept, the words and phrases it absorbed in one run.

A concept token ("c:village") stands for every term of its thesaurus row *after stemming*, so it
also takes in whatever else the stemmer folds onto those stems: "kelurahan" fell into "lurah"
(the head) before it was protected, "keterbukaan" (transparency) would take every "terbuka"
(open) with it. The stemming audit lists such merges per stem; this table lists them per concept,
with counts, so a linguist can read down one column and spot a bad merge in a minute.

Besides the phrases matched in the text (recorded by the Preprocessor as surfaces of the concept),
English words the run's bridge rewrote onto the concept are listed apart: they join the concept
too, but by co-occurrence, not by the thesaurus.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from pipeline.text.thesaurus import CONCEPT_PREFIX, Thesaurus

COLUMNS = (
    "concept",
    "label",
    "domain",
    "tokens_seen",
    "distinct_forms",
    "forms",
    "bridged_english",
)


def concept_audit(
    thesaurus: Thesaurus,
    surfaces: Mapping[str, Counter[str]],
    bridge: Mapping[str, str] | None = None,
    english: Mapping[str, Counter[str]] | None = None,
) -> list[dict[str, Any]]:
    """One row per concept seen in the run (most frequent first): its forms and their counts.

    ``surfaces``: token -> Counter of surface forms (Stemmer.surfaces); ``bridge``: English token
    -> Indonesian token (Bridge.mapping), whose English words are listed beside the concept they
    were mapped onto, with their counts in ``english`` (Stemmer.surfaces_in("en"); by default
    ``surfaces``, which also holds Indonesian words of the same stem).
    """
    english = surfaces if english is None else english
    bridged: dict[str, list[str]] = {}
    for token, target in sorted((bridge or {}).items()):
        if target.startswith(CONCEPT_PREFIX):
            forms = english.get(token) or Counter({token: 0})
            bridged.setdefault(target, []).extend(_listed(forms))
    rows = []
    for concept in thesaurus.concepts.values():
        forms = surfaces.get(concept.token, Counter())
        if not forms and concept.token not in bridged:
            continue
        rows.append(
            {
                "concept": concept.token,
                "label": concept.label,
                "domain": concept.domain,
                "tokens_seen": sum(forms.values()),
                "distinct_forms": len(forms),
                "forms": "; ".join(_listed(forms)),
                "bridged_english": "; ".join(bridged.get(concept.token, [])),
            }
        )
    rows.sort(key=lambda row: (-row["tokens_seen"], row["concept"]))
    return rows


def _listed(forms: Counter[str]) -> list[str]:
    ordered = sorted(forms.items(), key=lambda item: (-item[1], item[0]))
    return [f"{form} ({n})" for form, n in ordered]
