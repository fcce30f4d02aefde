"""Verification of certificates against an official source (issue 3).

RULES.md 1: the national query (cx.mem.gov.cn) is manual, behind a captcha, and has no
public API; it is not scraped. A ``CertificateVerifier`` is an adapter for a provider the
enterprise configures (``VerificationSource``), queried by ID number + name (the shape of
the national query); manual checks (who, when, result, a screenshot or the QR code's
page) are recorded alongside."""
