"""The bytes a live chart sends (views/common/live_charts.js reads them). Pure: no Streamlit.

``MAGIC``, the length of a JSON header, the header, then the arrays of the live runs (8-byte aligned) that the
header points into. Each knob's runs for one chart are laid out once, when they are computed (``pack``,
views/common/compute.py caches the result); a rerun only copies those bytes after the header and shifts their
offsets (``encode``). ``decode`` reads a payload back (tests, the load generator).

Step numbers and offsets travel as small integers. Coordinates and curve values may travel quantized (``Q16``):
16-bit steps between the array's smallest and largest value (of its log10 on a log axis), 1/65534 of its range
apart, which is far below a pixel; the browser turns them back into floats once, when the payload arrives. They
are only drawn while a slider is dragged: its release draws the page's own full-precision figure.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import orjson

MAGIC = b"RMSPLIVE"
_DTYPES = {np.dtype(np.float32): "f4", np.dtype(np.uint16): "u2", np.dtype(np.uint32): "u4", np.dtype(np.int32): "i4"}
_TYPES = {v: k for k, v in _DTYPES.items()}
#: A quantized float array: uint16 codes, value = lo + code * step (10 ** that with ``log``), code 65535 = NaN.
Q16, _GAP, _LEVELS = "q2", 65535, 65534
Scale = Literal["linear", "log"]


@dataclass(frozen=True)
class Packed:
    """One knob's runs for one chart as the payload carries them: where each array lies in ``data`` (offsets
    from its start) and the bytes, each array 8-byte aligned."""

    series: dict[str, dict[str, dict[str, Any]]]
    data: bytes


def pack(part: dict[str, Any], scale: Scale | None = None) -> dict[str, Any]:
    """``part`` (``{"series": {uid: {name: array}}, "marks": ...}``, one knob's runs for one chart) laid out in one
    buffer: ``{"packed": Packed, "marks": ...}`` (the arrays themselves are not kept: a cache of packed runs holds
    each one's bytes once; ``series_of`` reads them back). With ``scale``, float arrays travel quantized on that
    scale (``Q16``: the chart's axis type; "log": values <= 0 are gaps); without, as float32. An array equal to one
    already laid out (e.g. the steps of a chart's x and y lines) is laid out once and referred to twice."""
    parts: list[bytes] = []
    size = 0
    seen: dict[tuple, int] = {}
    refs: dict[str, dict[str, dict[str, Any]]] = {}
    for uid, arrays in part.get("series", {}).items():
        refs[uid] = {}
        for name, array in arrays.items():
            array = np.ascontiguousarray(array)
            if scale is not None and array.dtype.kind == "f":
                codes, ref = _quantize(array, scale == "log")
                data = codes.tobytes()
            else:
                ref, data = {"dtype": _DTYPES[array.dtype]}, array.tobytes()
            key = (data, *sorted(ref.items()))
            offset = seen.get(key)
            if offset is None:
                offset = seen[key] = size
                parts.append(data + b"\0" * (-len(data) % 8))
                size += len(parts[-1])
            refs[uid][name] = ref | {"offset": offset, "length": int(array.size)}
    return {"packed": Packed(refs, b"".join(parts)), "marks": part.get("marks", {})}


def series_of(part: dict[str, Any]) -> dict[str, dict[str, np.ndarray]]:
    """The arrays of a part, packed (as the browser gets them) or not."""
    if "packed" not in part:
        return part["series"]
    packed: Packed = part["packed"]
    return {uid: {name: _view(packed.data, ref) for name, ref in refs.items()} for uid, refs in packed.series.items()}


def _quantize(array: np.ndarray, log: bool) -> tuple[np.ndarray, dict[str, Any]]:
    values = np.asarray(array, dtype=np.float64)
    if log:
        with np.errstate(all="ignore"):
            values = np.where(values > 0, np.log10(values), np.nan)
    finite = np.isfinite(values)
    if values.size and finite.all():  # most arrays: no gap to skip
        lo, hi = float(values.min()), float(values.max())
        step = (hi - lo) / _LEVELS if hi > lo else 1.0
        return np.rint((values - lo) / step).astype(np.uint16), {"dtype": Q16, "lo": lo, "step": step, "log": log}
    codes = np.full(values.shape, _GAP, dtype=np.uint16)
    if not finite.any():
        return codes, {"dtype": Q16, "lo": 0.0, "step": 1.0, "log": log}
    kept = values[finite]
    lo, hi = float(kept.min()), float(kept.max())
    step = (hi - lo) / _LEVELS if hi > lo else 1.0
    codes[finite] = np.rint((kept - lo) / step).astype(np.uint16)
    return codes, {"dtype": Q16, "lo": lo, "step": step, "log": log}


def _view(data: bytes | memoryview, ref: Mapping[str, Any]) -> np.ndarray:
    if ref["dtype"] != Q16:
        return np.frombuffer(data, _TYPES[ref["dtype"]], ref["length"], ref["offset"])
    codes = np.frombuffer(data, np.uint16, ref["length"], ref["offset"])
    values = np.where(codes == _GAP, np.nan, ref["lo"] + codes * ref["step"])  # as live_charts.js: in doubles
    if ref["log"]:
        values = 10.0**values
    return values.astype(np.float32)


def encode(header: dict[str, Any], live: Mapping[str, dict]) -> bytes:
    """The component's payload: ``header`` (JSON) plus the live runs' arrays (``live``: per knob, its runs for
    this chart, packed or not)."""
    blobs: list[bytes] = []
    size = 0
    out: dict[str, Any] = {}
    for knob, part in live.items():
        packed: Packed = part["packed"] if "packed" in part else pack(part)["packed"]
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
