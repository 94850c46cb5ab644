"""Real PDFs for tests, made on the spot: no binary fixtures in the repository, no mocks.

Each page gets a Helvetica text content stream, so pypdf's extractor sees the same kind of file a
word processor writes, and the tests exercise real parsing (and real decryption when asked).
"""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

_LEADING = 14


def _pdf_string(line: str) -> bytes:
    """A PDF literal string in WinAnsi (cp1252): escape the three specials, octal for non-ASCII."""
    out = bytearray(b"(")
    for byte in line.encode("cp1252", errors="replace"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif 32 <= byte < 127:
            out.append(byte)
        else:
            out += f"\\{byte:03o}".encode()
    return bytes(out + b")")


def _content_stream(text: str) -> bytes:
    ops = [b"BT", b"/F1 11 Tf", f"{_LEADING} TL".encode(), b"72 740 Td"]
    for line in text.split("\n"):
        ops.append(_pdf_string(line) + b" Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def make_pdf(
    path: Path,
    pages: list[str],
    title: str | None = None,
    encrypt_password: str | None = None,
) -> Path:
    """Write a PDF with one page per string ("\\n" breaks lines) and return ``path``."""
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    for text in pages:
        page = writer.add_blank_page(width=612, height=792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        stream = DecodedStreamObject()
        stream.set_data(_content_stream(text))
        page.replace_contents(stream)
    if title is not None:
        writer.add_metadata({"/Title": title})
    if encrypt_password is not None:
        # RC4 needs no optional crypto library, so the helper works in any environment.
        writer.encrypt(user_password=encrypt_password, algorithm="RC4-128")
    with Path(path).open("wb") as handle:
        writer.write(handle)
    return Path(path)
