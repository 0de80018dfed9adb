"""Every data row carries its provenance; the loader says clearly what is wrong; no view repeats a sourced number.

The rule for "a number in a view module that is also in a data file" (test at the end):

* numbers written inside string literals of ``aiopen/widgets/*.py`` (captions, labels,
  hover text, f-string text) count when they are written with 2 or more digits, except
  CSS lengths, percentages, powers and hex colours (``15px``, ``1.3em``, ``50%``, ``95 %``,
  ``10^9``, ``#E3E3E3``) and the names the tables give to models, releases, accelerators and
  developers ("Llama 3.1 405B", "H100 SXM": identifiers, not figures);
* numeric literals in the code itself count when they have 3 or more significant digits
  (1180 or 8192 count; round layout sizes such as 470 or 1200 and small constants such
  as 14 or 0.25 do not);
* a data number is any number written in any cell of ``aiopen/domain/data/*.csv`` (an ISO date
  counts as its year), compared by value.

Two digits in text is what catches "Meta rose from 54 to 60"; one would flag every "1"
and "2" of a sentence. A number in a view that is not a fact (a control's default) belongs
in a domain module, named, not in the view.
"""

from __future__ import annotations

import ast
import csv
import datetime
import importlib.util
import io
import re
from pathlib import Path

import pytest

from aiopen.domain import data

ROOT = Path(__file__).resolve().parents[1]
WIDGETS = ROOT / "aiopen" / "widgets"
GOOD_ROW = {"name": "x", "source": "a paper, Table 1", "published": "2024-05", "accessed": "2026-11-30", "verification": "checked", "notes": ""}


# --- Provenance on every row of every table --------------------------------------------------


def test_every_csv_in_the_data_folder_is_a_checked_table():
    on_disk = sorted(p.stem for p in data.DATA_DIR.iterdir() if p.suffix == ".csv")
    assert on_disk == data.table_names() and len(on_disk) >= 12


@pytest.mark.parametrize("table", data.table_names())
def test_every_row_has_source_publication_and_access_dates(table):
    rows = data.rows(table)
    assert rows, f"{table}.csv is empty"
    assert list(rows[0])[-5:] == list(data.PROVENANCE_COLUMNS)
    for row in rows:
        assert row["source"] and row["verification"] in data.VERIFICATION_LEVELS, row
        published, accessed = data._date_or_none(row["published"]), datetime.date.fromisoformat(row["accessed"])
        assert datetime.date(2000, 1, 1) <= published <= accessed <= datetime.date.today(), row


def _write(tmp_path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    path = tmp_path / "sample.csv"
    header = header or list(GOOD_ROW)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
    return path


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"source": ""}, "line 2 ('x'): the column 'source' is empty"),
        ({"published": ""}, "the column 'published' is None"),
        ({"published": "May 2024"}, "the column 'published' is 'May 2024'"),
        ({"published": "2024-13"}, "the column 'published' is '2024-13'"),
        ({"accessed": "2026-11"}, "the column 'accessed' is '2026-11'; write the date the source was read as YYYY-MM-DD"),
        ({"accessed": "2026-02-30"}, "the column 'accessed' is '2026-02-30'"),
        ({"published": "2027", "accessed": "2026-11-30"}, "'published' (2027) is after the column 'accessed' (2026-11-30)"),
        ({"verification": "trust me"}, "the column 'verification' is 'trust me', not one of checked, secondary, unverified, derived"),
    ],
)
def test_a_bad_row_is_refused_with_a_message_naming_table_line_and_column(tmp_path, change, words):
    path = _write(tmp_path, [GOOD_ROW, {**GOOD_ROW, **change}])
    with pytest.raises(data.DataError) as error:
        data.check_table(path)
    message = str(error.value)
    assert message.startswith("sample.csv, line 3") and words.replace("line 2", "line 3") in message


@pytest.mark.parametrize(
    "change",
    [{"published": "2024"}, {"published": "2024-05-31"}, {"published": "2026-11-30"}, {"verification": "derived", "notes": "a, b"}],
)
def test_good_rows_pass(tmp_path, change):
    rows = data.check_table(_write(tmp_path, [{**GOOD_ROW, **change}]))
    assert rows[0]["source"] == GOOD_ROW["source"] and rows[0]["notes"] == (change.get("notes") or None)


def test_a_table_without_a_provenance_column_is_refused(tmp_path):
    path = _write(tmp_path, [GOOD_ROW], header=[c for c in GOOD_ROW if c != "accessed"])
    with pytest.raises(data.DataError, match="sample.csv has no column 'accessed'; every table needs source, published, accessed"):
        data.check_table(path)


def test_a_row_with_too_many_cells_is_refused(tmp_path):
    path = tmp_path / "sample.csv"
    path.write_text(",".join(GOOD_ROW) + "\nx,a,2024,2026-11-30,checked,,extra\n", encoding="utf-8")
    with pytest.raises(data.DataError, match="sample.csv, line 2: the row has a different number of cells"):
        data.check_table(path)


def test_the_old_single_date_column_is_gone():
    assert all("source_date" not in data.rows(t)[0] for t in data.table_names())
    assert not (data.DATA_DIR / "model_openness.csv").exists()  # openness lives in the openness tables only


# --- Prices past their stated validity --------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "stale"),
    [(datetime.date(2024, 12, 31), False), (datetime.date(2025, 1, 1), False), (datetime.date(2025, 1, 2), True), (datetime.date(2026, 11, 30), True)],
)
def test_a_price_is_stale_after_its_valid_until_day(day, stale):
    price = data.default_price("H100 SXM")
    assert price.valid_until == datetime.date(2025, 1, 1)
    assert price.is_stale(day) is stale
    assert price.valid == "valid until 1 Jan 2025"


def test_a_price_without_a_stated_validity_is_never_machine_stale():
    launch = next(p for p in data.prices() if "launch price" in (p.validity or ""))
    assert launch.valid_until is None and not launch.is_stale(datetime.date(2100, 1, 1))
    assert launch.valid == "July 2023 launch price"


# --- No sourced number written in view code ---------------------------------------------------

NUMBER = re.compile(r"(?<![\w.#-])\d[\d,]*(?:\.\d+)?")
LAYOUT = re.compile(r"#[0-9A-Fa-f]{3,8}\b|\d+(?:\.\d+)?\s*(?:(?:px|em|pt|deg)\b|%)|\d+\^\d+")
ISO_DATE = re.compile(r"\b(\d{4})-\d{2}(?:-\d{2})?\b")


def written_digits(token: str) -> int:
    """Digits as written, leading zeros aside: '54' -> 2, '30.84' -> 4, '2024' -> 4."""
    return len(token.replace(",", "").replace(".", "").lstrip("0"))


def significant_digits(number: float) -> int:
    """Significant digits of a code literal: 1180 -> 3, 1200 -> 2, 0.25 -> 2."""
    mantissa = f"{abs(number):.12e}".split("e")[0].replace(".", "")
    return len(mantissa.rstrip("0"))


def names() -> list[str]:
    """Names the tables give to models, releases, accelerators and developers: identifiers, not figures."""
    from aiopen.domain import openness

    found = {m.name for m in data.models()} | {m.family for m in data.models()} | {g.name for g in data.gpus()}
    found |= {r.name for r in openness.models()} | {s.subject for s in openness.fmti_scores()}
    found |= {s.assessed for s in openness.fmti_scores() if s.assessed}
    found |= {"Open Source AI Definition 1.0", "OSAID 1.0"}  # the definition's name and version
    return sorted(found, key=len, reverse=True)


def numbers_in_text(text: str, min_digits: int = 1, strip: list[str] = ()) -> set[float]:
    for name in strip:
        text = text.replace(name, " ")
    text = LAYOUT.sub(" ", ISO_DATE.sub(r"\1", text))
    return {float(t.replace(",", "")) for t in NUMBER.findall(text) if written_digits(t) >= min_digits}


def view_numbers(source: str, strip: list[str] = ()) -> set[float]:
    """Numbers a view module writes: in string literals (2+ written digits) and in code (3+ significant digits)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found |= numbers_in_text(node.value, 2, strip)
        elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            if significant_digits(node.value) >= 3:
                found.add(float(node.value))
    return found


def data_numbers() -> set[float]:
    found = set()
    for path in sorted(data.DATA_DIR.glob("*.csv")):
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
            for cell in row:
                found |= numbers_in_text(cell)
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('caption("Meta rose from 54 to 60; StarCoder scored 85 in 2024.")', {54, 60, 85, 2024}),
        ('f"{x} took 30.84M H100 GPU-hours"', {30.84}),
        ('f"width:{90 * done}px"', set()),
        ("x = 1180", {1180}),
        ("x = dict(size=14, opacity=0.25, width=1200)", set()),
        ('"font-size:15px;color:#E3E3E3;margin:2px 0;width:50%; 95 % interval; GB (10^9 bytes)"', set()),
        ('"one of 3 classes, 1,082,990 GPU-hours, 2403.13784"', {1082990, 2403.13784}),
        ('"Llama 3.1 405B on H100 SXM"', set()),  # names from the tables are identifiers, not figures
    ],
)
def test_the_number_scanner_finds_written_figures_and_skips_layout_and_names(source, expected):
    assert view_numbers(source, names()) == expected


def test_no_view_module_writes_a_number_that_is_in_a_data_file():
    sourced = data_numbers()
    assert {54.0, 85.0, 30840000.0, 250.0} <= sourced  # the scan of the tables finds the figures the views used to repeat
    offenders = {}
    strip = names()
    for path in sorted(WIDGETS.glob("*.py")):
        repeated = view_numbers(path.read_text(encoding="utf-8"), strip) & sourced
        if repeated:
            offenders[path.name] = sorted(repeated)
    assert not offenders, f"view modules repeat sourced numbers (read them from aiopen/domain/data instead): {offenders}"


# --- The import script's readers ---------------------------------------------------------------


@pytest.fixture(scope="module")
def importer():
    spec = importlib.util.spec_from_file_location("import_openness", ROOT / "scripts" / "import_openness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MOT_FILE = """
release:
  name: Demo-7B
  license: {distribution: {name: Apache-2.0}}
  components:
    - {name: 'Model architecture'}
    - {name: 'Model parameters (Final)', license: 'Component not included'}
    - {name: Datasets, license: CC-BY-4.0}
    - {name: 'Model card', license: Proprietary}
"""


def test_mot_reader_turns_listed_components_into_yes_and_the_rest_into_no(importer):
    evaluated, statuses = importer.mot_statuses(MOT_FILE)
    assert evaluated == "Demo-7B" and len(statuses) == 17
    assert statuses["Model architecture"] == ("yes", "included (licence: Apache-2.0)")
    assert statuses["Datasets"] == ("yes", "included (licence: CC-BY-4.0)")
    assert statuses["Model parameters (Final)"] == ("no", "not included")  # listed, but its licence says not included
    assert statuses["Training code"] == ("no", "not included")
    assert statuses["Model card"] == ("no", "listed as proprietary")


def test_mot_reader_refuses_components_outside_the_mof(importer):
    with pytest.raises(ValueError, match="not in the MOF"):
        importer.mot_statuses(MOT_FILE.replace("Datasets", "Secret sauce"))


EOSAI_FILE = """
project: {name: Demo Chat}
llmweights: {class: partial, notes: gated}
llmdata: {class: closed}
opencode: {class: open}
preprint: {class: ''}
rlweights: {class: open}
"""


def test_eosai_reader_maps_criteria_to_components_and_skips_unrated_ones(importer):
    evaluated, statuses = importer.eosai_statuses(EOSAI_FILE)
    assert evaluated == "Demo Chat"
    assert statuses == {
        "Training code": ("yes", "open", "opencode", ""),
        "Datasets": ("no", "closed", "llmdata", ""),
        "Model parameters (Final)": ("partial", "partial", "llmweights", "gated"),
    }
    _, base_only = importer.eosai_statuses(EOSAI_FILE, importer.BASE_ONLY)
    assert set(base_only) == {"Datasets", "Model parameters (Final)"}


def test_the_imported_table_is_what_the_script_writes(importer):
    rows = data.rows("openness_framework_evaluations")
    assert [c for c in rows[0]] == list(importer.COLUMNS)
    per_release = {}
    for row in rows:
        per_release.setdefault((row["model"], row["framework"]), []).append(row["component"])
    assert all(len(components) == 17 for (_, framework), components in per_release.items() if framework == "MOT")
    assert {m for m, f in per_release if f == "MOT"} == set(importer.MOT_FILES)
    assert {m for m, f in per_release if f == "EOSAI"} == set(importer.EOSAI_FILES)
