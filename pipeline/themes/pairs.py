"""Actor-role pairs: which actor plays which role, found where the text says so.

A pair is kept only where an actor of the codebook is named and a role cue stands in the same
clause, in one of three shapes (Indonesian and English):

- active, the actor before the cue: "LPM sebagai pelaksana", "pemerintah daerah berperan sebagai
  fasilitator", "the regency sets policy", "the NGO runs the activities", "acts as a partner";
- passive, the actor right after the cue: "dilaksanakan oleh LSM", "didanai oleh dinas",
  "dibentuk Pemerintah Provinsi", "funded by the company", "implemented by residents";
- a list, every actor after the cue: "kolaborasi melibatkan pemerintah desa, LSM dan swasta",
  "a partnership between the regency and an NGO" (each is a partner).

Why cues and not the codebook's role indicators: "pelaksanaan" or "anggaran" in a sentence says
that something is implemented or funded, not by whom; a role word next to an actor is what a
coder would quote ("the NGO implements the programme"). The role indicators still code the role
themes of the document; pairs need a cue.

Attribution in the active shape: the nearest actor before the cue, less actors that are the
object of an earlier cue ("LSM mendampingi kelompok tani dan melatih warga": the NGO trains, not
the farmer groups), plus actors joined to it by "dan/and/serta/," ("pemerintah daerah dan LSM
berperan sebagai fasilitator": both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.text.tokens import words

TEXT = "text"
REGISTRY = "registry"
GOVERNMENT = frozenset({"actor.regional_government", "actor.village_government"})

# "berperan sebagai", "acts as" may name the role after a short list ("sebagai pemrakarsa,
# pendukung atau fasilitator"); a bare "sebagai / as" only after one word at most.
_CONNECTOR = (
    r"(?:(?:berperan|bertindak|berfungsi)\s+sebagai|(?:acts?|acting|serves?|serving|functions?)"
    r"\s+as|plays?\s+(?:the\s+|a\s+|an\s+)?(?:role\s+(?:of|as)\s+)?|playing\s+(?:the\s+|a\s+)?"
    r"(?:role\s+(?:of|as)\s+)?|in\s+(?:the|its|their)\s+role\s+(?:as|of))"
    r"\s+(?:an?\s+|the\s+)?(?:[\w-]+,?\s+){0,3}?"
    r"|(?:(?:adalah|merupakan|ialah)\s+(?:salah\s+satu\s+)?|sebagai|selaku|menjadi|as)"
    r"\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+)?"
)


@dataclass(frozen=True)
class Cue:
    role: str
    # "active" (actor before), "passive" (actor after), "list" (every actor after), "near" (every
    # actor after, the first right after the cue: "kerja sama dinas dan kampus"), "adjacent" (the
    # actor right before a bare role noun: "Gapoktan pelaksana PUAP"), "symmetric" (actor before,
    # and after "with": "bekerja sama dengan")
    shape: str
    pattern: re.Pattern[str]
    actors: frozenset[str] = frozenset()  # only these actors (empty: any)


def _cues(role: str, shape: str, *patterns: str, actors: frozenset[str] = frozenset()):
    return [Cue(role, shape, re.compile(rf"\b(?:{p})\b", re.IGNORECASE), actors) for p in patterns]


# The role nouns after "sebagai / as / acts as / plays": one table, both languages.
_ROLE_NOUNS = {
    "role.policy_maker": r"(?:pembuat|penentu|perumus|pengambil)\s+kebijakan|regulator|"
    r"policy\s*-?\s*makers?|policymakers?|regulators?|decision\s*-?\s*makers?",
    "role.funder": r"penyandang\s+dana|pemberi\s+(?:dana|modal|bantuan)|penyedia\s+dana|"
    r"pendana|donor|sponsor|funders?|donors?|financiers?|sponsors?",
    "role.implementer": r"pelaksana|penyelenggara|pengelola|pelaku|implementers?|implementors?|"
    r"executors?|operators?|(?:active\s+)?actors\s+in",
    "role.facilitator": r"fasilitator|pendamping|pembina|penyuluh|motivator|pelatih|"
    r"facilitators?|mentors?|coach(?:es)?|trainers?|advisers?|advisors?",
    "role.partner": r"mitra|partners?",
}

_BARE_NOUNS = (
    r"pelaksana|pengelola|penyelenggara|pendamping|pembina|fasilitator|mitra|penyandang\s+dana"
)
_BARE_ROLES = {
    "pelaksana": "role.implementer",
    "pengelola": "role.implementer",
    "penyelenggara": "role.implementer",
    "pendamping": "role.facilitator",
    "pembina": "role.facilitator",
    "fasilitator": "role.facilitator",
    "mitra": "role.partner",
    "penyandang": "role.funder",
}

CUES: list[Cue] = [
    *[
        cue
        for noun, role in _BARE_ROLES.items()
        for cue in _cues(role, "adjacent", noun + (r"\s+dana" if noun == "penyandang" else ""))
    ],
    *[
        cue
        for role, nouns in _ROLE_NOUNS.items()
        for cue in _cues(role, "active", f"(?:{_CONNECTOR})(?:{nouns})")
    ],
    # policy maker
    *_cues(
        "role.policy_maker",
        "active",
        r"(?:menetapkan|menerbitkan|mengeluarkan|membuat|merumuskan|menyusun|mengatur)\s+"
        r"(?:\w+\s+)?(?:kebijakan|peraturan|regulasi|perda|perdes|perbup|program|rencana)",
        r"sets?\s+(?:the\s+)?(?:policy|policies|rules|regulations?)",
        r"(?:makes?|issues?|issued|formulates?|formulated|enacts?|enacted|adopts?)\s+"
        r"(?:a\s+|the\s+|its\s+)?(?:\w+\s+)?(?:policy|policies|regulations?|decrees?|ordinances?)",
        r"regulates?",
    ),
    *_cues(
        "role.policy_maker",
        "passive",
        r"(?:ditetapkan|diterbitkan|dikeluarkan|dirumuskan|diatur|dicanangkan|diinisiasi)"
        r"(?:\s+oleh)?",
        r"(?:issued|regulated|enacted|formulated|decreed|mandated)\s+by",
    ),
    *_cues(
        "role.policy_maker",
        "passive",
        r"(?:dibentuk|dibuat|digagas)(?:\s+oleh)?",
        r"(?:established|created|launched|initiated)\s+by",
        actors=GOVERNMENT,
    ),
    # funder
    *_cues(
        "role.funder",
        "active",
        r"membiayai|mendanai|memodali|mensubsidi|menganggarkan",
        r"(?:memberikan|memberi|menyalurkan|menyediakan|mengalokasikan|mengucurkan)\s+"
        r"(?:\w+\s+)?(?:dana|anggaran|modal|hibah|pinjaman|kredit|bantuan\s+(?:dana|modal|keuangan))",
        r"pays?\s+for|paid\s+for|finances?|financed|subsidi[sz]es?|bankrolls?",
        r"funds\s+(?:the|a|an|its|their|several|selected|some|most|part|programm?es?|"
        r"activities|projects?|training)",
        r"(?:provides?|provided|gives?|gave|grants?|granted|allocates?|allocated|channels?)\s+"
        r"(?:\w+\s+)?(?:funding|funds|financing|finance|grants?|capital|loans?|credit|budgets?)",
    ),
    *_cues(
        "role.funder",
        "passive",
        r"(?:didanai|dibiayai|dimodali|disubsidi|dianggarkan)(?:\s+oleh)?",
        r"(?:pendanaan|pembiayaan|hibah|bantuan\s+(?:dana|modal|keuangan))(?:\s+(?!yang\b|di\w*\b)[\w-]+){0,2}?"
        r"\s+(?:dari|oleh)",
        r"(?:funding|grants?|loans?|financial\s+support)\s+from",
        r"(?:funded|financed|sponsored|paid\s+for|subsidi[sz]ed|bankrolled)\s+by",
    ),
    # implementer
    *_cues(
        "role.implementer",
        "active",
        r"(?:melaksanakan|menjalankan)(?!\s+(?:ibadah|sholat|shalat|salat|puasa|kkn|kuliah))|"
        r"menyelenggarakan|mengimplementasikan|mengelola|menerapkan\s+program|"
        r"dengan\s+program(?:nya)?",
        r"runs?\s+(?:the\s+|its\s+|their\s+|a\s+)?(?:\w+\s+)?(?:activit|programm?e|service|"
        r"project|enterprise|unit|scheme)\w*",
        r"implements?|implemented\s+(?:the|a|its)|carr(?:y|ies)\s+out|carried\s+out\s+(?:the|a|its)|"
        r"delivers?|delivered\s+(?:the|a|its)|manages?|managed\s+(?:the|a|its)|"
        r"organi[sz]es?|operates?|executes?",
    ),
    *_cues(
        "role.implementer",
        "passive",
        r"(?:dilaksanakan|dijalankan|diselenggarakan|dikelola|diimplementasikan|diterapkan)"
        r"(?:\s+oleh)?",
        r"dilakukan\s+oleh",
        r"(?:pengelolaan|pelaksanaan|penyelenggaraan|kegiatan)(?:\s+(?!yang\b|di\w*\b)[\w-]+){0,3}?\s+oleh",
        r"(?:implemented|carried\s+out|run|managed|organi[sz]ed|delivered|executed|operated|"
        r"conducted|held)\s+by",
        r"(?:management|implementation|delivery)\s+(?:of\s+)?(?:[\w-]+\s+){0,3}?by",
    ),
    # carrying out student community service (KKN) is what academia does in it
    *_cues(
        "role.implementer",
        "passive",
        r"(?:melaksanakan|menjalankan|mengikuti)(?=\s+(?:program\s+)?(?:kkn|kuliah\s+kerja))",
        actors=frozenset({"actor.academia"}),
    ),
    # facilitator
    *_cues(
        "role.facilitator",
        "active",
        r"mendampingi|memfasilitasi|membina|melatih|membimbing|menyuluh",
        r"(?:memberikan|memberi|melakukan|menyelenggarakan)\s+(?:\w+\s+)?(?:pendampingan|"
        r"pelatihan|penyuluhan|bimbingan|pembinaan|fasilitasi)",
        r"mentors?|mentored|facilitates?|facilitated\s+(?:the|a)|accompan(?:y|ies|ied)|"
        r"trains?|trained\s+(?:the|a)|coach(?:es)?|coached|guides?|advises?",
        r"(?:provides?|provided|offers?|offered|gives?|gave)\s+(?:\w+\s+){0,2}"
        r"(?:training|mentoring|assistance|guidance|support|accompaniment|coaching|extension)",
    ),
    *_cues(
        "role.facilitator",
        "passive",
        r"(?:didampingi|difasilitasi|dibina|dilatih|dibimbing)(?:\s+oleh)?",
        r"(?:penyuluhan|pendampingan|pelatihan|pembinaan)(?:\s+(?!yang\b|di\w*\b)[\w-]+){0,3}?\s+oleh",
        r"(?:mentored|facilitated|accompanied|trained|coached|guided|assisted)\s+by",
    ),
    # partner
    *_cues(
        "role.partner",
        "symmetric",
        r"(?:bermitra|bekerja\s*sama|berkolaborasi|bersinergi|berkoordinasi)\s+dengan",
        r"menjalin\s+(?:kerja\s*sama|kemitraan|kolaborasi)\s+dengan",
        r"(?:partners?|partnered|cooperates?|cooperated|collaborates?|collaborated|"
        r"works?\s+together)\s+with",
    ),
    *_cues(
        "role.partner",
        "list",
        r"(?:kolaborasi|kerja\s*sama|kemitraan|sinergi|kolaboratif)\s+(?:yang\s+)?"
        r"(?:antara|antar|melibatkan|dengan)",
        r"(?:partnerships?|collaborations?|cooperation)\s+(?:between|among|involving|with)",
    ),
    *_cues("role.partner", "near", r"kerja\s*sama|kemitraan|kolaborasi|sinergi"),
    # a role noun and its owner right after it: "kebijakan pemerintah daerah", "anggaran pemda"
    # (not "pelatihan kader" or "bantuan LSM": there the actor after is trained or the help)
    *_cues("role.policy_maker", "genitive", r"kebijakan|regulasi"),
    *_cues("role.funder", "genitive", r"anggaran|penganggaran|pendanaan|pembiayaan"),
    *_cues(
        "role.facilitator",
        "active",
        r"berupa\s+(?:[\w-]+,?\s+){0,3}?(?:pelatihan|penyuluhan|pendampingan|pembinaan)",
    ),
]
# A clause that recommends ("pemerintah perlu...", "should fund") states no role the actor plays.
_RECOMMENDS = re.compile(
    r"\b(?:perlu|disarankan|sebaiknya|seyogyanya|hendaknya|harus|diharapkan|direkomendasikan|"
    r"rekomendasi|should|recommend\w*|suggest\w*|ought|must|needs?\s+to)\b",
    re.IGNORECASE,
)

# Words that join two actor mentions into one list ("X dan Y") or one party ("NGO yang diteliti
# ialah LAKPESDAM PCNU": the same organisation named twice).
_CONJUNCTION = frozenset(
    {"dan", "and", "serta", "or", "atau", "maupun", "ialah", "adalah", "yaitu", "yakni", "namely"}
)
_OBJECT_GAP = 2  # an actor this close after an active cue (no comma between) is its object
_PASSIVE_GAP = 3  # the agent follows "oleh/by" within this many tokens (right after, without)
_ACTIVE_GAP = 8  # the subject of an active cue ends at most this many tokens before it
_CHAIN_GAP = 5  # coordinated actors ("X dan Y") stand at most this many tokens apart


@dataclass(frozen=True)
class Pair:
    """One actor in one role, with where it comes from: the text's sentence, or the registry."""

    actor: str
    role: str
    source: str  # TEXT or REGISTRY
    sentence: str  # the sentence (text), or "name: curated role" (registry)
    cue: str = ""  # the role cue as written (text), or the registry's role note
    weak: bool = False  # the actor is named by a word that is no indicator of it ("masyarakat")

    @property
    def key(self) -> tuple[str, str]:
        return (self.actor, self.role)


@dataclass(frozen=True)
class _Actor:
    start: int
    end: int
    theme: str
    weak: bool = False


# Words that name an actor only where a role cue stands right by them ("masyarakat sebagai
# pelaksana", "dilaksanakan oleh PT Semen"): too common to be indicators of the actor theme.
_WEAK_ACTORS = (
    (
        re.compile(
            r"(?<!pemberdayaan )(?<!lembaga )(?<!tokoh )(?<!organisasi )(?<!kelompok )"
            r"(?<!partisipasi )(?<!swadaya )(?<!pengabdian )(?<!kepada )\bmasyarakat\b|"
            r"\b(?:the\s+)?(?:local\s+)?(?:community|communities|local\s+people)\b",
            re.IGNORECASE,
        ),
        "actor.community_groups",
    ),
    (re.compile(r"\bPT\.?\s+[A-Z]\w+"), "actor.private_sector"),
)
_WEAK_GAP = 2  # a weak actor is the subject of an active cue only this close to it


def find_pairs(clause: str, actor_matches: list[tuple[int, str, str]], sentence: str) -> list[Pair]:
    """The pairs a clause states. ``actor_matches``: (token position, actor theme, term) of the
    actors the lexicon found in ``clause`` (after its exclusions)."""
    named = {
        _Actor(pos, pos + max(1, len(list(words(term.rstrip("*"))))), theme)
        for pos, theme, term in actor_matches
    }
    starts = {a.start for a in named}
    for pattern, theme in _WEAK_ACTORS:
        for m in pattern.finditer(clause):
            start = len(list(words(clause[: m.start()])))
            if start not in starts:
                named.add(_Actor(start, start + len(list(words(m.group()))), theme, weak=True))
    if not named:
        return []
    tokens = list(words(clause))
    actors = sorted(named, key=lambda a: (a.start, a.theme))
    commas = [len(list(words(clause[: m.start()]))) for m in re.finditer(r"[,()]", clause)]
    hits = []
    for cue in CUES:
        for m in cue.pattern.finditer(clause):
            if _RECOMMENDS.search(clause, 0, m.start()):
                continue
            start = len(list(words(clause[: m.start()])))
            end = max(start + 1, len(list(words(clause[: m.end()]))))
            hits.append((start, end, cue, m.group()))
    hits.sort(key=lambda h: (h[0], -h[1]))  # at one place, the longest cue first
    cue_ends = [end for _s, end, _c, _t in hits if _c.shape in ("active", "symmetric")]
    cue_starts = frozenset(s for s, _e, _c, _t in hits)

    def is_object(actor: _Actor) -> bool:
        return any(
            0 <= actor.start - e <= _OBJECT_GAP and not any(e <= c <= actor.start for c in commas)
            for e in cue_ends
            if e <= actor.start
        )

    out: dict[tuple[str, str], Pair] = {}
    for start, end, cue, text in hits:
        chosen: list[_Actor] = []
        if cue.shape in ("active", "symmetric"):
            before = [
                a
                for a in actors
                if a.start < start
                and start - a.end <= (_WEAK_GAP if a.weak else _ACTIVE_GAP)
                and not is_object(a)
            ]
            if before:
                chosen += _chain(tokens, actors, before[-1], cue_starts, backwards=True)
        if cue.shape == "adjacent":
            chosen += [a for a in actors if a.end == start]
        if cue.shape in ("passive", "symmetric"):
            agent = text.casefold().split()[-1] in ("oleh", "by", "dengan", "with", "dari", "from")
            gap = _PASSIVE_GAP if agent else 0
            after = [
                a
                for a in actors
                if end <= a.start <= end + gap and not any(end <= c <= a.start for c in commas)
            ]
            if after:
                chosen += _chain(tokens, actors, after[0], cue_starts, backwards=False)
        if cue.shape == "list":
            chosen += [a for a in actors if a.start >= end]
        if cue.shape in ("near", "genitive"):
            gap = 1 if cue.shape == "near" else 0
            after = [
                a
                for a in actors
                if end <= a.start <= end + gap and not any(end <= c <= a.start for c in commas)
            ]
            if after:
                chosen += _chain(tokens, actors, after[0], cue_starts, backwards=False)
        for actor in chosen:
            if cue.actors and actor.theme not in cue.actors:
                continue
            pair = Pair(actor.theme, cue.role, TEXT, sentence, text, weak=actor.weak)
            out.setdefault(pair.key, pair)
    return list(out.values())


def _chain(
    tokens: list[str],
    actors: list[_Actor],
    first: _Actor,
    cue_starts: frozenset[int],
    backwards: bool,
) -> list[_Actor]:
    """``first`` and the actors coordinated with it ("X dan Y", "X, Y and Z"); a cue between two
    actors ends the list ("implemented by X and funded by Y")."""
    chosen = [first]
    ordered = list(reversed(actors)) if backwards else actors
    index = ordered.index(first)
    current = first
    for other in ordered[index + 1 :]:
        left, right = (other, current) if backwards else (current, other)
        if left.start == right.start:
            chosen.append(other)
            continue
        gap = tokens[left.end : right.start]
        if len(gap) > _CHAIN_GAP or not (_CONJUNCTION & set(gap) or len(gap) <= 1):
            break
        if any(left.end <= c < right.start for c in cue_starts):
            break
        chosen.append(other)
        current = other
    return chosen


# -- the registry's curated actors and roles (corpus/studies.toml, [[study.actors]]) -----------

# Sector words -> codebook actors. Sectors the codebook has no actor for (central government,
# international donors, security forces, unspecified stakeholders) give no pair.
SECTOR_ACTORS: tuple[tuple[str, str], ...] = (
    ("village government", "actor.village_government"),
    ("regional government", "actor.regional_government"),
    ("provincial government", "actor.regional_government"),
    ("ngo", "actor.ngo"),
    ("civil society", "actor.ngo"),
    ("religious", "actor.religious_zakat"),
    ("zakat", "actor.religious_zakat"),
    ("private sector", "actor.private_sector"),
    ("community groups", "actor.community_groups"),
    ("cadres", "actor.community_groups"),
    ("academia", "actor.academia"),
    ("media", "actor.media"),
)
# Words of a curated role note -> codebook roles. Beneficiary, target, informant, researcher,
# respondent and "counterpart" are no role of the codebook and give no pair.
ROLE_WORDS: tuple[tuple[str, str], ...] = (
    ("policy maker", "role.policy_maker"),
    ("created the", "role.policy_maker"),
    ("regulat", "role.policy_maker"),
    ("fund", "role.funder"),
    ("financ", "role.funder"),
    ("implementer", "role.implementer"),
    ("running", "role.implementer"),
    ("carrying out", "role.implementer"),
    ("active actors", "role.implementer"),
    ("facilitator", "role.facilitator"),
    ("accompan", "role.facilitator"),
    ("assistance", "role.facilitator"),
    ("mentor", "role.facilitator"),
    ("partner", "role.partner"),
    ("collaborating", "role.partner"),
    ("in cooperation", "role.partner"),
)
# A note that says it does not come from the work's abstract (the title, the venue, the news).
OUTSIDE_ABSTRACT = ("from title", "from venue", "per local news", "not the abstract")
CURATED = "curated from the abstract"
CURATED_OUTSIDE = "curated from the title, venue or other pages"
_NOTE_BREAK = re.compile(r";(?![^()]*\))")  # "a; b (from title; details unknown)": two notes


def registry_pairs(extra: dict[str, object]) -> list[Pair]:
    """The curated actor-role pairs of a registry work (its Document.extra), source "registry".

    ``cue`` is CURATED for a role the curator read in the abstract, CURATED_OUTSIDE for one taken
    from the title, the venue or other pages: the text cannot show those, so the agreement of
    text and registry is measured on the first kind only."""
    out: dict[tuple[str, str], Pair] = {}
    for entry in extra.get("actors") or []:  # type: ignore[union-attr]
        if not isinstance(entry, dict):
            continue
        sector = str(entry.get("sector", "")).casefold()
        actors = list(dict.fromkeys(a for word, a in SECTOR_ACTORS if word in sector))
        for note in _NOTE_BREAK.split(str(entry.get("role", ""))):
            lowered = note.casefold()
            roles = list(dict.fromkeys(r for word, r in ROLE_WORDS if word in lowered))
            basis = CURATED_OUTSIDE if any(w in lowered for w in OUTSIDE_ABSTRACT) else CURATED
            for actor in actors:
                for role in roles:
                    sentence = f"{entry.get('name', '')}: {note.strip()}"
                    out.setdefault((actor, role), Pair(actor, role, REGISTRY, sentence, basis))
    return list(out.values())


def agreement(found: set[tuple[str, str]], expected: set[tuple[str, str]]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of ``found`` against ``expected``."""
    return len(found & expected), len(found - expected), len(expected - found)


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (1.0 where nothing was expected and nothing found)."""
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score
