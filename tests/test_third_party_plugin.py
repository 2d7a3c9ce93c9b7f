"""A third party's Compact, pip-installed, is found through the ``compactbot`` entry points.

``tests/sample_plugin`` is a package of its own (``compactbot-sample-compact``).  It is
installed with pip into a temporary folder, which each test puts on ``sys.path`` for its
own duration only; every test builds its own plugin manager, so the sample Compact never
reaches another test's manager.

Also here: a malformed Compact file is refused with its path, the field and the reason.
"""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pluggy
import pytest

from bot.domain.events import ComplaintRaised, ConsultationLaunched, FundingEnding
from bot.hookspecs import hookimpl
from bot.knowledge.knowledge import Knowledge
from bot.pluginmanager import make_plugin_manager
from compacts.loader import CompactFileError, load_compact
from compacts.models import Compact

SAMPLE_PROJECT = Path(__file__).parent / "sample_plugin"
SAMPLE_PACKAGE = SAMPLE_PROJECT / "compactbot_sample"
SAMPLE_FILE = SAMPLE_PACKAGE / "sample-town.yaml"
CODE = "sample-town"
MODULE = "compactbot_sample"
BUILTINS = ["kent-2007-draft", "kent-2011", "perth-kinross", "rbkc", "west-kent"]
CONSULT_QUOTE = "The council will consult for a minimum of 10 weeks."
NOTICE_QUOTE = "We will give four months' notice in writing before ending a grant."
REMARK = "Sample Town's Compact Officer can be asked to look at this."
"""The reason the sample plugin's own ``compactbot_check`` adds (see its plugin.py)."""


def _pip_install(project: Path, target: Path) -> None:
    base = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--no-input",
        "--disable-pip-version-check",
        "--target",
        str(target),
    ]
    done = subprocess.run(
        [*base, "--no-build-isolation", str(project)], capture_output=True, text=True, timeout=300
    )
    if done.returncode == 0:
        return
    first = done.stdout[-1500:] + done.stderr[-1500:]
    errors = [line.strip() for line in first.splitlines() if "error:" in line]
    # setuptools < 70.1 needs the separate `wheel` package for bdist_wheel; without it
    # in the venv, --no-build-isolation cannot build.  Say so, then build isolated.
    warnings.warn(
        "pip install --no-build-isolation of tests/sample_plugin failed "
        f"({'; '.join(errors) or 'see pip output'}); retried with build isolation",
        stacklevel=2,
    )
    again = subprocess.run([*base, str(project)], capture_output=True, text=True, timeout=300)
    if again.returncode != 0:
        pytest.fail(
            "cannot pip-install tests/sample_plugin.\nWithout build isolation:\n"
            f"{first}\nWith build isolation:\n{again.stdout[-1500:]}{again.stderr[-1500:]}"
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample package pip-installed into a temporary folder (not on sys.path yet).

    pip builds in the source tree (build/, *.egg-info), so it builds from a copy.
    """
    source = tmp_path_factory.mktemp("sample-src") / "sample_plugin"
    shutil.copytree(
        SAMPLE_PROJECT,
        source,
        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"),
    )
    target = tmp_path_factory.mktemp("sample-site")
    _pip_install(source, target)
    return target


def _forget_sample_modules() -> None:
    for name in [m for m in sys.modules if m == MODULE or m.startswith(f"{MODULE}.")]:
        del sys.modules[name]


@pytest.fixture
def sample_pm(installed: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[pluggy.PluginManager]:
    """A fresh manager built while the installed sample is importable; undone afterwards."""
    _forget_sample_modules()
    monkeypatch.syspath_prepend(str(installed))
    importlib.invalidate_caches()
    try:
        yield make_plugin_manager()
    finally:
        _forget_sample_modules()
        importlib.invalidate_caches()


@pytest.fixture
def sample_knowledge(sample_pm: pluggy.PluginManager) -> Knowledge:
    return Knowledge(sample_pm)


def test_discovered_through_its_entry_point(
    sample_pm: pluggy.PluginManager, installed: Path
) -> None:
    names = [name for name, _ in sample_pm.list_name_plugin()]
    assert CODE in names
    plugin = sample_pm.get_plugin(CODE)
    assert plugin is not None
    assert plugin.__name__ == "compactbot_sample.plugin"
    # The installed copy, not the source tree: the entry point came from pip's metadata.
    assert Path(plugin.__file__).resolve().is_relative_to(installed.resolve())
    dists = {dist.project_name for _, dist in sample_pm.list_plugin_distinfo()}
    assert "compactbot-sample-compact" in dists


def test_registry_lists_it_next_to_the_builtins(
    sample_knowledge: Knowledge, installed: Path
) -> None:
    assert sample_knowledge.registry.codes == sorted([*BUILTINS, CODE])
    compact = sample_knowledge.registry.get(CODE)
    assert compact.title == "Sample Town Compact"
    # Loaded from the installed package data, source text included.
    assert sample_knowledge.registry.files[CODE].resolve().is_relative_to(installed.resolve())
    assert sample_knowledge.registry.source_path(CODE).is_file()


def test_answers_with_its_number_and_verbatim_quote(sample_knowledge: Knowledge) -> None:
    result = sample_knowledge.answerer.ask("how long must a consultation be?", [CODE])
    assert result.topic == "consultation"
    assert [a.compact for a in result.answers] == [CODE]
    answer = result.answers[0]
    assert answer.kind == "rule"
    assert "10 weeks" in answer.text
    assert answer.citations[0].commitment == "consultation.1"
    assert answer.citations[0].quote == CONSULT_QUOTE
    source = sample_knowledge.registry.source_path(CODE).read_text(encoding="utf-8")
    assert CONSULT_QUOTE in source


def test_answers_funding_notice(sample_knowledge: Knowledge) -> None:
    result = sample_knowledge.answerer.ask("how much notice before they end our grant?", [CODE])
    answer = result.answers[0]
    assert result.topic == "funding_change"
    assert "4 months' notice in writing" in answer.text
    assert answer.citations[0].quote == NOTICE_QUOTE


def test_every_compact_answers_including_the_sample(sample_knowledge: Knowledge) -> None:
    result = sample_knowledge.answerer.ask("how long must a consultation be?")
    assert sorted(a.compact for a in result.answers) == sorted([*BUILTINS, CODE])


@pytest.mark.parametrize(
    ("closes", "verdict"),
    [
        (date(2026, 3, 16), "meets"),  # 10 weeks
        (date(2026, 3, 2), "explain"),  # 8 weeks: shorter than 10, not below 6
        (date(2026, 2, 2), "breach"),  # 4 weeks: below the hard 6-week minimum
    ],
)
def test_consultation_check_gives_its_verdict(
    sample_knowledge: Knowledge, closes: date, verdict: str
) -> None:
    event = ConsultationLaunched(opens=date(2026, 1, 5), closes=closes)
    compact = sample_knowledge.registry.get(CODE)
    [result] = sample_knowledge.check(event, [compact], date(2026, 1, 1))
    assert result.compact == CODE
    assert result.verdict == verdict
    assert result.deadlines["standard_close"] == date(2026, 3, 16)
    assert result.deadlines["minimum_close"] == date(2026, 2, 16)
    assert REMARK in result.reasons  # its own compactbot_check ran, not only the default
    assert [c.commitment for c in result.citations] == ["consultation.1", "consultation.2"]


def test_its_check_answers_only_for_its_own_code(sample_knowledge: Knowledge) -> None:
    event = ConsultationLaunched(opens=date(2026, 1, 5), closes=date(2026, 3, 2))
    compacts = sample_knowledge.registry.resolve([])
    results = {r.compact: r for r in sample_knowledge.check(event, compacts, date(2026, 1, 1))}
    assert set(results) == {*BUILTINS, CODE}
    assert REMARK in results[CODE].reasons
    assert all(REMARK not in r.reasons for code, r in results.items() if code != CODE)


def test_funding_and_complaint_checks(sample_knowledge: Knowledge) -> None:
    compact = sample_knowledge.registry.get(CODE)
    late = FundingEnding(last_funded_day=date(2027, 6, 30), notice_given_on=date(2027, 3, 15))
    [funding] = sample_knowledge.check(late, [compact], date(2027, 3, 15))
    assert funding.deadlines["notice_by"] == date(2027, 2, 28)
    assert funding.verdict == "breach"
    in_time = FundingEnding(
        last_funded_day=date(2027, 6, 30), notice_given_on=date(2027, 2, 1), rationale_given=True
    )
    assert sample_knowledge.check(in_time, [compact], date(2027, 2, 1))[0].verdict == "meets"
    # Its data file asks for a rationale: with none said either way, the verdict is an "if".
    unsaid = in_time.model_copy(update={"rationale_given": None})
    assert sample_knowledge.check(unsaid, [compact], date(2027, 2, 1))[0].verdict == "conditional"

    complaint = ComplaintRaised(against="vcs", raised_on=date(2027, 1, 4))
    [result] = sample_knowledge.check(complaint, [compact], date(2027, 1, 4))
    assert [s.citation.commitment for s in result.steps] == [
        "complaints.vcs.1",
        "complaints.public.2",
    ]


def test_sample_uses_only_the_public_api() -> None:
    tree = ast.parse((SAMPLE_PACKAGE / "plugin.py").read_text(encoding="utf-8"))
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    ours = {name.split(".")[0] for name in imported} & {"bot", "compacts", "plugins", "storage"}
    assert "compactbot" in imported and not ours


def test_a_plain_checkout_has_the_five_builtins_without_entry_points() -> None:
    knowledge = Knowledge(make_plugin_manager(entry_points=False))
    assert knowledge.registry.codes == BUILTINS


def test_a_compact_plugin_is_asked_only_about_its_own_compacts() -> None:
    asked: list[str] = []

    class Spy:
        """A Compact plugin that records which Compacts it is asked to check."""

        @hookimpl
        def compactbot_compact_files(self) -> list[Path]:
            return [SAMPLE_FILE]

        @hookimpl
        def compactbot_check(self, compact: Compact, event: object, today: date) -> None:
            asked.append(compact.code)

    knowledge = Knowledge(make_plugin_manager(entry_points=False, extra=[Spy()]))
    event = ConsultationLaunched(opens=date(2026, 1, 5), closes=date(2026, 3, 2))
    results = knowledge.check(event, knowledge.registry.resolve([]), date(2026, 1, 1))
    assert asked == [CODE]
    assert {r.compact for r in results} == {*BUILTINS, CODE}  # the others: their own plugins


def test_not_seen_without_being_installed(installed: Path) -> None:
    """Runs after the tests above: nothing of the sample leaked into a new manager."""
    assert str(installed) not in sys.path
    assert MODULE not in sys.modules
    pm = make_plugin_manager()
    assert CODE not in [name for name, _ in pm.list_name_plugin()]
    assert CODE not in Knowledge(pm).registry.codes


# --- Malformed Compact files --------------------------------------------------------------


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    """The sample Compact with one edit, beside a copy of its sources/ folder."""
    text = SAMPLE_FILE.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {SAMPLE_FILE}"
    shutil.copytree(SAMPLE_PACKAGE / "sources", tmp_path / "sources")
    path = tmp_path / "sample-town.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_the_sample_file_itself_is_valid() -> None:
    compact = load_compact(SAMPLE_FILE)
    assert compact.code == CODE
    assert compact.obligations.consultation.standard is not None


def test_bad_field_names_file_field_and_reason(tmp_path: Path) -> None:
    path = _broken_copy(
        tmp_path, "standard: {amount: 10, unit: weeks}", "standard: {amount: 10, unit: fortnights}"
    )
    with pytest.raises(CompactFileError) as caught:
        load_compact(path)
    message = str(caught.value)
    assert str(path) in message
    assert "obligations.consultation.standard.unit" in message
    assert "'days', 'weeks' or 'months'" in message


def test_missing_field_names_it(tmp_path: Path) -> None:
    path = _broken_copy(tmp_path, "short_name: Sample Town Compact\n", "")
    with pytest.raises(CompactFileError) as caught:
        load_compact(path)
    message = str(caught.value)
    assert str(path) in message
    assert "short_name" in message
    assert "required" in message.lower()


def test_quote_not_in_source_names_the_commitment(tmp_path: Path) -> None:
    path = _broken_copy(
        tmp_path, f"quote: {NOTICE_QUOTE}", "quote: We will give six months' notice in writing."
    )
    with pytest.raises(CompactFileError) as caught:
        load_compact(path)
    message = str(caught.value)
    assert str(path) in message
    assert "not verbatim" in message
    assert "sample-town.txt" in message
    assert "funding.1" in message
    assert "consultation.1" not in message  # only the commitment that is wrong
