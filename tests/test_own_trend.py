"""The look-back's own bijstand trend (KWB 2022-2025): shown when the snapshot has it, else nothing.

The series comes only from ``socecon data refresh``; here from the loopback OData feed of
tests/odata_server.py (KWB fixtures: constructed figures on the shapes seen in public code).
The shipped snapshot has no such series, and the report then shows nothing.
"""

from __future__ import annotations

import contextlib
import html
import io
import re

import pytest
from odata_server import ODataServer

from socecon.cli import main
from socecon.data.cbs_refresh import refresh
from socecon.data.schema import DATA_DIR_ENV
from socecon.data.snapshot import clear_cache
from socecon.definitions.hindcast import load_hindcast
from socecon.report import lookback
from socecon.report.own_trend import bijstand_trend, bijstand_trend_frame
from socecon.report.region_figures import resolve_region


@pytest.fixture(autouse=True)
def _forget_the_refreshed_snapshot():
    """Drop what was loaded from the refreshed folder once a test has switched back.

    The model input, the calibration and the peers are cached per indeling, not per data
    folder, and ``socecon run`` computes the wind tunnels in this process (its pass): without
    this, a later test would get the ten municipalities of the refreshed fixture.
    """
    yield
    clear_cache()


@pytest.fixture(scope="module")
def refreshed(fixtures_dir, tmp_path_factory):
    target = tmp_path_factory.mktemp("refreshed") / "data"
    server = ODataServer(fixtures_dir / "cbs_odata")
    try:
        refresh(target, service=server.url)
    finally:
        server.close()
    return target


def test_the_trend_is_shown_when_the_snapshot_has_it(refreshed, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(refreshed))
    frame = bijstand_trend_frame("GM0363")
    assert frame["year"].tolist() == [2022, 2023, 2024, 2025]
    assert frame["value"].tolist() == [40280, 40270, 40280, 40290]  # 2022: with Weesp's 410
    html = bijstand_trend("GM0363").data
    assert "Hoe ging het daarna in Amsterdam zelf?" in html
    assert '<td>2022</td><td class="number">40.280</td>' in html
    assert "Van 2022 tot 2025 steeg het aantal met 10." in html  # under 0.5 %: no percentage
    assert "2022: 85318NED" in html and "2025: 86165NED" in html
    assert "omgerekend naar de gemeentegrenzen van 2025" in html
    assert "alleen mensen van 15 jaar tot de AOW-leeftijd" in html
    html = bijstand_trend("GM0784").data
    assert "Van 2022 tot 2025 daalde het aantal met 30 (6 %)." in html


def test_a_group_shows_the_sum_of_its_members(refreshed, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(refreshed))
    frame = bijstand_trend_frame("isd_midden_langstraat")
    # Heusden, Loon op Zand, Waalwijk: 540 + 480 + 1010 in 2022 (constructed figures)
    assert frame["value"].tolist()[0] == 540 + 480 + 1010
    assert "de gemeenten van ISD Midden-Langstraat" in bijstand_trend("isd_midden_langstraat").data


def test_nothing_is_shown_without_the_series_or_in_other_borders(refreshed, monkeypatch):
    assert bijstand_trend("GM0164") is None  # the shipped snapshot has no KWB series
    monkeypatch.setenv(DATA_DIR_ENV, str(refreshed))
    # the series is in the borders of 2025; a report in those of 2015 shows nothing
    assert bijstand_trend(resolve_region("GM0164", 2015)) is None
    assert bijstand_trend("GM0164") is not None


def _look_back(code: str) -> str:
    """The look-back as the report notebook shows it: the hindcast, then the own trend if any."""
    trend = bijstand_trend(code)
    return lookback.hindcast().data + ("" if trend is None else trend.data)


#: A caveat that would deny every figure per municipality: false beside the own trend.
BLANKET = re.compile(r"(gemeentelijke cijfers|cijfers per gemeente)\b[^.]*\bniet\b", re.I)


def test_the_look_back_caveat_is_true_with_and_without_the_own_trend(refreshed, monkeypatch):
    caveat = load_hindcast().caveat
    shown = f"<p><em>Kanttekening:</em> {html.escape(caveat)}</p>"
    # it names what the look-back never has per municipality, and denies nothing else
    assert "Wsw" in caveat and "banenafspraak" in caveat and not BLANKET.search(caveat)
    for state in ("shipped", "refreshed"):
        if state == "refreshed":
            monkeypatch.setenv(DATA_DIR_ENV, str(refreshed))
        page = _look_back("GM0784")
        assert page.count(shown) == 1, state
        after = page[page.index(shown) + len(shown) :]
        if state == "shipped":
            assert after == ""  # nothing follows: no figures per municipality at all
        else:
            # the own trend follows: bijstand of all ages, not what the caveat names
            assert after.startswith("<p>Hoe ging het daarna in Gilze en Rijen zelf?")
            assert "Mensen met bijstand" in after
            assert "Wsw" not in after and "banenafspraak" not in after


@pytest.mark.slow
def test_the_report_of_a_refreshed_snapshot_shows_the_trend(refreshed, monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_ENV, str(refreshed))
    argv = ["run", "--gemeente", "GM0784", "--out", str(tmp_path), "--no-progress"]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(argv) == 0
    page = (tmp_path / "GM0784.html").read_text(encoding="utf-8")
    look_back = page[page.index("Terugblik: welk scenario kwam uit?") :]
    assert "Hoe ging het daarna in Gilze en Rijen zelf?" in look_back
    assert '<td>2025</td><td class="number">440</td>' in look_back
    # the caveat above the trend does not deny it (true with and without the refresh)
    caveat = html.escape(load_hindcast().caveat)
    assert look_back.index(caveat) < look_back.index("Hoe ging het daarna in Gilze en Rijen")
