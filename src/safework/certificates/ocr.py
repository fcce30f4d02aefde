"""OCR of certificate photos (issue 3): rapidocr-onnxruntime (PP-OCRv4 models inside the
wheel, CPU, offline) reads the text lines; a parser turns them into the certificate's
fields, each with a confidence, for the user to correct and confirm.

The parser works on "rows": boxes whose vertical centres are close are joined left to
right, so "姓名" and "张三" read as one row whether the card prints them in one box or
two. Labels are those of the MEM 特种作业操作证 and the SAMR 特种设备作业人员证."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import date

from safework.core.idnumbers import InvalidIdentifier, parse_id_number

from .ledger.items import ItemMatcher, ItemMatchError
from .ledger.values import CellError, parse_date, parse_date_range

FIELDS = (
    "name",
    "sex",
    "id_number",
    "category",
    "item",
    "number",
    "issued_by",
    "first_issued_on",
    "valid_from",
    "valid_until",
    "next_review_due",
)
_LABELS: dict[str, str] = {
    "name": r"姓\s*名",
    "sex": r"性\s*别",
    "id_number": r"(?:公民)?身份证(?:件)?号(?:码)?|证件号码",
    "category": r"作业类别|作业种类",
    "item": r"准操项目|操作项目|作业项目",
    "number": r"证\s*号|证书编号|证件编号|编\s*号",
    "issued_by": r"发证机关|签发机关|发证单位",
    "first_issued_on": r"初领日期|初次领证日期|初领证日期",
    # Before "有效期": regex alternation takes the first that matches.
    "valid_from": r"有效期起|有效期自",
    "valid_until": r"有效期至|有效期止",
    "validity": r"有效期限|有效期",
    "next_review_due": r"应复审日期|复审日期|下次复审日期",
}
_ANY_LABEL = "|".join(f"(?:{p})" for p in _LABELS.values())
_ID_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9X])")
_SEP = re.compile(r"^[\s:：]+")
_lock = threading.Lock()
DETECT_SIDE = 960
_engine = None


@dataclass(frozen=True)
class OcrLine:
    text: str
    confidence: float
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class Field:
    value: object
    confidence: float

    def as_dict(self) -> dict:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        return {"value": value, "confidence": round(self.confidence, 3)}


def engine():
    """One engine per process (loading the models takes about a second). The angle
    classifier is off: photos arrive upright (EXIF orientation applied on intake).
    Detection works on the photo scaled down to at most DETECT_SIDE pixels (a phone
    photo of a card needs no more; the library's default scales it up to 736 on the
    short side). onnxruntime runs on two threads that sleep when idle instead of
    spinning: spinning threads on a shared two-core machine slow everything else down,
    the OCR first."""
    global _engine
    with _lock:
        if _engine is None:
            from rapidocr_onnxruntime import RapidOCR
            from rapidocr_onnxruntime.utils import OrtInferSession

            default = OrtInferSession._init_sess_opts
            OrtInferSession._init_sess_opts = staticmethod(lambda c: _no_spinning(default(c)))
            try:
                _engine = RapidOCR(
                    use_cls=False,
                    intra_op_num_threads=2,
                    inter_op_num_threads=1,
                    det_limit_type="max",
                    det_limit_side_len=DETECT_SIDE,
                )
            finally:
                OrtInferSession._init_sess_opts = staticmethod(default)
    return _engine


def _no_spinning(options):
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


def read_lines(image: bytes) -> list[OcrLine]:
    result, _elapsed = engine()(image)
    lines = []
    for box, text, score in result or []:
        ys = [p[1] for p in box]
        xs = [p[0] for p in box]
        lines.append(
            OcrLine(
                text=unicodedata.normalize("NFKC", text).strip(),
                confidence=float(score),
                x=min(xs),
                y=sum(ys) / len(ys),
                height=max(ys) - min(ys),
            )
        )
    return lines


def rows(lines: list[OcrLine]) -> list[tuple[str, float]]:
    """Lines grouped into rows (text left to right, lowest confidence of the row)."""
    grouped: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda ln: ln.y):
        if grouped and abs(grouped[-1][-1].y - line.y) < 0.5 * max(line.height, 1):
            grouped[-1].append(line)
        else:
            grouped.append([line])
    return [
        (
            " ".join(ln.text for ln in sorted(g, key=lambda ln: ln.x)),
            min(ln.confidence for ln in g),
        )
        for g in grouped
    ]


def parse_fields(lines: list[OcrLine], matcher: ItemMatcher) -> dict[str, Field]:
    found: dict[str, Field] = {}
    for text, confidence in rows(lines):
        for name, value in _labelled(text):
            _take(found, name, value, confidence, matcher)
    _id_anywhere(found, lines)
    return found


def _labelled(text: str) -> list[tuple[str, str]]:
    """(label, value) pairs in one row: "姓名 张三 性别 男" gives two."""
    out = []
    matches = list(re.finditer(_ANY_LABEL, text))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = _SEP.sub("", text[m.end() : end]).strip()
        name = next(n for n, p in _LABELS.items() if re.fullmatch(p, m.group(0)))
        if value:
            out.append((name, value))
    return out


def _take(found: dict, name: str, value: str, confidence: float, matcher: ItemMatcher) -> None:
    parsed = _parse(name, value, matcher)
    for field_name, field_value, factor in parsed:
        current = found.get(field_name)
        if current is None or current.confidence < confidence * factor:
            found[field_name] = Field(field_value, confidence * factor)


def _parse(name: str, value: str, matcher: ItemMatcher) -> list[tuple[str, object, float]]:
    compact = re.sub(r"\s+", "", value)
    try:
        if name == "validity":
            start, end = parse_date_range(compact)
            return [("valid_from", start, 1.0), ("valid_until", end, 1.0)]
        if name in {"first_issued_on", "valid_from", "valid_until", "next_review_due"}:
            return [(name, parse_date(compact), 1.0)]
    except CellError:
        return []
    if name == "id_number":
        return _id_value(compact)
    if name == "item":
        return _item_value(compact, matcher)
    if name == "sex":
        return [(name, compact[:1], 1.0)] if compact[:1] in {"男", "女"} else []
    if name == "number":
        return [(name, compact.upper(), 1.0)]
    return [(name, compact if name != "issued_by" else value.strip(), 1.0)]


def _id_value(text: str) -> list[tuple[str, object, float]]:
    m = _ID_IN_TEXT.search(text.upper())
    if not m:
        return []
    try:
        return [("id_number", parse_id_number(m.group(0)).number, 1.0)]
    except InvalidIdentifier:
        return [("id_number", m.group(0), 0.3)]  # read, but the check digit disagrees


def _item_value(text: str, matcher: ItemMatcher) -> list[tuple[str, object, float]]:
    try:
        return [("item", matcher.match(text).code, 1.0)]
    except ItemMatchError:
        closest = matcher.closest(text, n=1)
        if not closest:
            return []
        code = closest[0].rsplit("(", 1)[1].rstrip(")")
        return [("item", code, 0.4)]


def _id_anywhere(found: dict, lines: list[OcrLine]) -> None:
    """New-style numbers and unlabelled cards: a valid ID number anywhere on the card."""
    if "id_number" in found and found["id_number"].confidence > 0.5:
        return
    for line in lines:
        for name, value, factor in _id_value(re.sub(r"\s+", "", line.text)):
            if factor == 1.0:
                found[name] = Field(value, line.confidence * 0.9)
                return


def recognise(image: bytes, matcher: ItemMatcher) -> dict:
    """What OCR read from one photo: the lines and the fields, as stored on the scan."""
    lines = read_lines(image)
    fields = parse_fields(lines, matcher)
    return {
        "lines": [{"text": ln.text, "confidence": round(ln.confidence, 3)} for ln in lines],
        "fields": {k: v.as_dict() for k, v in fields.items()},
    }


def merge(results: list[dict]) -> dict[str, dict]:
    """Several photos of one certificate (front and back): per field, the most confident."""
    best: dict[str, dict] = {}
    for result in results:
        for name, field in result.get("fields", {}).items():
            if name not in best or field["confidence"] > best[name]["confidence"]:
                best[name] = field
    return best
