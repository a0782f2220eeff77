"""Reading rendered charts back: the PNG header's size, the SVG's text."""

import struct
import xml.etree.ElementTree as ET

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels from the IHDR chunk, which always comes first."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def svg_texts(data: bytes) -> list[str]:
    """Every <text> in the SVG, whitespace collapsed (the SVG must parse as XML)."""
    root = ET.fromstring(data)  # noqa: S314 (our own rendering, not untrusted input)
    assert root.tag == f"{SVG}svg"
    return [" ".join("".join(node.itertext()).split()) for node in root.iter(f"{SVG}text")]


def svg_has_script(data: bytes) -> bool:
    root = ET.fromstring(data)  # noqa: S314
    return any(node.tag == f"{SVG}script" for node in root.iter()) or b"javascript:" in data
