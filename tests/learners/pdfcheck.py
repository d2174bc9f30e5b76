"""Reading a transcript PDF back: its text layer (pdftotext, which honours ActualText as
viewers do) and its QR image (pdfimages), compared module by module with the QR of a URL."""

import subprocess
import tempfile
from pathlib import Path

import segno


def pdftotext(data: bytes) -> str:
    """The PDF's text with whitespace runs collapsed (nothing else is forgiven)."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, check=True, capture_output=True
    ).stdout.decode()
    return " ".join(out.split())


def qr_matrix_from_pdf(data: bytes) -> list[list[int]]:
    """The one image embedded in the PDF (the QR, one pixel per module) as rows of 0/1."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        (folder / "doc.pdf").write_bytes(data)
        subprocess.run(["pdfimages", "-png", str(folder / "doc.pdf"), str(folder / "img")],
                       check=True)  # fmt: skip
        images = sorted(folder.glob("img-*.png"))
        assert len(images) == 1, images
        image = Image.open(images[0]).convert("L")
        width, height = image.size
        assert width == height
        pixels = image.load()
        return [[1 if pixels[x, y] < 128 else 0 for x in range(width)] for y in range(height)]


def qr_matrix_of(url: str, *, border: int = 4) -> list[list[int]]:
    """What ``learners.services.transcripts`` draws for ``url`` (error level M)."""
    qr = segno.make(url, error="m")
    size = qr.symbol_size(scale=1, border=border)[0]
    rows = [[0] * size for _ in range(size)]
    for y, row in enumerate(qr.matrix):
        for x, dark in enumerate(row):
            rows[y + border][x + border] = 1 if dark else 0
    return rows
