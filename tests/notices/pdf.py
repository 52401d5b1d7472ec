"""Reading letters back: PDF to text with poppler's pdftotext, first pages to PNG."""

from __future__ import annotations

import subprocess
from pathlib import Path

MM = 72 / 25.4  # PDF points per millimetre


def pdf_text(data: bytes, tmp_path: Path, *, name: str = "letter", mode="-layout") -> str:
    """The PDF's text; ``mode="-raw"`` reads rotated text (the preview's watermark) whole."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", mode, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_region_text(data: bytes, tmp_path: Path, *, x_mm, y_mm, w_mm, h_mm, page=1) -> str:
    """The text inside a rectangle of a page (e.g. the envelope's window), at 72 dpi."""
    path = tmp_path / "region.pdf"
    path.write_bytes(data)
    args = ["-r", "72", "-x", str(round(x_mm * MM)), "-y", str(round(y_mm * MM))]
    args += ["-W", str(round(w_mm * MM)), "-H", str(round(h_mm * MM))]
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), *args, str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def first_page_png(data: bytes, folder: Path, name: str, *, dpi: int = 60) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(folder / name)],
        check=True,
    )  # fmt: skip
    return folder / f"{name}.png"


def qr_codes(data: bytes, folder: Path) -> list[str]:
    """The text of every QR code a scanner finds on the printed pages (200 dpi)."""
    import zxingcpp
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / "qr-scan.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "200", str(pdf), str(folder / "qr-scan")], check=True)
    found = []
    for png in sorted(folder.glob("qr-scan*.png")):
        with Image.open(png) as image:
            found += zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [code.text for code in found]
