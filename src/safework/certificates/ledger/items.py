"""Matching what a ledger calls an operation item to the catalogue: by item code
(MEM-2.1, 2.1, SAMR-N1, N1), official name (熔化焊接与热切割作业), or a common alias
(电焊工 -> MEM-2.1, catalogue.ALIASES); an ambiguous or unknown name lists the closest
catalogue names."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _


def key(raw) -> str:
    """Normalised item text: NFKC (full-width brackets), no spaces, no trailing 证/操作证."""
    value = unicodedata.normalize("NFKC", str(raw or "")).strip().upper()
    value = re.sub(r"\s+", "", value)
    return re.sub(r"(操作证|资格证|证书|证)$", "", value)


def _short(name: str) -> str:
    return name[:-2] if name.endswith("作业") and len(name) > 3 else name


@dataclass(frozen=True)
class ItemChoice:
    code: str
    name: str
    category: str


class ItemMatchError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ItemMatcher:
    """Built once per import from the active catalogue (a list of CertificateType)."""

    def __init__(self, types) -> None:
        self.by_code: dict[str, object] = {}
        self.by_name: dict[str, list] = {}
        self.types = list(types)
        self._matched: dict[tuple, object] = {}  # a ledger names few items, on many rows
        for t in self.types:
            self._index_code(t)
            for name in (t.name, _short(t.name), *t.aliases):
                bucket = self.by_name.setdefault(key(name), [])
                if t not in bucket:
                    bucket.append(t)

    def _index_code(self, t) -> None:
        self.by_code[t.code.upper()] = t
        bare = t.code.split("-", 1)[1].upper()
        self.by_code.setdefault(bare, t)  # "2.1" or "N1"

    def match(self, raw, category: str = ""):
        """The CertificateType, or ItemMatchError naming the closest catalogue items."""
        memo = (raw if isinstance(raw, str) else str(raw or ""), category)
        if memo not in self._matched:
            try:
                self._matched[memo] = self._match(raw, category)
            except ItemMatchError as exc:
                self._matched[memo] = exc
        found = self._matched[memo]
        if isinstance(found, ItemMatchError):
            raise ItemMatchError(found.message)
        return found

    def _match(self, raw, category: str):
        k = key(raw)
        if not k:
            raise ItemMatchError(_("The operation item is empty."))
        if k in self.by_code:
            return self.by_code[k]
        candidates = self.by_name.get(k) or self._containing(k)
        candidates = _narrow(candidates, category)
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            raise ItemMatchError(self._ambiguous(raw, candidates))
        raise ItemMatchError(self._unknown(raw))

    def _containing(self, k: str) -> list:
        """A longer or shorter spelling of one official name (高压电工作业证, 叉车司机证)."""
        return [t for t in self.types if len(k) >= 2 and (k in key(t.name) or key(t.name) in k)]

    def closest(self, raw, n: int = 3) -> list[str]:
        names = {key(t.name): t for t in self.types}
        names.update({key(a): t for t in self.types for a in t.aliases})
        found = difflib.get_close_matches(key(raw), list(names), n=n * 2, cutoff=0.3)
        out: list[str] = []
        for k in found:
            label = f"{names[k].name} ({names[k].code})"
            if label not in out:
                out.append(label)
        return out[:n]

    def _ambiguous(self, raw, candidates) -> str:
        names = "、".join(f"{t.name} ({t.code})" for t in candidates[:5])
        return _("“%(value)s” matches several operation items: %(names)s; write the item code.") % {
            "value": str(raw)[:40],
            "names": names,
        }

    def _unknown(self, raw) -> str:
        closest = self.closest(raw)
        if closest:
            return _("Unknown operation item “%(value)s”; closest catalogue items: %(names)s.") % {
                "value": str(raw)[:40],
                "names": "、".join(closest),
            }
        return _("Unknown operation item “%(value)s”; see the catalogue for the item names.") % {
            "value": str(raw)[:40]
        }


def _narrow(candidates: list, category: str) -> list:
    """Several candidates, one of them in the row's 作业类别: that one."""
    if len(candidates) < 2 or not category:
        return candidates
    k = key(category)
    within = [
        t for t in candidates if k and (k in key(t.category_name) or key(t.category_name) in k)
    ]
    return within or candidates
