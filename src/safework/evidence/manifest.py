"""The report package's manifest and its check, pure (no Django): a ZIP holding files and
``manifest.json``, which lists every other file with its SHA-256 and size. The root is the
SHA-256 of manifest.json's bytes as stored; the root is written to the audit chain, so a
changed file changes its hash, a changed manifest changes the root."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field

FORMAT = "safework-evidence-pack/1"
MANIFEST = "manifest.json"
CHUNK = 1 << 20


class HashingWriter:
    """Copy a stream into an open ZIP member, hashing it on the way (nothing held whole)."""

    def __init__(self, member):
        self.member, self.digest, self.size = member, hashlib.sha256(), 0

    def copy(self, source) -> None:
        while block := source.read(CHUNK):
            self.digest.update(block)
            self.size += len(block)
            self.member.write(block)


@dataclass
class ManifestBuilder:
    header: dict
    files: list[dict] = field(default_factory=list)

    def add_stream(self, zf: zipfile.ZipFile, path: str, source, *, compress: bool) -> dict:
        info = zipfile.ZipInfo(path, date_time=(2000, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        with zf.open(info, "w", force_zip64=True) as member:
            writer = HashingWriter(member)
            writer.copy(source)
        entry = {"path": path, "sha256": writer.digest.hexdigest(), "size": writer.size}
        self.files.append(entry)
        return entry

    def finish(self, zf: zipfile.ZipFile) -> str:
        data = manifest_bytes({**self.header, "format": FORMAT, "files": self.files})
        zf.writestr(MANIFEST, data, compress_type=zipfile.ZIP_DEFLATED)
        return hashlib.sha256(data).hexdigest()


def manifest_bytes(manifest: dict) -> bytes:
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()


@dataclass(frozen=True)
class Check:
    ok: bool
    root: str = ""
    manifest: dict | None = None
    bad_file: str = ""
    problem: str = ""


def check_zip(path) -> Check:
    """Every file listed is there with its hash and size, nothing else is there."""
    try:
        with zipfile.ZipFile(path) as zf:
            return _check(zf)
    except (zipfile.BadZipFile, OSError) as exc:
        return Check(False, bad_file=str(path), problem=f"not a readable ZIP file ({exc})")


def _check(zf: zipfile.ZipFile) -> Check:
    try:
        data = zf.read(MANIFEST)
        manifest = json.loads(data)
        listed = [(f["path"], f["sha256"], int(f["size"])) for f in manifest["files"]]
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        return Check(False, bad_file=MANIFEST, problem=f"missing or unreadable ({exc})")
    root = hashlib.sha256(data).hexdigest()
    names = set(zf.namelist())
    for name, digest, size in listed:
        problem = _member_problem(zf, names, name, digest, size)
        if problem:
            return Check(False, root, manifest, name, problem)
    extra = sorted(names - {MANIFEST} - {name for name, _d, _s in listed})
    if extra:
        return Check(False, root, manifest, extra[0], "not listed in the manifest")
    return Check(True, root, manifest)


def _member_problem(zf, names: set, name: str, digest: str, size: int) -> str:
    if name not in names:
        return "missing from the package"
    found, total = hashlib.sha256(), 0
    try:
        with zf.open(name) as member:
            while block := member.read(CHUNK):
                found.update(block)
                total += len(block)
    except (zipfile.BadZipFile, OSError) as exc:
        return f"unreadable ({exc})"
    if found.hexdigest() != digest or total != size:
        return "SHA-256 does not match the manifest (file changed)"
    return ""
