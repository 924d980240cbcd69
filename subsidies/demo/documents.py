"""Small generated evidence files for the demo: a one-page PDF and a PNG with a few lines of text.

Both are real files (a PDF reader opens the PDF, its cross-reference table is exact; the PNG is
drawn with Pillow), a few hundred bytes each, so the evidence checks and the inline viewer of the
review page work on them as on an upload. The text is ASCII: the built-in PDF and Pillow fonts have
no Chinese glyphs.
"""

import io

from django.core.files.base import ContentFile


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page A4 PDF showing ``lines`` in Helvetica."""
    shown = " ".join(f"({_pdf_text(line)}) '" for line in lines)
    content = f"BT /F1 12 Tf 56 800 Td 18 TL {shown} ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("ascii")
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode("ascii")
    return bytes(out)


def png_bytes(lines: list[str]) -> bytes:
    """A small scanned-form-like PNG: a frame and ``lines`` of text."""
    from PIL import Image, ImageDraw

    width, height = 520, 48 + 20 * len(lines)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([6, 6, width - 7, height - 7], outline="black", width=2)
    for index, line in enumerate(lines):
        draw.text((20, 20 + 20 * index), line, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_file(name: str, lines: list[str]) -> ContentFile:
    return ContentFile(pdf_bytes(lines), name=name)


def png_file(name: str, lines: list[str]) -> ContentFile:
    return ContentFile(png_bytes(lines), name=name)
