"""Headings and labels of the report in English and Indonesian.

Both languages are written into the page; a switch at the top shows one (English by default).
Kept as one table so a translator can check every pair side by side.
"""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "title": (
        "The OKU case and the works it cites",
        "Kasus OKU dan karya-karya yang dirujuknya",
    ),
    "language": ("Language", "Bahasa"),
    "summary": ("Summary", "Ringkasan"),
    "the_case": ("The case", "Kasus"),
    "comparison": (
        "The cited works compared with the case",
        "Karya rujukan dibandingkan dengan kasus",
    ),
    "each_work": ("Each cited work", "Setiap karya rujukan"),
    "landscape": ("The case in the wider literature", "Kasus dalam literatur yang lebih luas"),
    "nearest": ("Nearest works the case does not cite", "Karya terdekat yang tidak dirujuk kasus"),
    "why_close": ("Why it is close", "Mengapa dekat"),
    "topics": ("Topics", "Topik"),
    "classifier": (
        "Theme classifier: model card (against hand codings, grouped by journal)",
        "Pengklasifikasi tema: kartu model (terhadap pengodean manual, per jurnal)",
    ),
    "no_card": (
        "Too few hand-coded documents in this corpus to evaluate the classifier.",
        "Terlalu sedikit dokumen berkode manual dalam korpus ini untuk menilai pengklasifikasi.",
    ),
    "methods": ("Methods and limits", "Metode dan keterbatasan"),
    "work": ("Work", "Karya"),
    "year": ("Year", "Tahun"),
    "cosine": ("TF-IDF cosine", "Kosinus TF-IDF"),
    "topic_distance": ("Topic distance", "Jarak topik"),
    "theme_overlap": ("Theme overlap", "Irisan tema"),
    "combined": ("Combined", "Gabungan"),
    "shared_themes": ("Shared themes", "Tema bersama"),
    "lacks": ("Lacks (vs case)", "Tidak ada (dibanding kasus)"),
    "theme": ("Theme", "Tema"),
    "evidence": ("Evidence (indicator terms marked)", "Bukti (istilah indikator ditandai)"),
    "title_only": ("known only by title", "hanya diketahui judulnya"),
    "rank": ("Rank", "Peringkat"),
    "tied": ("tied", "setara"),
    "tied_with": ("Tied with", "Setara dengan"),
    "known_by_title": ("Works known only by their title", "Karya yang hanya diketahui judulnya"),
    "known_by_title_note": (
        "Not ranked with the works above: a title is too short for a topic distance, so these "
        "works are compared on shared words and coded themes only, listed by theme overlap.",
        "Tidak diperingkat bersama karya di atas: judul terlalu pendek untuk jarak topik, jadi "
        "karya-karya ini dibandingkan hanya dari kata dan tema berkode yang sama, diurutkan "
        "menurut irisan tema.",
    ),
    "topic": ("Topic", "Topik"),
    "top_words": ("Top words", "Kata teratas"),
    "share_in_case": ("Share in the case", "Porsi dalam kasus"),
    "documents_coded": ("Documents coded", "Dokumen berkode"),
    "note": ("Note", "Catatan"),
    "setting": ("Setting", "Lokasi"),
    "method": ("Method", "Metode"),
    "actors": ("Actors and roles", "Aktor dan peran"),
    "programme": ("Programme or context", "Program atau konteks"),
    "distance": ("Distance to the case", "Jarak ke kasus"),
    "source": ("Source", "Sumber"),
    "coded_themes": ("Coded themes", "Tema berkode"),
    "actor_roles": (
        "Actor-role pairs (the text's cue, or the registry)",
        "Pasangan aktor-peran (isyarat teks, atau registri)",
    ),
    "registry_note": ("from the study registry", "dari registri studi"),
    "cited_found": (
        "The cited works found in the gathered corpus",
        "Karya rujukan yang ditemukan dalam korpus",
    ),
    "found_as": ("Found as", "Ditemukan sebagai"),
    "confidence": ("Confidence", "Keyakinan"),
    "why": ("Why", "Alasan"),
    "not_found": ("not found in the corpus", "tidak ditemukan dalam korpus"),
    "cited_count": (
        "{found} of the {total} cited works found in the corpus.",
        "{found} dari {total} karya rujukan ditemukan dalam korpus.",
    ),
    "cited_rule": (
        "A cited work counts as found when a document has the same DOI, or a title nearly equal "
        "to its own (similarity 0.96 or more), or a title that agrees well (0.85 or more) with "
        "the same year or first author. A generic title, made of the field's common words, "
        "needs both a near-equal title and the same year or first author. A document is the "
        "match of one cited work at most. For a work not found, the confidence is that of its "
        "best candidate, which the reason names, with why it was rejected.",
        "Sebuah karya rujukan dianggap ditemukan bila ada dokumen dengan DOI yang sama, atau "
        "judul yang hampir sama dengan judulnya (kemiripan 0,96 atau lebih), atau judul yang "
        "cukup mirip (0,85 atau lebih) dengan tahun atau penulis pertama yang sama. Judul yang "
        "umum, yang tersusun dari kata-kata lazim di bidang ini, memerlukan keduanya: judul "
        "yang hampir sama serta tahun atau penulis pertama yang sama. Satu dokumen hanya dapat "
        "menjadi padanan satu karya rujukan. Untuk karya yang tidak ditemukan, nilai keyakinan "
        "adalah milik kandidat terbaiknya, yang disebut dalam alasan beserta sebab ditolaknya.",
    ),
    "since_last": ("Since the last run", "Sejak analisis sebelumnya"),
    "unstable": ("unstable across seeds", "tidak stabil antar-seed"),
    "stability": ("stability", "stabilitas"),
    "share_in_corpus": ("share of the corpus", "porsi dalam korpus"),
    "explorer": ("Interactive topic explorer", "Penjelajah topik interaktif"),
    "explorer_note": (
        "opens offline in any browser; needs JavaScript",
        "terbuka tanpa internet di peramban apa pun; perlu JavaScript",
    ),
}


def pair(key: str) -> tuple[str, str]:
    """(English, Indonesian) for a key; a missing key is a bug, so it fails loudly."""
    return STRINGS[key]
