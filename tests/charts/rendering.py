"""Reading rendered charts back: the PNG header's size, the SVG's text."""

import re
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


def svg_text_sizes(data: bytes) -> list[tuple[str, float]]:
    """(text, font size in the SVG's own units) of every <text>; matplotlib writes the size in its style."""
    root = ET.fromstring(data)  # noqa: S314
    sizes = []
    for node in root.iter(f"{SVG}text"):
        found = re.search(r"font-size:\s*([\d.]+)px", node.get("style", ""))
        assert found, node.get("style")
        sizes.append((" ".join("".join(node.itertext()).split()), float(found.group(1))))
    return sizes


def svg_view_width(data: bytes) -> float:
    """The width of the SVG's viewBox: what its font sizes are measured against."""
    root = ET.fromstring(data)  # noqa: S314
    return float(root.get("viewBox").split()[2])


# A chart's column on a 360 px phone: 336 px measured (tests/e2e/test_chart_labels.py), less a margin.
PHONE_COLUMN_PX = 328
MIN_LABEL_PX = 11


def smallest_label_on_a_phone(data: bytes) -> float:
    """The smallest text of an SVG chart in CSS px when it fills a 360 px phone's column."""
    scale = PHONE_COLUMN_PX / svg_view_width(data)
    return min(size for _, size in svg_text_sizes(data)) * scale
