"""The sections of the municipal report: real CBS figures, sums and rates, Dutch text."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from socecon import __version__
from socecon.data.snapshot import input_hashes, snapshot_wide
from socecon.definitions import DEFINITIONS_DIR, MODEL_CHANGES, MODEL_VERSION, load_definitions
from socecon.definitions.assumptions import load_assumptions
from socecon.definitions.hindcast import load_hindcast
from socecon.exceptions import AssumptionError, DefinitionError, UnknownRegionError
from socecon.model import run_model, summary
from socecon.present.formats import format_count, format_euro, round_people
from socecon.report import lookback, policy, provenance, region_figures, sections, tables
from socecon.report.tables import esc


@pytest.fixture(scope="module")
def hengelo():
    return run_model("GM0164")


@pytest.fixture(scope="module")
def isd():
    return run_model("isd_midden_langstraat")


def test_html_table_escapes_and_aligns_numbers():
    table = tables.html_table(["Naam", "Aantal"], [["<b>", "1.234"]])
    assert "<td>&lt;b&gt;</td>" in table and '<td class="number">1.234</td>' in table


def test_unknown_region_names_close_matches():
    with pytest.raises(UnknownRegionError, match=r"Unknown municipality 'GM9999'; did you mean"):
        region_figures.resolve_region("GM9999")


def test_hengelo_in_figures_are_the_cbs_values():
    frame = region_figures.figures_frame("GM0164")
    assert list(frame.columns) == ["Hengelo", "Arbeidsmarktregio Twente", "Nederland"]
    hengelo = frame["Hengelo"]
    assert hengelo["Inwoners (1 januari)"] == 81059
    assert hengelo["Bijstand, 15 jaar tot AOW-leeftijd"] == 2490
    assert hengelo["Werknemers sociale werkvoorziening (Wsw)"] == 560
    assert hengelo["Bijstand per 1.000 inwoners 15 jaar-AOW"] == pytest.approx(1000 * 2490 / 52580)
    assert frame.loc["Inwoners (1 januari)", "Nederland"] == 16900726


def test_labour_market_region_sums_members_where_cbs_has_no_row():
    frame = region_figures.figures_frame("GM0164")
    wide = snapshot_wide(2015, ["population", "population_15_64", "jobs", "bijstand_15_aow"])
    from socecon.regions import group_members

    members = wide.loc[list(group_members("AM05"))]
    twente = frame["Arbeidsmarktregio Twente"]
    assert twente["Inwoners (1 januari)"] == members["population"].sum()  # no AM row in 70072ned
    assert twente["Bijstand, 15 jaar tot AOW-leeftijd"] == 17590  # the CBS AM05 row
    expected = 1000 * members["jobs"].sum() / members["population_15_64"].sum()
    assert twente["Banen per 1.000 inwoners 15-64"] == pytest.approx(expected)


def test_group_is_the_sum_of_its_members_and_rates_come_from_sums():
    frame = region_figures.figures_frame("isd_midden_langstraat")
    members = region_figures.members_frame("isd_midden_langstraat")
    assert list(members.index) == ["Heusden", "Loon op Zand", "Waalwijk"]
    group = frame["ISD Midden-Langstraat"]
    assert group["Inwoners (1 januari)"] == members["Inwoners"].sum() == 112805
    assert group["Bijstand, 15 jaar tot AOW-leeftijd"] == members["Bijstand 15-AOW"].sum()
    wide = snapshot_wide(2015, ["bijstand_15_aow", "population_15_aow"])
    part = wide.loc[["GM0797", "GM0809", "GM0867"]]
    rate = 1000 * part["bijstand_15_aow"].sum() / part["population_15_aow"].sum()
    assert group["Bijstand per 1.000 inwoners 15 jaar-AOW"] == pytest.approx(rate)
    assert rate != pytest.approx(members["Bijstand per 1.000 inwoners 15-AOW"].mean())


def test_figures_html_is_dutch_and_lists_members():
    page = region_figures.municipality_in_figures("isd_midden_langstraat").data
    assert '<td class="number">112.805</td>' in page
    # a stacked table (narrow screens): its cells carry data-label
    assert "bestaat uit 3 gemeenten" in page and ">Loon op Zand</td>" in page
    assert "Bron: CBS" in page


def test_converted_counts_are_shown_in_tens_as_cbs_publishes_them():
    # Vught of 2025 holds 34 % of Haaren: its converted bijstand count is about 327, a
    # precision CBS never published; the table shows tens, inhabitants stay exact.
    frame = region_figures.figures_frame("GM0865")
    raw = frame.loc["Bijstand, 15 jaar tot AOW-leeftijd"].iloc[0]
    assert raw % 10 != 0
    page = region_figures.municipality_in_figures("GM0865").data
    body = re.findall(r"<tr><td[^>]*>([^<]*)</td>(.*?)</tr>", page)
    shown = {label: re.findall(r">([^<]*)</td>", cells) for label, cells in body}
    assert shown["Bijstand, 15 jaar tot AOW-leeftijd"][0] == format_count(round(raw, -1))
    for label in region_figures.ROUNDED_ROWS:
        for cell in shown[label]:
            assert cell == "–" or cell.replace(".", "").endswith("0"), (label, cell)
    inhabitants = frame.loc["Inwoners (1 januari)"].iloc[0]
    assert shown["Inwoners (1 januari)"][0] == format_count(inhabitants)
    assert "afgerond op tientallen" in page


def test_scenario_texts_show_the_four_scenarios_with_measures():
    page = sections.scenario_texts().data
    for sid, name in [
        ("sociaal_ondernemen", "Sociaal Ondernemen"),
        ("regulier", "Regulier"),
        ("publiek_privaat", "Publiek-privaat"),
        ("publiek", "Publiek"),
    ]:
        assert f'id="scenario-{sid}"><h3>{name}</h3>' in page
    assert "Quotumregeling" in page and "50 tot 80 % loonwaarde" in page
    assert "Buiten de boot." in page and "Basisjaar" not in page


#: The seed study: the only authority on the scenarios' words.
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_06af4d6c55e1300e.txt"


def _words(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split())


@pytest.mark.skipif(not SEED.is_file(), reason="the seed study (../shared/seed) is not available")
def test_the_storylines_are_quoted_word_for_word_from_the_seed_with_their_source():
    seed = _words(SEED.read_text(encoding="utf-8"))
    page = sections.scenario_texts().data
    defs = load_definitions()
    futures = defs.future_scenarios
    assert len(futures) == 4
    for s in futures:
        assert len(s.quote) > 40 and _words(s.quote) in seed, s.id
        block = (
            '<p>De studie beschrijft dit scenario zo:</p><blockquote class="socecon-quote">'
            f"<p>“{esc(s.quote)}”</p><footer>{esc(defs.study.citation)}</footer></blockquote>"
        )
        assert block in page, s.id
        # the longer summary is marked as the study's story, not told in the report's own voice
        assert f"kort samengevat:</em> {esc(s.storyline)}</p>" in page
    # the study's makers, as declared once (scenarios.yaml study), are those the seed names
    assert "TNO samen met de gemeenten " + _words(", ".join(defs.study.municipalities[:-1])) in seed
    assert defs.study.municipalities[-1] in seed
    assert "<p>Sociaal ondernemerschap is een hype." not in page


def test_band_frame_adds_up_and_respects_the_windows(hengelo):
    bands = sections.band_frame(hengelo, "GM0164")
    assert bands["target_group"].sum() == pytest.approx(2276)
    assert (bands["regulier"][["0-10", "10-20", "20-30", "30-40", "40-50"]] == 0).all()
    assert (bands.drop(columns="target_group").le(bands["target_group"] + 1e-9, axis=0)).all().all()


def test_target_group_section_counts_who_falls_outside(hengelo):
    page = sections.target_group_by_band(hengelo, "GM0164").data
    bands = sections.band_frame(hengelo, "GM0164")
    below = (bands["target_group"] - bands["regulier"])[:5].sum()  # below 50 %
    assert "met een lagere en" in page
    # people as the whole report shows them: rounded to tens
    assert f"van wie {format_count(round_people(below))} met een lagere" in page


def test_indicator_table_matches_the_model(hengelo):
    table = sections.indicator_frame(hengelo, "GM0164")
    model = summary(hengelo, "GM0164")
    assert table.loc["placed", "regulier"] == pytest.approx(model.loc["regulier", "placed"])
    assert np.isnan(table.loc["quota_levy", "publiek"])
    page = sections.indicator_table(hengelo, "GM0164").data
    assert "Indicator (2020)" in page and "Netto kosten gemeente per geplaatste" in page
    assert format_euro(model.loc["regulier", "net_cost_per_placed"]) in page


def test_path_goes_from_the_base_year_to_the_horizon(hengelo):
    path = sections.path_frame(hengelo, "GM0164")
    assert list(path.index) == [2015, 2016, 2017, 2018, 2019, 2020]
    assert path.loc[2015].nunique() == 1  # every scenario starts at the baseline
    assert '<td data-label="Jaar">2020</td>' in sections.path_table(hengelo, "GM0164").data


def test_every_assumption_is_listed_with_source_and_tag():
    rows = tables.assumption_rows({"take_up": 0.7})
    assert [r["id"] for r in rows] == list(load_assumptions().ids)
    take_up = next(r for r in rows if r["id"] == "take_up")
    assert take_up["value"] == "70 % (aangepast; standaard 60 %)"
    assert take_up["range"] == "30 % tot 90 %" and take_up["reliability"] == "C2"
    assert all(r["source"] and r["reliability"] in tables.RELIABILITY_TEXT for r in rows)
    page = tables.assumption_table().data
    assert "Betrouwbaarheid" in page and "<strong>U</strong>: onzeker" in page


def test_colophon_names_version_parameters_hashes_and_source(tmp_path):
    parameters = {
        "region": "isd_midden_langstraat",
        "horizon": 2020,
        "overrides": {},
        "slider_assumption": "take_up",
        "goal_participation": 20.0,
        "goal_net_cost_per_placed": 20000.0,
        "windtunnel_samples": 4000,
        "windtunnel_seed": 0,
    }
    page = provenance.colophon(parameters).data
    assert (
        f"<td>Rekenmodel</td><td>versie {MODEL_VERSION} (programmaversie {__version__})</td>"
        in page
    )
    assert "Bron: CBS" in page and "CC BY 4.0" in page
    # what changed in this model version, from conventions.yaml, in Dutch
    assert f"Nieuw in versie {MODEL_VERSION} van het rekenmodel:" in page
    assert MODEL_CHANGES and all(esc(c.nl) in page for c in MODEL_CHANGES)
    # the parameters in words: no parameter names, ids or Python values
    assert "<td>ISD Midden-Langstraat (Heusden, Loon op Zand, Waalwijk)</td>" in page
    assert "geen aanpassingen" in page and "Meedoen binnen het productiviteitsvenster" in page
    assert (
        "deelname minstens 20,0 % en netto kosten gemeenten hoogstens € 20.000 per geplaatste"
    ) in page
    assert "4.000 per scenario en beleidsoptie, getrokken met startgetal 0" in page
    # the wind tunnel may say 16.000 (a second look at close calls): the colophon says when
    assert "lag een oordeel daarna te dicht bij een grens, dan 16.000" in page
    for trace in ("isd_midden_langstraat", "overrides", "{}", "take_up", "region =", "socecon "):
        assert trace not in page.split("<details>")[0], trace
    # the hashes and the commit, folded away
    details = page.split("<details>")[1]
    for digest in input_hashes().values():
        assert digest in details
    scenarios = DEFINITIONS_DIR / "scenarios.yaml"
    assert hashlib.sha256(scenarios.read_bytes()).hexdigest() in details
    assert "83450NED" in page and "70072ned" in page
    assert re.search(r"Gemaakt op</td><td>\d\d-\d\d-\d{4} \d\d:\d\d", page)
    assert provenance.git_commit(tmp_path) == "onbekend"


def test_colophon_names_changed_assumptions_in_words():
    rows = dict(provenance.parameter_rows({"overrides": {"take_up": 0.7}, "extra": 3}))
    assert rows["Aannames"] == (
        "Meedoen binnen het productiviteitsvenster: 70 % (aangepast; standaard 60 %)"
    )
    assert rows["Overige instelling"] == "3"


def test_key_figures_for_the_index(isd):
    figures = sections.key_figures(isd, "isd_midden_langstraat")
    model = summary(isd, "isd_midden_langstraat")
    assert list(figures)[:2] == ["Doelgroep", "Geplaatst 2015 (basisjaar)"]
    # People rounded to tens, as the report shows them (the index said 1676 where the report
    # says 1.680); whole numbers for the index's JSON
    assert figures["Doelgroep"] == round_people(model.loc["baseline", "target_group"])
    assert figures["Geplaatst 2020 (Publiek)"] == round_people(model.loc["publiek", "placed"])
    assert all(isinstance(v, int) for v in figures.values())
    people = [v for k, v in figures.items() if k.startswith(("Doelgroep", "Geplaatst"))]
    assert len(people) == 6 and all(v % 10 == 0 for v in people)
    placed = zip(people[2:], model.index[1:], strict=True)
    assert any(v != round(model.loc[s, "placed"]) for v, s in placed)
    # euros as the report shows them: whole below € 100.000 (the cost per person placed)
    cost = model.loc["regulier", "net_cost_per_placed"]
    assert figures["Netto kosten gemeente per geplaatste 2020 (Regulier, €)"] == round(cost)


def test_windtunnel_table_pins_the_report_overrides():
    goal = {"participation_min": 20.0, "net_cost_per_placed_max": 20000.0}
    pinned = policy.windtunnel_table("GM0164", goal, overrides={"take_up": 0.6}, n_samples=40)
    free = policy.windtunnel_table("GM0164", goal, n_samples=40)
    width = pinned.participation_p90 - pinned.participation_p10
    # Regulier is limited by take-up in Hengelo, so pinning take_up narrows every option there
    # (Publiek-privaat is bound by its places, where a pinned take-up changes little).
    regulier = (pinned.scenario == "regulier").to_numpy()
    free_width = (free.participation_p90 - free.participation_p10).to_numpy()
    assert (width.to_numpy()[regulier] < 0.7 * free_width[regulier]).all()
    assert set(pinned.option) == set(free.option) and len(pinned) == 4 * len(set(pinned.option))


def test_windtunnel_refuses_overrides_it_cannot_hold_fixed():
    with pytest.raises(AssumptionError, match="only hold scalar assumptions fixed"):
        policy.windtunnel_table("GM0164", {}, overrides={"loonwaarde_wsw": [0.1] * 10}, n_samples=8)
    with pytest.raises(AssumptionError, match="take_up"):
        policy.windtunnel_table("GM0164", {}, overrides={"take_up": 2}, n_samples=8)


def test_windtunnel_summary_explains_each_class():
    goal = {"participation_min": 20.0, "net_cost_per_placed_max": 20000.0}
    table = policy.windtunnel_table("GM0106", goal, n_samples=40)
    html = policy.windtunnel_summary(table).data
    assert "Windtunnel voor Assen (GM0106)" in html
    for option in table.option_name.unique():
        assert option in html
    for word in ("<em>Robuust</em>", "<em>te ver achter</em>", "<em>Onzeker</em>", "8 van de 10"):
        assert word in html, word
    order = ["robuust", "scenarioafhankelijk", "kwetsbaar", "onzeker", "gedomineerd"]
    shown = re.findall(rf"<td[^>]*>({'|'.join(order)})</td>", html)
    assert len(shown) == table.option.nunique()
    assert shown == sorted(shown, key=order.index)  # the best options first
    # Every option's reason is in the table: where it breaks and why, or why it is undecided.
    for option in table.option.unique():
        assert esc(policy.reason_nl(table, option)) in html
    assert "deelname minstens 20,0 %" in html
    # the reading guide explains the search in words, without the method's name
    assert "PRIM" not in html and "het vaakst misgaat" in html


def test_assumption_sources_are_shown_in_dutch():
    rows = {r["id"]: r for r in tables.assumption_rows()}
    assert rows["take_up"]["source"].startswith("IJkpunt: van de mensen die")
    assert rows["hours_per_week"]["source"].startswith("Geen bron voor de gemiddelde")
    english = re.compile(r"\b(the|and|with|no source|derived)\b", re.IGNORECASE)
    for assumption_id, row in rows.items():
        assert not english.search(row["source"]), assumption_id


def test_hindcast_names_the_closest_scenario_with_sources():
    html = lookback.hindcast().data
    assert "het dichtst bij Regulier" in html
    for s in load_definitions().future_scenarios:
        # the study's words about 2020 as a quote with the study as source, then what happened
        section = re.search(
            rf'<section class="socecon-lookback" id="terugblik-{s.id}">.*?'
            r"</section>",
            html,
        ).group(0)
        assert f"<h3>{esc(s.name)}: " in section
        assert lookback.study_quote(s) in section
        assert "<p><strong>Wat er gebeurde:</strong></p><ul><li>" in section
    assert "Kst. 34956-3" in html and "Kanttekening" in html
    # one reliability tag per source: never "(C2) (C)"
    assert not re.search(r"\((?:C|C2|D|U|S)\)\W*\((?:C|C2|D|U|S)\)", html)


def test_a_source_with_a_tag_of_its_own_is_refused(tmp_path):
    doc = (DEFINITIONS_DIR / "hindcast.yaml").read_text(encoding="utf-8")
    broken = doc.replace("source: vo-raad.nl\n", "source: vo-raad.nl (C2)\n", 1)
    assert broken != doc
    path = tmp_path / "hindcast.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"vo-raad.nl \(C2\)' has a reliability tag"):
        load_hindcast(path)


def test_a_municipality_without_target_group_gets_figures_and_a_note():
    # Rozendaal: CBS rounds its bijstand, Wsw and Wajong counts to 0 (fewer than five each).
    frame = run_model("GM0277")
    figures = sections.key_figures(frame, "GM0277")
    assert figures["Doelgroep"] == 0
    assert figures["Netto kosten gemeente per geplaatste 2020 (Regulier, €)"] is None
    assert "De doelgroep is daarom leeg" in sections.introduction("GM0277", 2020).data
    assert "Let op" not in sections.introduction("GM0164", 2020).data
    table = sections.indicator_table(frame, "GM0277").data
    assert "Netto kosten gemeente per geplaatste" in table and "–" in table


def test_reasons_say_what_was_measured_and_what_was_needed():
    table = policy.windtunnel_table(
        "GM0106", {"participation_min": 20.0, "net_cost_per_placed_max": 20000.0}, n_samples=40
    )
    row = table.iloc[0]
    made = table.assign(option="x", status="goal_not_met", goal_share=0.54, **{"class": "fragile"})
    made = made.assign(goal_share_participation=0.99, goal_share_cost=0.55)
    made.attrs.update(table.attrs)
    # Which part of the goal fails: participation of 54 % can still miss a cost limit.
    assert policy.reason_nl(made.iloc[[0]], "x") == (
        f"{row.scenario_name}: doel niet gehaald (gehaald in 54 % van de toekomsten, "
        "nodig is 80 %; deelname hoog genoeg in 99 %, kosten laag genoeg in 55 %)"
    )
    alone = made.assign(goal_share_cost=np.nan)  # a goal on participation only
    alone.attrs.update(made.attrs)
    assert policy.reason_nl(alone.iloc[[0]], "x").endswith("nodig is 80 %)")
    made = made.assign(status="too_much_regret", regret_at=7.6)
    made.attrs.update(table.attrs, regret_percentile=0.9, regret_tolerance=5.0)
    assert policy.reason_nl(made.iloc[[0]], "x") == (
        f"{row.scenario_name}: te ver achter (in 1 van de 10 toekomsten 7,6 procentpunt of meer "
        "achter bij de beste optie, toegestaan is 5,0)"
    )
    made.attrs.update(regret_percentile=1.0)
    assert "in de slechtste toekomst 7,6" in policy.reason_nl(made.iloc[[0]], "x")
