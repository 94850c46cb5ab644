"""A synthetic corpus of community-empowerment abstracts, for measuring the pipeline at scale.

Why a generator of our own: the scale benchmark needs 100,000 documents that behave like the
literature (two languages, bilingual fields, a long tail of rare words) without reading anyone
else's text. Everything here is written for berdaya: 18 themes of the field, each with Indonesian
roots and English terms, sentence frames in both languages, and made-up place, person, programme
and journal names.

What makes it realistic enough to load the pipeline the way real abstracts would:

- Indonesian words are *derived* from roots with the language's affixes (meN- with its
  allomorphs me-/mem-/men-/meng-/meny- and the dropped k/p/t/s, di-, ber-, ter-, memper-,
  peN-...-an, per-...-an, ke-...-an, -kan, -i, -nya), so the stemmer has the work real text gives
  it; English terms come with their inflections (-s, -ed, -ing) for the Snowball stemmer.
- Abstracts are Indonesian, English, both in two fields, or both in one field ("ABSTRAK ...
  ABSTRACT ..."), 120-250 words per language, with titles, keywords, authors, years and ~30
  journals whose sizes follow a Zipf-like law.
- A Zipf-distributed tail of made-up words (villages, districts, programme acronyms, affixed
  pseudo-words) makes the distinct vocabulary keep growing with corpus size, as in real corpora
  (Heaps' law), instead of saturating at the size of the word lists below.

Streaming and seeded: ``synthetic_documents(n, seed)`` yields Documents one at a time, each from
its own random generator keyed by (seed, index), so the first 1,000 documents of a 100,000-document
corpus are the 1,000-document corpus, and nothing is held in memory but the word lists.

Run ``python -m bench synthetic`` for a sample document and the vocabulary growth.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate

from pipeline.documents import Document

# -- Indonesian morphology -------------------------------------------------------------------

VOWELS = frozenset("aeiou")


def _nasal(base: str, root: str) -> str:
    """``base`` ("me" or "pe") + the nasal the root's first sound asks for (meN-, peN-).

    k, p, t and s before a vowel are replaced by the nasal (kelola -> mengelola, pakai ->
    memakai, tanam -> menanam, salur -> menyalur); before a consonant they stay (produksi ->
    memproduksi).
    """
    first, second = root[0], root[1:2]
    before_vowel = second in VOWELS
    if root.startswith(("ny", "ng")) or first in "lmnrwy":
        return base + root
    if first in VOWELS or first in "gh":
        return base + "ng" + root
    if first == "k":
        return base + "ng" + (root[1:] if before_vowel else root)
    if first in "bfv":
        return base + "m" + root
    if first == "p":
        return base + "m" + (root[1:] if before_vowel else root)
    if first in "dcjz":
        return base + "n" + root
    if first == "t":
        return base + "n" + (root[1:] if before_vowel else root)
    if first == "s":
        return base + ("ny" + root[1:] if before_vowel else "n" + root)
    return base + root


def men(root: str, suffix: str = "") -> str:
    """Active verb: meN- + root (+ -kan / -i): mengelola, memberdayakan, mendampingi."""
    return _nasal("me", root) + suffix


def di(root: str, suffix: str = "") -> str:
    """Passive verb: di- + root (+ -kan / -i): dikelola, diberdayakan, didampingi."""
    return "di" + root + suffix


def pen_an(root: str) -> str:
    """Process noun: peN- + root + -an: pengelolaan, pemberdayaan, pendampingan, penyuluhan."""
    return _nasal("pe", root) + "an"


def pen(root: str) -> str:
    """Agent noun: peN- + root: pengelola, pendamping, penyuluh."""
    return _nasal("pe", root)


def ber(root: str) -> str:
    """ber- + root (be- before r, and the two irregular ones): berdaya, beternak, bekerja."""
    irregular = {"kerja": "bekerja", "ajar": "belajar"}
    if root in irregular:
        return irregular[root]
    return ("be" if root.startswith("r") else "ber") + root


def ke_an(root: str) -> str:
    """State noun: ke- + root + -an: kesejahteraan, kemandirian, keberlanjutan."""
    return "ke" + root + "an"


def per_an(root: str) -> str:
    """Domain noun: per- + root + -an: pertanian, perikanan, perdagangan (pe- before r)."""
    return ("pe" if root.startswith("r") else "per") + root + "an"


def memper(root: str, suffix: str = "") -> str:
    """Causative memper-: memperkuat, memperluas (and di-per-: diperkuat)."""
    return "memper" + root + suffix


def _id_forms(root: str, kind: str) -> list[str]:
    """The forms a root takes in the text, by its kind.

    ``kind``: "v" (transitive verb, no suffix), "v:kan" / "v:i" (verb with that suffix),
    "a" (adjective: ke-an, meN-kan), "n" (noun: plain, -nya), "nb" (noun that also takes ber-),
    "p" (memper- adjective).
    """
    if kind.startswith("v"):
        suffix = kind[2:]
        return [
            men(root, suffix),
            di(root, suffix),
            pen_an(root),
            pen(root),
            root + "nya",
            ("te" if root.startswith("r") else "ter") + root + ("kan" if suffix == "kan" else ""),
        ]
    if kind == "a":
        return [root, ke_an(root), men(root, "kan"), di(root, "kan")]
    if kind == "p":
        return [root, memper(root), "di" + "per" + root, pen_an(root)]
    if kind == "nb":
        return [root, root + "nya", ber(root)]
    return [root, root + "nya"]


# -- the field's vocabulary, theme by theme -------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    """One planted theme: Indonesian roots (with their kind) and phrases, English terms."""

    key: str
    id_roots: tuple[tuple[str, str], ...]  # (root, kind) for _id_forms
    id_phrases: tuple[str, ...]  # noun phrases as written
    en_terms: tuple[str, ...]  # English noun phrases
    en_verbs: tuple[str, ...]  # English verbs (base form), inflected by _en_forms
    id_title: str  # a title head in Indonesian
    en_title: str


def _t(
    key: str,
    roots: str,
    id_phrases: str,
    en_terms: str,
    en_verbs: str,
    id_title: str,
    en_title: str,
) -> Theme:
    """A Theme from compact strings: roots "kelola:v daya:n", phrases split on "|"."""
    pairs = tuple(tuple(item.split(":", 1)) for item in roots.split())
    return Theme(
        key,
        pairs,  # type: ignore[arg-type]
        tuple(p.strip() for p in id_phrases.split("|")),
        tuple(p.strip() for p in en_terms.split("|")),
        tuple(en_verbs.split()),
        id_title,
        en_title,
    )


THEMES: tuple[Theme, ...] = (
    _t(
        "bumdes",
        "kelola:v kembang:v:kan usaha:v:kan modal:v:i pasar:v:kan hasil:v:kan untung:a "
        "mandiri:a bagi:v:kan",
        "badan usaha milik desa|BUMDes|unit usaha desa|aset desa|pendapatan asli desa|"
        "bagi hasil|simpan pinjam|laba usaha|penyertaan modal|direktur BUMDes",
        "village-owned enterprise|village enterprises|business unit|village revenue|"
        "profit sharing|village assets|enterprise governance|rural entrepreneurship",
        "manage generate invest operate",
        "Pengelolaan Badan Usaha Milik Desa",
        "Managing Village-Owned Enterprises",
    ),
    _t(
        "dana_desa",
        "alokasi:v:kan anggar:v:kan salur:v:kan awas:v:i rencana:v:kan tanggung:v laksana:v:kan "
        "guna:v:kan serap:v",
        "dana desa|alokasi dana desa|APBDes|anggaran desa|laporan pertanggungjawaban|"
        "pembangunan infrastruktur desa|rencana kerja pemerintah desa|musyawarah desa|"
        "kepala desa|perangkat desa",
        "village fund|village budget|fund allocation|budget absorption|financial reports|"
        "village infrastructure|village government|village head|fiscal transfers",
        "allocate disburse audit spend report",
        "Akuntabilitas Pengelolaan Dana Desa",
        "Accountability of Village Fund Management",
    ),
    _t(
        "zakat",
        "salur:v:kan hidup:v:i bantu:v zakat:nb sedekah:nb wakaf:v:kan amil:n produktif:a berkah:a",
        "zakat produktif|lembaga amil zakat|BAZNAS|dana zakat|mustahik|muzaki|infak dan "
        "sedekah|wakaf produktif|ekonomi syariah|masjid",
        "productive zakat|zakat institution|Islamic philanthropy|zakat recipients|"
        "zakat funds|charitable giving|Islamic social finance|mosque-based programmes",
        "distribute collect finance support",
        "Pendayagunaan Zakat Produktif",
        "Productive Zakat for Poor Households",
    ),
    _t(
        "konservasi",
        "lindung:v:i lestari:a rusak:a jaga:v tanam:v hutan:n pulih:v:kan kelola:v rawat:v",
        "hutan desa|hutan mangrove|perhutanan sosial|kawasan konservasi|sumber daya alam|"
        "daerah aliran sungai|rehabilitasi lahan|kearifan lokal|masyarakat adat|"
        "kelompok tani hutan",
        "forest conservation|mangrove rehabilitation|social forestry|protected areas|"
        "natural resources|watershed management|customary communities|deforestation",
        "protect restore conserve plant",
        "Konservasi Hutan Berbasis Masyarakat",
        "Community-Based Forest Conservation",
    ),
    _t(
        "covid",
        "pulih:v:kan dampak:nb tular:v:kan cegah:v sehat:a bantu:v tahan:a sosial:n krisis:n",
        "pandemi COVID-19|pemulihan ekonomi|bantuan sosial|bantuan langsung tunai|"
        "pembatasan sosial|protokol kesehatan|ketahanan pangan keluarga|masa pandemi|"
        "jaring pengaman sosial",
        "COVID-19 pandemic|economic recovery|social assistance|cash transfers|"
        "social restrictions|health protocols|pandemic resilience|social safety net",
        "recover cope adapt survive",
        "Pemulihan Ekonomi Masyarakat Pascapandemi COVID-19",
        "Community Economic Recovery after the COVID-19 Pandemic",
    ),
    _t(
        "pertanian_kota",
        "tanam:v olah:v panen:v pupuk:v:i tani:nb kebun:nb pangan:n hidroponik:n sayur:n",
        "pertanian perkotaan|urban farming|lahan pekarangan|kebun komunitas|ketahanan pangan|"
        "budidaya hidroponik|kelompok wanita tani|sayuran organik|lorong sayur",
        "urban farming|urban agriculture|community gardens|food security|home yards|"
        "hydroponic cultivation|organic vegetables|green open space",
        "grow cultivate harvest farm",
        "Pertanian Perkotaan untuk Ketahanan Pangan",
        "Urban Farming for Household Food Security",
    ),
    _t(
        "pesisir",
        "tangkap:v olah:v ikan:n laut:n budidaya:v:kan nelayan:n pesisir:n rumput:n abrasi:n",
        "masyarakat pesisir|nelayan tradisional|desa pesisir|hasil tangkapan|budidaya rumput "
        "laut|pengolahan ikan|wilayah pesisir dan pulau kecil|perikanan tangkap",
        "coastal communities|small-scale fishers|coastal villages|fish catch|seaweed farming|"
        "fish processing|marine resources|coastal livelihoods",
        "fish process market diversify",
        "Pemberdayaan Nelayan di Wilayah Pesisir",
        "Empowering Fishers in Coastal Villages",
    ),
    _t(
        "lsm",
        "damping:v:i fasilitasi:v advokasi:v:kan organisasi:v:kan gerak:v:kan kuat:p bina:v "
        "dorong:v",
        "lembaga swadaya masyarakat|LSM|organisasi masyarakat sipil|pendamping desa|"
        "fasilitator lapangan|pendampingan masyarakat|advokasi kebijakan|jaringan relawan",
        "non-governmental organisations|NGO accompaniment|civil society organisations|"
        "field facilitators|policy advocacy|community organising|volunteer networks",
        "facilitate accompany advocate mobilise",
        "Peran Lembaga Swadaya Masyarakat dalam Pendampingan",
        "The Role of NGOs in Accompanying Communities",
    ),
    _t(
        "perempuan",
        "daya:nb setara:a ikut:v:sertakan libat:v:kan perempuan:n ibu:n kader:n mandiri:a kuat:p",
        "kelompok perempuan|pemberdayaan perempuan|kesetaraan gender|PKK|ibu rumah tangga|"
        "kader posyandu|kepemimpinan perempuan|usaha perempuan|kelompok wanita",
        "women's groups|women's empowerment|gender equality|women's leadership|"
        "housewives|female entrepreneurs|gender mainstreaming",
        "empower organise lead participate",
        "Pemberdayaan Perempuan melalui Kelompok Usaha",
        "Women's Empowerment through Self-Help Groups",
    ),
    _t(
        "desa_wisata",
        "kunjung:v:i wisata:nb promosi:v:kan kembang:v:kan kelola:v atraksi:n budaya:nb "
        "homestay:n lestari:a",
        "desa wisata|kelompok sadar wisata|Pokdarwis|daya tarik wisata|wisatawan|"
        "ekowisata|paket wisata|pariwisata berbasis masyarakat|atraksi budaya",
        "tourism villages|community-based tourism|tourism awareness groups|tourist "
        "attractions|ecotourism|visitors|homestays|cultural heritage",
        "attract promote visit host",
        "Pengembangan Desa Wisata Berbasis Masyarakat",
        "Developing Community-Based Tourism Villages",
    ),
    _t(
        "umkm",
        "pasar:v:kan jual:v produksi:v usaha:nb kemas:v:kan modal:v:i merek:n",
        "usaha mikro kecil dan menengah|UMKM|pelaku usaha|pemasaran digital|"
        "kemasan produk|akses permodalan|produk unggulan|daya saing|kredit usaha rakyat",
        "micro and small enterprises|MSMEs|digital marketing|product packaging|"
        "access to credit|local products|competitiveness|small business owners",
        "market sell package brand",
        "Penguatan UMKM melalui Pemasaran Digital",
        "Strengthening Micro Enterprises through Digital Marketing",
    ),
    _t(
        "pendidikan",
        "latih:v didik:v ajar:nb terampil:a telaah:v sadar:a mampu:a literasi:n kuat:p",
        "pelatihan keterampilan|peningkatan kapasitas|literasi keuangan|pendidikan nonformal|"
        "sumber daya manusia|pengetahuan masyarakat|sekolah lapang|taman bacaan",
        "skills training|capacity building|financial literacy|non-formal education|"
        "human resources|community learning|training workshops",
        "train teach learn improve",
        "Peningkatan Kapasitas Masyarakat melalui Pelatihan",
        "Capacity Building through Community Training",
    ),
    _t(
        "kesehatan",
        "sehat:a rawat:v:i cegah:v gizi:nb layan:v:i periksa:v:kan timbang:v stunting:n",
        "pencegahan stunting|posyandu|gizi balita|pelayanan kesehatan|sanitasi lingkungan|"
        "air bersih|kader kesehatan|puskesmas|perilaku hidup bersih dan sehat",
        "stunting prevention|child nutrition|health services|community health workers|"
        "sanitation|clean water|health posts|maternal health",
        "prevent screen monitor treat",
        "Pencegahan Stunting melalui Kader Posyandu",
        "Preventing Stunting through Community Health Workers",
    ),
    _t(
        "partisipasi",
        "partisipasi:nb libat:v:kan putus:v:kan rencana:v:kan aspirasi:n musyawarah:v:kan "
        "sepakat:v:i usul:v:kan",
        "partisipasi masyarakat|perencanaan partisipatif|musyawarah perencanaan pembangunan|"
        "Musrenbang|pengambilan keputusan|aspirasi warga|keterlibatan masyarakat|"
        "tata kelola desa",
        "community participation|participatory planning|development planning forums|"
        "decision-making|citizen voice|deliberation|local democracy",
        "participate deliberate decide propose",
        "Partisipasi Masyarakat dalam Perencanaan Pembangunan Desa",
        "Community Participation in Village Development Planning",
    ),
    _t(
        "bank_sampah",
        "olah:v pilah:v daur:n sampah:n kumpul:v:kan kurang:v:i bersih:a limbah:n tabung:v",
        "bank sampah|pengelolaan sampah|daur ulang|sampah plastik|nasabah bank sampah|"
        "pupuk kompos|ekonomi sirkular|lingkungan bersih|limbah rumah tangga",
        "waste banks|waste management|recycling|plastic waste|household waste|"
        "circular economy|composting|waste bank customers",
        "sort recycle collect reduce",
        "Pengelolaan Sampah Berbasis Bank Sampah",
        "Waste Banks and Household Waste Management",
    ),
    _t(
        "koperasi",
        "simpan:v pinjam:v:kan anggota:nb koperasi:nb kredit:n modal:v:i setor:v:kan kumpul:v:kan",
        "koperasi simpan pinjam|anggota koperasi|lembaga keuangan mikro|dana bergulir|"
        "gotong royong|koperasi unit desa|rapat anggota tahunan|modal bersama",
        "savings and loan cooperatives|cooperative members|microfinance institutions|"
        "revolving funds|mutual help|member savings|credit groups",
        "lend save repay cooperate",
        "Koperasi dan Lembaga Keuangan Mikro di Perdesaan",
        "Cooperatives and Microfinance in Rural Areas",
    ),
    _t(
        "csr",
        "mitra:nb sinergi:nb bantu:v biaya:v:i tanggung:v kolaborasi:nb sepakat:v:i program:n "
        "dukung:v",
        "tanggung jawab sosial perusahaan|CSR|kemitraan|program kemitraan|dunia usaha|"
        "perusahaan tambang|perusahaan perkebunan|kolaborasi pentahelix|nota kesepahaman",
        "corporate social responsibility|CSR programmes|partnerships|private sector|"
        "mining companies|plantation companies|multi-stakeholder collaboration",
        "partner fund sponsor collaborate",
        "Kemitraan Perusahaan dan Pemerintah Daerah dalam Program CSR",
        "Company-Government Partnerships in CSR Programmes",
    ),
    _t(
        "digital",
        "aplikasi:n informasi:n akses:n guna:v:kan kembang:v:kan layan:v:i digital:n "
        "internet:n data:n",
        "desa digital|sistem informasi desa|pelayanan publik|aplikasi daring|literasi "
        "digital|akses internet|media sosial|transformasi digital|e-government",
        "digital villages|village information systems|public services|online "
        "applications|digital literacy|internet access|social media|e-government",
        "digitise connect access adopt",
        "Transformasi Digital Pelayanan Desa",
        "Digital Transformation of Village Services",
    ),
)

# Words of every abstract in the field, whatever its theme.
GENERIC_ID_ROOTS: tuple[tuple[str, str], ...] = (
    ("berdaya", "v:kan"),
    ("bangun", "v"),
    ("sejahtera", "a"),
    ("lanjut", "a"),
    ("teliti", "v"),
    ("analisis", "v"),
    ("telaah", "v"),
    ("program", "n"),
    ("kebijakan", "n"),
    ("masyarakat", "n"),
    ("ubah", "v"),
    ("tingkat", "v:kan"),
    ("laksana", "v:kan"),
    ("peran", "nb"),
)
GENERIC_ID_PHRASES: tuple[str, ...] = (
    "pemberdayaan masyarakat",
    "pembangunan desa",
    "pemerintah daerah",
    "pemerintah desa",
    "masyarakat desa",
    "kesejahteraan masyarakat",
    "program pemberdayaan",
    "kebijakan publik",
    "kerja sama",
    "modal sosial",
    "kemandirian desa",
    "pembangunan berkelanjutan",
)
GENERIC_EN_TERMS: tuple[str, ...] = (
    "community empowerment",
    "rural development",
    "local government",
    "village government",
    "community welfare",
    "empowerment programmes",
    "public policy",
    "social capital",
    "sustainable development",
    "local communities",
    "stakeholders",
)
GENERIC_EN_VERBS: tuple[str, ...] = ("empower", "develop", "strengthen", "improve", "implement")

ACTORS_ID: tuple[str, ...] = (
    "pemerintah daerah",
    "pemerintah desa",
    "dinas pemberdayaan masyarakat dan desa",
    "lembaga swadaya masyarakat",
    "perguruan tinggi",
    "mahasiswa KKN",
    "pihak swasta",
    "tokoh masyarakat",
    "tokoh agama",
    "karang taruna",
    "kelompok tani",
    "BUMDes",
    "pendamping desa",
    "Bappeda",
    "camat",
)
ACTORS_EN: tuple[str, ...] = (
    "the regency government",
    "the village government",
    "local NGOs",
    "universities",
    "students",
    "private companies",
    "community leaders",
    "religious leaders",
    "youth groups",
    "farmer groups",
    "village facilitators",
    "the planning agency",
)
METHODS_ID: tuple[str, ...] = (
    "metode kualitatif deskriptif",
    "pendekatan studi kasus",
    "metode kuantitatif",
    "metode campuran",
    "participatory action research",
    "analisis SWOT",
    "regresi linier berganda",
    "analisis jalur",
)
DATA_ID: tuple[str, ...] = (
    "wawancara mendalam",
    "observasi partisipatif",
    "diskusi kelompok terarah",
    "kuesioner",
    "studi dokumentasi",
    "survei rumah tangga",
)
METHODS_EN: tuple[str, ...] = (
    "a qualitative descriptive method",
    "a case study approach",
    "a quantitative survey",
    "mixed methods",
    "participatory action research",
    "a SWOT analysis",
    "multiple linear regression",
    "structural equation modelling",
)
DATA_EN: tuple[str, ...] = (
    "in-depth interviews",
    "participant observation",
    "focus group discussions",
    "questionnaires",
    "document analysis",
    "household surveys",
)
PROVINCES: tuple[str, ...] = (
    "Sumatera Selatan",
    "Sumatera Barat",
    "Jawa Barat",
    "Jawa Tengah",
    "Jawa Timur",
    "Bali",
    "Nusa Tenggara Barat",
    "Nusa Tenggara Timur",
    "Kalimantan Barat",
    "Kalimantan Timur",
    "Sulawesi Selatan",
    "Sulawesi Tengah",
    "Maluku",
    "Papua",
    "Lampung",
    "Riau",
    "Aceh",
    "Yogyakarta",
)
ID_ADJ: tuple[str, ...] = (
    "efektif",
    "optimal",
    "signifikan",
    "berkelanjutan",
    "partisipatif",
    "inklusif",
    "terbatas",
    "rendah",
    "tinggi",
    "positif",
)
EN_ADJ: tuple[str, ...] = (
    "effective",
    "limited",
    "significant",
    "sustainable",
    "participatory",
    "inclusive",
    "weak",
    "strong",
    "positive",
    "uneven",
)

# Sentence frames. Slots: {np} {np2} {np3} noun phrases of the sentence's theme (or generic),
# {verb} an active verb form, {pverb} a passive one, {actor}, {place}, {method}, {data}, {adj},
# {n} a number, {rare} a rare word, {year}.
ID_FRAMES: tuple[str, ...] = (
    "Penelitian ini bertujuan untuk {verb} {np} di {place}.",
    "Artikel ini mengkaji {np} dan {np2} pada {actor} di {place}.",
    "{Np} {pverb} oleh {actor} melalui {np2} yang {adj}.",
    "Metode yang digunakan adalah {method} dengan teknik {data}.",
    "Data dikumpulkan melalui {data} terhadap {n} informan dan dianalisis secara {adj}.",
    "Hasil penelitian menunjukkan bahwa {np} {verb} {np2} secara {adj}.",
    "Temuan ini memperlihatkan bahwa {actor} berperan sebagai {np} dalam {np2}.",
    "Namun, {np} masih {adj} karena {np2} belum {pverb} dengan baik.",
    "Faktor pendukung {np} adalah {np2}, sedangkan faktor penghambatnya adalah {np3}.",
    "Program {rare} {pverb} sejak tahun {year} untuk {verb} {np}.",
    "Kajian ini merekomendasikan agar {actor} {verb} {np} dan {np2}.",
    "Sebanyak {n} rumah tangga di Desa {place_name} terlibat dalam {np}.",
    "{Np} berpengaruh {adj} terhadap {np2} dan {np3}.",
    "Selain itu, {np} juga {pverb} bersama {actor}.",
)
EN_FRAMES: tuple[str, ...] = (
    "This study aims to {verb} {np} in {place}.",
    "This article examines {np} and {np2} among {actor} in {place}.",
    "{Np} was {pverb} by {actor} through {np2}.",
    "The study used {method} with {data}.",
    "Data were collected through {data} with {n} informants and analysed {adv}.",
    "The results show that {np} {verbs} {np2} in {adj} ways.",
    "The findings indicate that {actor} act as {np} in {np2}.",
    "However, {np} remains {adj} because {np2} has not been {pverb} well.",
    "Supporting factors include {np} and {np2}, while {np3} is the main obstacle.",
    "The {rare} programme has been {pverb} since {year} to {verb} {np}.",
    "We recommend that {actor} {verb} {np} and {np2}.",
    "A total of {n} households in {place_name} village took part in {np}.",
    "{Np} had a {adj} effect on {np2} and {np3}.",
    "In addition, {np} is {pverb} together with {actor}.",
)
EN_ADV: tuple[str, ...] = ("descriptively", "thematically", "statistically", "qualitatively")

ID_TITLE_FRAMES: tuple[str, ...] = (
    "{head} di {place}",
    "{head}: Studi Kasus {place}",
    "Peran {actor} dalam {np}",
    "{Np} dan {np2} di {place}",
    "Strategi {np} melalui {np2}",
    "Analisis {np} pada Masyarakat {place_name}",
)
EN_TITLE_FRAMES: tuple[str, ...] = (
    "{head} in {place}",
    "{head}: A Case Study of {place}",
    "The Role of {actor} in {np}",
    "{Np} and {np2} in {place}",
    "Strategies for {np} through {np2}",
)

# ~30 journals (all names made up), with their share of English abstracts and a favourite theme.
JOURNAL_NAMES: tuple[str, ...] = (
    "Jurnal Pemberdayaan Masyarakat Nusantara",
    "Jurnal Pengabdian Desa Lestari",
    "Jurnal Ilmu Pemerintahan Swatantra",
    "Jurnal Ekonomi Kerakyatan",
    "Jurnal Kebijakan dan Pembangunan Daerah",
    "Jurnal Studi Pedesaan Mandiri",
    "Jurnal Administrasi Publik Cendekia",
    "Jurnal Sosial Humaniora Madani",
    "Jurnal Pengembangan Komunitas",
    "Jurnal Ilmu Sosial Bhakti",
    "Jurnal Agribisnis dan Pedesaan",
    "Jurnal Ekonomi Syariah Amanah",
    "Jurnal Lingkungan dan Kehutanan Rakyat",
    "Jurnal Kelautan dan Masyarakat Pesisir",
    "Jurnal Pariwisata Nusa",
    "Jurnal Kesehatan Masyarakat Sehati",
    "Jurnal Pendidikan Luar Sekolah Pelita",
    "Jurnal Gender dan Keluarga",
    "Jurnal Tata Kelola Desa",
    "Jurnal Manajemen UMKM",
    "Jurnal Teknologi dan Desa Digital",
    "Jurnal Koperasi dan Keuangan Mikro",
    "Journal of Community Empowerment Studies",
    "Journal of Rural Governance",
    "Indonesian Journal of Social Development",
    "Journal of Village Economics",
    "Asian Journal of Participatory Development",
    "Journal of Coastal and Island Societies",
    "Journal of Islamic Philanthropy",
    "Journal of Sustainable Communities",
)


@dataclass(frozen=True)
class Journal:
    name: str
    slug: str
    english: float  # share of its articles with an English abstract only
    favourite: int  # index in THEMES it publishes most on


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


JOURNALS: tuple[Journal, ...] = tuple(
    Journal(
        name,
        _slug(name),
        0.6 if name.startswith(("Journal", "Indonesian", "Asian")) else 0.1,
        i % len(THEMES),
    )
    for i, name in enumerate(JOURNAL_NAMES)
)
# Journal sizes follow a Zipf-like law (rank^-0.8): a few large journals, a long tail of small.
_JOURNAL_WEIGHTS = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(JOURNALS))))
# Themes likewise: the first themes of the list are the most written about.
_THEME_WEIGHTS = list(accumulate(1 / (rank + 1) ** 0.5 for rank in range(len(THEMES))))
YEARS = tuple(range(2008, 2026))
_YEAR_WEIGHTS = list(accumulate(1.0 + 0.25 * i for i in range(len(YEARS))))  # a growing field

# -- made-up names: the long tail -------------------------------------------------------------

SYLLABLES: tuple[str, ...] = tuple(
    "ba be bi bu da di du ga gi gu ja ju ka ki ku la li lu ma mi mu na ni nu pa pi "
    "pu ra ri ru sa si su ta ti tu wa wi ya ngan jang rang sih mat ron gan lak".split()
)
GIVEN_NAMES: tuple[str, ...] = tuple(
    "Ayu Budi Citra Dewi Eko Fajar Gita Hadi Indah Joko Kartika Lestari Made Nurul Putu Rahmat "
    "Sari Taufik Wahyu Yuliani Andi Bayu Dian Fitri Hendra Intan Rina Siti Agus Ratna".split()
)
# The tail: a made-up word of rank k is drawn with probability ~ (k + shift)^-1.9 (Zipf-Mandelbrot).
# The shift keeps the head of the tail flat (no single made-up word in every document); the
# exponent makes n draws hold about n^0.55 distinct words, Heaps' law with a realistic beta: with
# about 25 draws per document, ~8,000 distinct at 1,000 documents, ~28,000 at 10,000 and ~95,000
# at 100,000 (simulated; `python -m bench synthetic` prints the growth of the whole vocabulary).
TAIL_EXPONENT = 1.9
RARE_SHIFT = 800
PLACE_SHIFT = 60  # places recur more: a few villages are studied again and again
_TAIL_LIMIT = 5_000_000


def pseudo_word(k: int, salt: int = 0) -> str:
    """The k-th made-up root (k >= 0), unique per (k, salt): syllables of k in mixed radix.

    Consecutive k differ in their first syllable, so the made-up words of nearby ranks do not
    share prefixes the stemmer could latch onto; ``salt`` rotates the syllables, giving places,
    people and rare words vocabularies of their own.
    """
    n = len(SYLLABLES)
    length, start = 2, 0
    while k >= start + n**length:
        start += n**length
        length += 1
    offset = k - start
    digits = []
    for position in range(length):
        digits.append(SYLLABLES[(offset + position * 7 + salt) % n])
        offset //= n
    return "".join(digits)


def _tail_rank(rng: random.Random, shift: int, exponent: float = TAIL_EXPONENT) -> int:
    """A rank >= 0 with P(rank = k) roughly proportional to (k + shift)^-exponent.

    Inverse transform of the continuous Pareto tail: cheap, and unbounded but for a cap far above
    any corpus we generate.
    """
    u = 1.0 - rng.random()  # (0, 1]
    return min(int(shift * (u ** (-1.0 / (exponent - 1.0)) - 1.0)), _TAIL_LIMIT)


def place_name(rng: random.Random) -> str:
    return pseudo_word(_tail_rank(rng, PLACE_SHIFT)).capitalize()


def rare_word(rng: random.Random) -> str:
    """A rare made-up Indonesian-looking word: a pseudo-root, often with real affixes, or an
    upper-case programme acronym (kept whole by the text stage as a name would be)."""
    k = _tail_rank(rng, RARE_SHIFT)
    root = pseudo_word(k, salt=11)
    form = k % 6
    if form == 1:
        return men(root, "kan")
    if form == 2:
        return pen_an(root)
    if form == 3:
        return ber(root)
    if form == 4:
        return root.upper()[:6]
    return root


def person(rng: random.Random) -> str:
    return f"{rng.choice(GIVEN_NAMES)} {pseudo_word(_tail_rank(rng, 200), salt=23).capitalize()}"


# -- sentences ----------------------------------------------------------------------------------


def _pick(rng: random.Random, items: Sequence[str]) -> str:
    """Zipf-weighted choice within a word list: the first items are the theme's common words."""
    i = min(int(len(items) * rng.random() ** 1.8), len(items) - 1)
    return items[i]


def _id_root_forms(theme: Theme | None) -> list[tuple[str, str]]:
    return list(theme.id_roots if theme else GENERIC_ID_ROOTS)


def _id_np(rng: random.Random, theme: Theme | None) -> str:
    """An Indonesian noun phrase: a theme phrase, or a derived noun with a modifier."""
    phrases = theme.id_phrases if theme else GENERIC_ID_PHRASES
    if rng.random() < 0.55:
        return _pick(rng, phrases)
    root, kind = rng.choice(_id_root_forms(theme))
    forms = _id_forms(root, kind)
    if kind.startswith("v"):
        head = forms[2]  # peN-an
    elif kind == "a":
        head = forms[1]  # ke-an
    elif kind == "p":
        head = forms[3]
    else:
        head = forms[rng.randrange(len(forms))]
    tail = _pick(rng, phrases).split()[-1] if rng.random() < 0.6 else "masyarakat"
    return f"{head} {tail}"


def _id_verb(rng: random.Random, theme: Theme | None, passive: bool) -> str:
    verbs = [(r, k) for r, k in _id_root_forms(theme) if k.startswith("v") or k in "ap"]
    if not verbs:
        verbs = [(r, k) for r, k in GENERIC_ID_ROOTS if k.startswith("v")]
    root, kind = rng.choice(verbs)
    if kind.startswith("v"):
        suffix = kind[2:]
        return di(root, suffix) if passive else men(root, suffix)
    if kind == "p":
        return "diper" + root if passive else memper(root)
    return di(root, "kan") if passive else men(root, "kan")


def _en_forms(verb: str) -> dict[str, str]:
    """-s, -ed, -ing of a regular English verb (the verbs above are chosen to be regular)."""
    if verb.endswith("e"):
        stem = verb[:-1]
        return {"base": verb, "s": verb + "s", "ed": verb + "d", "ing": stem + "ing"}
    if verb.endswith("y") and verb[-2:-1] not in VOWELS:
        stem = verb[:-1]
        return {"base": verb, "s": stem + "ies", "ed": stem + "ied", "ing": verb + "ing"}
    if verb.endswith(("s", "sh", "ch", "x")):
        return {"base": verb, "s": verb + "es", "ed": verb + "ed", "ing": verb + "ing"}
    return {"base": verb, "s": verb + "s", "ed": verb + "ed", "ing": verb + "ing"}


def _en_np(rng: random.Random, theme: Theme | None) -> str:
    terms = theme.en_terms if theme else GENERIC_EN_TERMS
    if rng.random() < 0.25:
        verbs = theme.en_verbs if theme else GENERIC_EN_VERBS
        return f"{_en_forms(rng.choice(verbs))['ing']} {_pick(rng, terms)}"
    return _pick(rng, terms)


def _en_verb(rng: random.Random, theme: Theme | None, form: str) -> str:
    verbs = (theme.en_verbs if theme else ()) + GENERIC_EN_VERBS
    return _en_forms(rng.choice(verbs))[form]


def _place(rng: random.Random, language: str) -> str:
    roll = rng.random()
    name = place_name(rng)
    if language == "id":
        if roll < 0.5:
            return f"Desa {name}"
        if roll < 0.8:
            return f"Kabupaten {name}"
        return f"Provinsi {rng.choice(PROVINCES)}"
    if roll < 0.5:
        return f"{name} Village"
    if roll < 0.8:
        return f"{name} Regency"
    return f"{rng.choice(PROVINCES)} Province"


def _fill(rng: random.Random, frame: str, language: str, theme: Theme | None) -> str:
    """One sentence: the frame's slots filled in ``language`` from ``theme``'s vocabulary."""
    if language == "id":
        np_ = lambda: _id_np(rng, theme)  # noqa: E731
        values = {
            "verb": lambda: _id_verb(rng, theme, passive=False),
            "pverb": lambda: _id_verb(rng, theme, passive=True),
            "actor": lambda: rng.choice(ACTORS_ID),
            "method": lambda: rng.choice(METHODS_ID),
            "data": lambda: rng.choice(DATA_ID),
            "adj": lambda: rng.choice(ID_ADJ),
        }
    else:
        np_ = lambda: _en_np(rng, theme)  # noqa: E731
        values = {
            "verb": lambda: _en_verb(rng, theme, "base"),
            "verbs": lambda: _en_verb(rng, theme, "s"),
            "pverb": lambda: _en_verb(rng, theme, "ed"),
            "actor": lambda: rng.choice(ACTORS_EN),
            "method": lambda: rng.choice(METHODS_EN),
            "data": lambda: rng.choice(DATA_EN),
            "adj": lambda: rng.choice(EN_ADJ),
            "adv": lambda: rng.choice(EN_ADV),
        }
    values |= {
        "np": np_,
        "np2": np_,
        "np3": np_,
        "Np": lambda: _capital(np_()),
        "place": lambda: _place(rng, language),
        "place_name": lambda: place_name(rng),
        "rare": lambda: rare_word(rng),
        "n": lambda: str(rng.randint(12, 480)),
        "year": lambda: str(rng.choice(YEARS)),
        "head": lambda: (
            theme.id_title if theme and language == "id" else (theme.en_title if theme else np_())
        ),
    }
    sentence = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)](), frame)
    # Rare words inside the sentence (local names, terms of one paper): one or two a sentence,
    # about one token in ten, as hapax-rich real abstracts have.
    words = sentence.split(" ")
    for _ in range(1 + (rng.random() < 0.5)):
        words.insert(rng.randrange(1, len(words)), rare_word(rng))
    return " ".join(words)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def abstract(rng: random.Random, language: str, themes: Sequence[Theme]) -> str:
    """120-250 words in ``language``, sentences drawn from the document's themes (the first one
    most), with a generic sentence now and then."""
    frames = ID_FRAMES if language == "id" else EN_FRAMES
    target = rng.randint(120, 250)
    sentences: list[str] = []
    words = 0
    while words < target:
        roll = rng.random()
        theme: Theme | None
        if roll < 0.15:
            theme = None
        elif roll < 0.65 or len(themes) == 1:
            theme = themes[0]
        else:
            theme = rng.choice(themes[1:])
        sentence = _fill(rng, rng.choice(frames), language, theme)
        sentences.append(sentence)
        words += sentence.count(" ") + 1
    return " ".join(sentences)


def title(rng: random.Random, language: str, themes: Sequence[Theme]) -> str:
    frames = ID_TITLE_FRAMES if language == "id" else EN_TITLE_FRAMES
    text = _fill(rng, rng.choice(frames), language, themes[0])
    return " ".join(w if w.isupper() else _capital(w) for w in text.rstrip(".").split(" "))


def keywords(rng: random.Random, language: str, themes: Sequence[Theme]) -> tuple[str, ...]:
    pool: list[str] = []
    for theme in themes:
        pool += list(theme.id_phrases if language == "id" else theme.en_terms)[:5]
    count = rng.randint(3, 5)
    chosen = rng.sample(pool, min(count, len(pool)))
    return tuple(dict.fromkeys(chosen))


# -- documents --------------------------------------------------------------------------------

ABSTRACT_MODES = ("id", "en", "id+en", "one-field")
# Shares of documents per abstract mode (before the journal's own English share is applied).
_MODE_WEIGHTS = list(accumulate((0.45, 0.15, 0.25, 0.15)))


def synthetic_document(index: int, seed: int = 0) -> Document:
    """Document number ``index`` of the corpus of ``seed``: the same arguments, the same
    document, whatever else was generated before it."""
    rng = random.Random(f"berdaya-synthetic:{seed}:{index}")
    journal = rng.choices(JOURNALS, cum_weights=_JOURNAL_WEIGHTS)[0]
    first = (
        THEMES[journal.favourite]
        if rng.random() < 0.5
        else rng.choices(THEMES, cum_weights=_THEME_WEIGHTS)[0]
    )
    others = [t for t in rng.sample(THEMES, 3) if t is not first][: rng.randint(0, 2)]
    themes = [first, *others]
    year = rng.choices(YEARS, cum_weights=_YEAR_WEIGHTS)[0]
    mode = rng.choices(ABSTRACT_MODES, cum_weights=_MODE_WEIGHTS)[0]
    if mode == "id" and rng.random() < journal.english:
        mode = "en"
    language = "en" if mode == "en" else "id"
    if mode == "id":
        abstracts = {"id": abstract(rng, "id", themes)}
    elif mode == "en":
        abstracts = {"en": abstract(rng, "en", themes)}
    elif mode == "id+en":
        abstracts = {"id": abstract(rng, "id", themes), "en": abstract(rng, "en", themes)}
    else:
        indonesian, english = abstract(rng, "id", themes), abstract(rng, "en", themes)
        id_keys = "; ".join(keywords(rng, "id", themes))
        en_keys = "; ".join(keywords(rng, "en", themes))
        abstracts = {
            "und": f"ABSTRAK\n{indonesian}\nKata kunci: {id_keys}\n\n"
            f"ABSTRACT\n{english}\nKeywords: {en_keys}"
        }
    number = f"{year}.{index}"
    return Document(
        source=f"synthetic:{journal.slug}",
        identifier=f"{journal.slug}/{number}",
        title=title(rng, language, themes),
        abstracts=abstracts,
        authors=tuple(person(rng) for _ in range(rng.randint(1, 4))),
        year=year,
        venue=journal.name,
        doi=f"10.5555/{journal.slug}.{number}" if rng.random() < 0.6 else "",
        keywords=keywords(rng, language, themes),
        language=language,
        extra={"synthetic_themes": [t.key for t in themes], "abstract_mode": mode},
    )


def synthetic_documents(n: int, seed: int = 0, start: int = 0) -> Iterator[Document]:
    """Documents ``start`` .. ``start + n - 1`` of the corpus of ``seed``, one at a time."""
    for index in range(start, start + n):
        yield synthetic_document(index, seed)


# -- a look at the generator ------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)


def vocabulary_growth(sizes: Sequence[int], seed: int = 0) -> list[tuple[int, int, int, float]]:
    """(documents, words, distinct words, seconds) at each size, one pass over the largest."""
    wanted = sorted(set(sizes))
    out = []
    seen: set[str] = set()
    words = 0
    started = time.perf_counter()
    for count, doc in enumerate(synthetic_documents(wanted[-1], seed), start=1):
        found = _WORD.findall(f"{doc.title} {' '.join(doc.abstracts.values())}".lower())
        words += len(found)
        seen.update(found)
        if count in wanted:
            out.append((count, words, len(seen), time.perf_counter() - started))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench synthetic", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=1, help="documents to print")
    args = parser.parse_args(argv if argv is not None else [])
    for doc in synthetic_documents(args.show, args.seed):
        print(f"[{doc.venue}, {doc.year}] {doc.title}")
        for lang, text in doc.abstracts.items():
            print(f"  {lang}: {text[:400]}...")
        print(f"  keywords: {'; '.join(doc.keywords)}")
    print("\ndocuments      words   distinct   docs/s   (distinct-word growth = Heaps' law)")
    previous = None
    for n, words, distinct, seconds in vocabulary_growth(
        [int(s) for s in args.sizes.split(",")], args.seed
    ):
        growth = f"  x{distinct / previous:.2f}" if previous else ""
        print(f"{n:9,} {words:10,} {distinct:10,} {n / seconds:8,.0f}{growth}")
        previous = distinct
    return 0
