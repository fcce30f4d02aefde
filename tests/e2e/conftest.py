"""Browser tests: Playwright driving Debian's chromium; the ``browser`` and ``page``
fixtures live in tests/conftest.py (one Playwright per test process, shared by every
app's browser tests)."""
