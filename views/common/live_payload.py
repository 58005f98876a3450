"""The bytes a live chart sends (views/common/live_charts.js reads them). Pure: no Streamlit.

``MAGIC``, the length of a JSON header, the header, then the arrays of the live runs (float32 and small
integers, 8-byte aligned) that the header points into. Each knob's runs for one chart are laid out once, when
they are computed (``pack``, views/common/compute.py caches the result); a rerun only copies those bytes after
the header and shifts their offsets (``encode``). ``decode`` reads a payload back (tests, the load generator).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

MAGIC = b"RMSPLIVE"
_DTYPES = {np.dtype(np.float32): "f4", np.dtype(np.uint16): "u2", np.dtype(np.uint32): "u4", np.dtype(np.int32): "i4"}
_TYPES = {v: k for k, v in _DTYPES.items()}


@dataclass(frozen=True)
class Packed:
    """One knob's runs for one chart as the payload carries them: where each array lies in ``data`` (offsets
    from its start) and the bytes, each array 8-byte aligned."""

    series: dict[str, dict[str, dict[str, Any]]]
    data: bytes


def pack(part: dict[str, Any]) -> dict[str, Any]:
    """``part`` (``{"series": {uid: {name: array}}, "marks": ...}``, one knob's runs for one chart) with its
    arrays laid out in one buffer, under ``"packed"``; the arrays become read-only views of that buffer, so the
    cached runs hold their bytes once. An array equal to one already laid out (e.g. the steps of a chart's x
    and y lines) is laid out once and referred to twice."""
    parts: list[bytes] = []
    size = 0
    seen: dict[tuple[str, bytes], int] = {}
    refs: dict[str, dict[str, dict[str, Any]]] = {}
    for uid, arrays in part["series"].items():
        refs[uid] = {}
        for name, array in arrays.items():
            array = np.ascontiguousarray(array)
            dtype, data = _DTYPES[array.dtype], array.tobytes()
            offset = seen.get((dtype, data))
            if offset is None:
                offset = seen[dtype, data] = size
                parts.append(data + b"\0" * (-len(data) % 8))
                size += len(parts[-1])
            refs[uid][name] = {"dtype": dtype, "offset": offset, "length": int(array.size)}
    packed = Packed(refs, b"".join(parts))
    series = {uid: {name: _view(packed.data, ref) for name, ref in arrays.items()} for uid, arrays in refs.items()}
    return {**part, "series": series, "packed": packed}


def _view(data: bytes | memoryview, ref: Mapping[str, Any]) -> np.ndarray:
    return np.frombuffer(data, _TYPES[ref["dtype"]], ref["length"], ref["offset"])


def encode(header: dict[str, Any], live: Mapping[str, dict]) -> bytes:
    """The component's payload: ``header`` (JSON) plus the live runs' arrays (``live``: per knob, its runs for
    this chart, packed or not)."""
    blobs: list[bytes] = []
    size = 0
    out: dict[str, Any] = {}
    for knob, part in live.items():
        packed: Packed = (part.get("packed") or pack(part)["packed"]) if part.get("series") else Packed({}, b"")
        series = {
            uid: {name: {**ref, "offset": ref["offset"] + size} for name, ref in arrays.items()}
            for uid, arrays in packed.series.items()
        }
        out[knob] = {"series": series, "marks": part.get("marks", {})}
        blobs.append(packed.data)
        size += len(packed.data)
    text = orjson.dumps(header | {"live": out}, option=orjson.OPT_SERIALIZE_NUMPY)
    text += b" " * (-(len(MAGIC) + 4 + len(text)) % 8)
    return MAGIC + struct.pack("<I", len(text)) + text + b"".join(blobs)


def decode(payload: bytes) -> dict[str, Any]:
    """The header of a payload, with the live runs' arrays as NumPy arrays (the inverse of ``encode``)."""
    if not payload.startswith(MAGIC):
        raise ValueError("not a live-chart payload")
    (length,) = struct.unpack_from("<I", payload, len(MAGIC))
    start = len(MAGIC) + 4
    header = orjson.loads(payload[start : start + length])
    blob = memoryview(payload)[start + length :]
    for chart in header["live"].values():
        for arrays in chart["series"].values():
            for key, ref in arrays.items():
                arrays[key] = _view(blob, ref)
    return header
