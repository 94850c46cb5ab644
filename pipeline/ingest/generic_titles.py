"""Which titles are too generic to identify a work by themselves.

In this literature many titles are made of the field's own words: "Model pemberdayaan
masyarakat", "Pemberdayaan masyarakat desa", "Collaborative governance dalam perspektif
administrasi publik". Several different papers carry such a title, so a title like that, even
matched word for word, does not say which paper it is: the matcher (``references.resolve``) asks
it for more evidence.

The rule: a title is generic when fewer than ``MIN_DISTINCTIVE`` (2) of its words are
distinctive. A distinctive word is a word of the normalised title (lower case, no accents or
punctuation) of three letters or more, not a number, that is neither a stop word
(``pipeline.text.stopwords``, Indonesian and English) nor one of ``FIELD_WORDS``: the words that
recur in the titles of community-empowerment and local-governance research (kinds of place,
actors, the vocabulary of empowerment and collaboration, kinds of study), in Indonesian and
English. Many of them are among the most frequent title words of the 3,638 SINTA abstracts
(masyarakat in 183 titles, desa 132, kebijakan 125, model 86, peran 80, strategi 66,
pemberdayaan 64, program 61). A fixed list rather than document frequencies counted in the
corpus at hand: the verdict on a cited work then does not change with the documents it is
compared with (a store of 16 registry works has no useful frequencies), and the exact pruned
search of ``compare.citations`` can rely on it.

Examples: "Model pemberdayaan masyarakat" (no distinctive word), "Model Pemberdayaan Masyarakat
Terpadu" (terpadu) and "Collaborative Governance Dalam Perspektif Administrasi Publik" (none) are
generic; "Pemberdayaan Masyarakat Dalam Rangka Mencegah Aksi Terorisme di Indonesia" (mencegah,
aksi, terorisme) is not.
"""

from __future__ import annotations

import re

from pipeline.documents import normalise_title
from pipeline.text.stopwords import stopwords

MIN_DISTINCTIVE = 2

_WORD = re.compile(r"^[^\W\d_]{3,}$", re.UNICODE)

FIELD_WORDS = frozenset(
    """
    pemberdayaan berdaya keberdayaan memberdayakan masyarakat komunitas warga penduduk
    desa kelurahan kampung dusun nagari gampong kecamatan kabupaten kota provinsi daerah wilayah
    pedesaan perdesaan perkotaan lokal nasional indonesia negara
    pemerintah pemerintahan pemda lembaga kelembagaan organisasi lsm ngo swasta sektor publik
    badan usaha milik bumdes swadaya
    pembangunan pengembangan pengelolaan pelaksanaan implementasi penerapan peningkatan
    penguatan meningkatkan partisipasi partisipatif kolaborasi kolaboratif kemitraan sinergi
    sinergitas kerja sama kerjasama tata kelola program kebijakan strategi peran upaya model
    konsep pendekatan perspektif berbasis inovasi sosial ekonomi kesejahteraan administrasi
    pelayanan manajemen bersama rangka
    studi kasus analisis kajian evaluasi tinjauan penelitian efektivitas dampak pengaruh
    empowerment empowering empower community communities society civil village villages rural
    urban local regional national government governments governance public private sector
    institution institutions institutional organization organizations organisation
    development developing participation participatory collaboration collaborative partnership
    partnerships synergy management program programs programme policy policies strategy
    strategies role roles effort efforts model models concept approach perspective based
    innovation social economic economy welfare administration service services
    study case analysis review evaluation research effectiveness impact implementation through
    indonesia indonesian
    """.split()
)


def distinctive_words(title: str) -> list[str]:
    """The words of ``title`` that are neither stop words nor the field's frequent words, in
    order, each once."""
    stop = stopwords("*")
    out: list[str] = []
    for word in normalise_title(title).split():
        if _WORD.match(word) and word not in stop and word not in FIELD_WORDS and word not in out:
            out.append(word)
    return out


def is_generic(title: str) -> bool:
    """Fewer than ``MIN_DISTINCTIVE`` distinctive words (see the module docstring)."""
    return len(distinctive_words(title)) < MIN_DISTINCTIVE
