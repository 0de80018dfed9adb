"""Data is machine-scannable: find personal data and secrets in text records, then redact them.

Secrets use detect-secrets' maintained rules (Yelp): its AWS and GitHub token
patterns and its Shannon-entropy measure for hex strings. Emails, phone numbers
and IPv4 addresses use short regular expressions of the kit's own. The synthetic
records are obviously fake: example.com/.org/.net addresses, 555-01xx numbers
(reserved for fiction), documentation IP ranges (RFC 5737) and keys ending in
EXAMPLE.
"""

from __future__ import annotations

import random
import re
import string
from collections import Counter
from dataclasses import dataclass

import numpy as np
from detect_secrets.plugins.aws import AWSKeyDetector
from detect_secrets.plugins.github_token import GitHubTokenDetector
from detect_secrets.plugins.high_entropy_strings import HexHighEntropyString

KINDS = ("email", "phone", "ip_address", "aws_key", "github_token", "hex_secret")
MAX_RECORDS = 100_000  # synthetic records per dataset
HEX_MIN_LENGTH = 32  # shorter hex runs (colours, short hashes) are not flagged

_HEX_ENTROPY = HexHighEntropyString()  # detect-secrets' default limit, 3.0 bits per character
_RULES: dict[str, list[re.Pattern[str]]] = {
    "aws_key": [AWSKeyDetector.denylist[0]],
    "github_token": list(GitHubTokenDetector.denylist),
    "hex_secret": [re.compile(rf"\b[0-9a-fA-F]{{{HEX_MIN_LENGTH},}}\b")],
    # Bounded repetition (RFC 5321: a local part has at most 64 characters, a domain label 63):
    # every start position costs a bounded number of steps, so the scan is linear in the text.
    "email": [re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}\b")],
    "phone": [re.compile(r"(?:\+1[ .-]?)?(?:\(\d{3}\)|\b\d{3})[ .-]\d{3}[ .-]\d{4}\b")],
    "ip_address": [re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")],
}
_DETECTOR = {"aws_key": "detect-secrets", "github_token": "detect-secrets", "hex_secret": "detect-secrets"}


@dataclass(frozen=True)
class SyntheticRecord:
    """A record's text and what was planted in it, as ``(kind, value)`` pairs."""

    text: str
    planted: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Finding:
    """One detected item: ``record_index``, character span, ``kind`` and the record with it redacted."""

    kind: str
    record_index: int
    start: int
    end: int
    detector: str
    redacted: str


@dataclass
class DataScan:
    """All findings, counts per kind, and every record with its findings redacted."""

    findings: list[Finding]
    counts: dict[str, int]
    redacted: list[str]

    @property
    def flagged(self) -> list[int]:
        """Indices of the records with at least one finding, in order."""
        return sorted({f.record_index for f in self.findings})

    @property
    def clean(self) -> int:
        """How many records have no finding."""
        return len(self.redacted) - len(self.flagged)


@dataclass(frozen=True)
class PlantedScan:
    """A seeded synthetic dataset scanned: how many items of each kind were planted, and the scan."""

    records: int
    seed: int
    planted: dict[str, int]
    scan: DataScan


_NAMES = ("Alex Doe", "Sam Roe", "Kim Poe", "Jo Moe", "Lee Loe", "Ari Koe")
_DOMAINS = ("example.com", "example.org", "example.net")
_CLEAN = (
    "The model was fine-tuned for {a} epochs on {b},000 examples.",
    "Evaluation loss fell from {a}.{b} to {a}.{c} after warm-up.",
    "Please summarise chapter {a} in plain language.",
    "The dataset card lists {b} languages and a permissive licence.",
    "Version {a}.{b}.{c} fixes a tokenizer bug with emoji.",
    "Translate 'open weights' into French and German.",
)


def _plant(kind: str, rng: random.Random) -> str:
    alnum = string.ascii_letters + string.digits
    if kind == "email":
        return f"{rng.choice(_NAMES).split()[0].lower()}.{rng.randrange(100)}@{rng.choice(_DOMAINS)}"
    if kind == "phone":
        area, line = rng.choice(("212", "415", "617")), f"555-01{rng.randrange(100):02d}"
        return rng.choice((f"({area}) {line}", f"{area}-{line}", f"+1 {area} {line.replace('-', ' ')}"))
    if kind == "ip_address":
        return f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randrange(1, 255)}"
    if kind == "aws_key":
        return "AKIA" + "".join(rng.choices(string.ascii_uppercase + "234567", k=9)) + "EXAMPLE"
    if kind == "github_token":
        return "ghp_" + "".join(rng.choices(alnum, k=29)) + "EXAMPLE"
    return "".join(rng.choices("0123456789abcdef", k=40))


_TEMPLATES = {
    "email": "Customer {name} asked for a refund; reply to {value}.",
    "phone": "Call {name} back at {value} about the demo.",
    "ip_address": "Login for {name} from {value} at 09:14.",
    "aws_key": "Deploy script (test fixture) uses key {value} for uploads.",
    "github_token": "CI config (fake) sets GH_TOKEN={value}",
    "hex_secret": "Webhook signing secret (fake): {value}",
}


def synthetic_dataset(n: int = 120, seed: int = 0) -> list[SyntheticRecord]:
    """``n`` records, about 40 % clean, the rest with one or two planted items; same ``seed``, same records."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_RECORDS:
        raise ValueError(f"The dataset needs a whole number of records from 1 to {MAX_RECORDS:,}, not {n!r:.40}.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"The seed must be a whole number, not {seed!r:.40}.")
    rng = random.Random(int(seed))
    records = []
    for _ in range(n):
        if rng.random() < 0.4:
            template = rng.choice(_CLEAN)
            records.append(SyntheticRecord(template.format(a=rng.randrange(1, 10), b=rng.randrange(1, 100), c=rng.randrange(10)), ()))
            continue
        kinds = rng.sample(KINDS, k=rng.choice((1, 1, 2)))
        planted = tuple((kind, _plant(kind, rng)) for kind in kinds)
        text = " ".join(_TEMPLATES[kind].format(name=rng.choice(_NAMES), value=value) for kind, value in planted)
        records.append(SyntheticRecord(text, planted))
    return records


def synthetic_records(n: int = 120, seed: int = 0) -> list[str]:
    """The texts of :func:`synthetic_dataset`."""
    return [record.text for record in synthetic_dataset(n, seed)]


def _spans(text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping ``(start, end, kind)`` spans, sorted; secrets are matched first and win overlaps.

    Each rule's matches arrive in order, so one sweep against the spans already taken
    (sorted, hence with sorted ends too) finds every overlap: linear, not pairwise.
    """
    taken: list[tuple[int, int, str]] = []
    for kind, patterns in _RULES.items():
        for pattern in patterns:
            accepted, i = [], 0
            for match in pattern.finditer(text):
                start, end = match.span()
                if kind == "hex_secret" and _HEX_ENTROPY.calculate_shannon_entropy(match.group()) <= _HEX_ENTROPY.entropy_limit:
                    continue
                while i < len(taken) and taken[i][1] <= start:
                    i += 1
                if i == len(taken) or taken[i][0] >= end:
                    accepted.append((start, end, kind))
            taken = sorted(taken + accepted)  # two sorted runs: a linear merge
    return taken


def _redacted(text: str, spans: list[tuple[int, int, str]]) -> str:
    pieces, last = [], 0
    for start, end, kind in spans:
        pieces += [text[last:start], f"[{kind.upper()}]"]
        last = end
    return "".join([*pieces, text[last:]])


def redact(text: str) -> str:
    """``text`` with every detected item replaced by ``[KIND]``."""
    if not isinstance(text, str):
        raise ValueError(f"Redaction needs text (a str), not {type(text).__name__}.")
    return _redacted(text, _spans(text))


def scan_text(records: list[str]) -> DataScan:
    """Scan each record for emails, phones, IPv4 addresses, AWS keys, GitHub tokens and high-entropy hex."""
    if isinstance(records, str) or not isinstance(records, (list, tuple)):
        raise ValueError(f"Give the records as a list of strings, not {type(records).__name__}.")
    findings, redacted = [], []
    for index, text in enumerate(records):
        if not isinstance(text, str):
            raise ValueError(f"Record {index} is {type(text).__name__}, not text; give every record as a string.")
        spans = _spans(text)
        clean = _redacted(text, spans)
        redacted.append(clean)
        findings += [Finding(kind, index, start, end, _DETECTOR.get(kind, "regex"), clean) for start, end, kind in spans]
    counts = Counter(f.kind for f in findings)
    return DataScan(findings, {kind: counts.get(kind, 0) for kind in KINDS}, redacted)


def scan_synthetic(n: int = 120, seed: int = 0) -> PlantedScan:
    """Plant items in ``n`` synthetic records (seeded), scan them, and count what was planted per kind."""
    dataset = synthetic_dataset(n, seed)
    planted = Counter(kind for record in dataset for kind, _ in record.planted)
    return PlantedScan(len(dataset), seed, {kind: planted.get(kind, 0) for kind in KINDS}, scan_text([r.text for r in dataset]))
