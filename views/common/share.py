"""A QR code of a share link, for projecting: the room scans it instead of typing the address.

Drawn behind a toggle (making the code takes ~10 ms, which a slider move should not pay) and cached per link.
"""

from __future__ import annotations

import functools
import io

import segno
import streamlit as st

#: Error correction "M" (15% of the code may be lost): a projected code survives glare and a shaky phone.
ERROR = "m"


@functools.lru_cache(maxsize=64)
def qr_svg(url: str) -> str:
    """The QR code of ``url`` as an SVG document: black modules on white, with the standard 4-module quiet zone
    (phones read a code on a dark page only with a light border)."""
    buffer = io.BytesIO()
    segno.make(url, error=ERROR, micro=False).save(
        buffer, kind="svg", scale=4, border=4, dark="#000000", light="#FFFFFF", xmldecl=False, svgns=True
    )
    return buffer.getvalue().decode()


def qr_toggle(url: str, key: str, label: str = "QR code, for projecting", width: int | str = "stretch") -> None:
    """A toggle that shows the QR code of ``url`` below it (``width`` in pixels, or the container's)."""
    if st.toggle(label, key=key, help="Students scan it with a phone camera to open this link."):
        st.image(qr_svg(url), width=width, caption="Scan to open this link; its full-screen button enlarges it.")
