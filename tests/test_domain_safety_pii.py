"""Data scanning: every planted item is found, clean records stay clean, redaction removes the text."""

from __future__ import annotations

import time

import pytest
from hostile_corpus import hostile_record

from aiopen.domain.safety import KINDS, redact, scan_synthetic, scan_text, synthetic_dataset, synthetic_records


@pytest.fixture(scope="module")
def dataset():  # noqa: ANN201
    return synthetic_dataset(200, seed=0)


def test_dataset_is_seeded_and_covers_every_kind(dataset) -> None:  # noqa: ANN001
    assert synthetic_records(200, seed=0) == [r.text for r in dataset]
    assert synthetic_records(200, seed=1) != synthetic_records(200, seed=0)
    planted_kinds = {kind for record in dataset for kind, _ in record.planted}
    assert planted_kinds == set(KINDS)
    assert 0.3 < sum(not r.planted for r in dataset) / len(dataset) < 0.5  # about 40 % clean


def test_everything_obviously_fake(dataset) -> None:  # noqa: ANN001
    for record in dataset:
        for kind, value in record.planted:
            if kind == "email":
                assert value.endswith(("@example.com", "@example.org", "@example.net"))
            elif kind == "phone":
                assert "555" in value
            elif kind == "ip_address":
                assert value.startswith(("192.0.2.", "198.51.100.", "203.0.113."))
            elif kind in ("aws_key", "github_token"):
                assert value.endswith("EXAMPLE")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recall_is_one_on_planted_items_and_clean_records_have_no_findings(seed: int) -> None:
    dataset = synthetic_dataset(200, seed)
    scan = scan_text([r.text for r in dataset])
    found = {(f.record_index, f.kind, dataset[f.record_index].text[f.start : f.end]) for f in scan.findings}
    planted = {(i, kind, value) for i, r in enumerate(dataset) for kind, value in r.planted}
    assert planted <= found  # recall 1.0
    assert found <= planted  # and no false positives on this data: clean records produce nothing
    assert sum(scan.counts.values()) == len(planted)


def test_redaction_removes_every_planted_value(dataset) -> None:  # noqa: ANN001
    scan = scan_text([r.text for r in dataset])
    for record, redacted in zip(dataset, scan.redacted):
        for kind, value in record.planted:
            assert value not in redacted
            assert f"[{kind.upper()}]" in redacted
        if not record.planted:
            assert redacted == record.text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("mail ops@example.org today", "email"),
        ("ring (212) 555-0188 now", "phone"),
        ("from 198.51.100.7", "ip_address"),
        ("key AKIAIOSFODNN7EXAMPLE", "aws_key"),
        ("token ghp_" + "a" * 29 + "EXAMPLE", "github_token"),
        ("sig 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "hex_secret"),
    ],
)
def test_each_rule_on_its_own(text: str, kind: str) -> None:
    assert f"[{kind.upper()}]" in redact(text)


@pytest.mark.parametrize(
    "text",
    ["Version 1.2.3 fixes a bug.", "Loss fell from 2.31 to 2.07.", "colour #c0ffee", "hash " + "0" * 40, "call 5550123", "at 09:14 on 2026-11-27"],
)
def test_near_misses_are_not_flagged(text: str) -> None:
    assert redact(text) == text


def test_a_hostile_megabyte_is_scanned_in_linear_time() -> None:
    """64 KB of "a." once made the e-mail regex backtrack, and 16,000 findings made the overlap
    check pairwise (20 s); both are linear now. The bound is generous: ``make bench`` prints the
    figure (``pii_scan_hostile_s``)."""
    record = hostile_record()
    start = time.perf_counter()
    scan = scan_text([record])
    assert time.perf_counter() - start < 10
    assert scan.counts["email"] == 16_000 and "user0.x@" not in scan.redacted[0]


@pytest.mark.parametrize("records", ["one string", None, [b"bytes"], [1]])
def test_records_must_be_a_list_of_strings(records: object) -> None:
    with pytest.raises(ValueError, match="string"):
        scan_text(records)


def test_a_synthetic_scan_counts_what_was_planted_and_what_was_found():
    result = scan_synthetic(80, 3)
    dataset = synthetic_dataset(80, 3)
    for kind in KINDS:
        assert result.planted[kind] == sum(k == kind for record in dataset for k, _ in record.planted)
    assert result.scan.counts == scan_text([r.text for r in dataset]).counts and (result.records, result.seed) == (80, 3)
    flagged = result.scan.flagged
    assert flagged == sorted({f.record_index for f in result.scan.findings}) and result.scan.clean == result.records - len(flagged)
