"""Issue 6, the part the page walk cannot read: downloads. tests/test_scoping_walk.py
skips streamed answers (exports, error reports, photos) because their bytes are
compressed; here every route is fetched as another organization's contractor admin and
each download is opened (.xlsx and other zip members decompressed) and searched for the
victim's data."""

import io
import zipfile

from tests.test_scoping_walk import (  # noqa: F401  (fixtures used by name)
    MARKERS,
    _fill,
    _routes,
    outsider_client,
    victim,
)


def _body(resp) -> bytes:
    if not getattr(resp, "streaming", False):
        return resp.content
    data = b"".join(resp.streaming_content)
    # Not resp.close(): that signals request_finished, which closes the test's connection.
    if (stream := getattr(resp, "file_to_stream", None)) is not None:
        stream.close()
    return data


def _texts(data: bytes) -> list[str]:
    """The readable text of a download: every member of a zip (.xlsx, .docx), else the
    bytes themselves."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    return [data.decode("utf-8", "replace")]


def test_no_download_holds_another_organizations_data(outsider_client, victim):  # noqa: F811
    downloads = 0
    for route in _routes():
        path = _fill(route, victim)
        resp = outsider_client.get(path)
        if resp.status_code != 200:
            continue
        data = _body(resp)
        if not resp.get("Content-Disposition") and not getattr(resp, "streaming", False):
            continue  # pages: the walk checks them
        downloads += 1
        leaked = [m for m in MARKERS for text in _texts(data) if m in text]
        assert not leaked, (path, leaked)
    assert downloads >= 3  # the people and certificate exports, the ledger template ...
