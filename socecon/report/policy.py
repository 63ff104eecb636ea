"""The wind-tunnel section of the report: policy options tested in every scenario, in Dutch.

:func:`windtunnel_table` runs the wind tunnel of :mod:`socecon.analysis.windtunnel` for one region
with the report's overrides held fixed; :func:`summary_nl` writes its verdict as a few Dutch
sentences (also printed by ``socecon windtunnel`` and shown in the workbench), :func:`reason_nl`
says per option why it got its verdict, and :func:`windtunnel_summary` turns both into the
report's HTML section. The words are plain Dutch for a municipal officer: "spijt" and "P10-P90"
are explained as "achterblijven bij de beste optie" and "in 8 van de 10 doorgerekende
toekomsten".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from socecon.analysis.criteria import (
    CLOSE_CALL_REGRET,
    CLOSE_CALL_SHARE,
    CONFIDENCE_LEVEL,
    DEFAULT_THRESHOLD,
    OBJECTIVES,
    VERDICTS,
    Goal,
)
from socecon.analysis.windtunnel import DEFAULT_SAMPLES, WindTunnelResult
from socecon.definitions import DEFAULT_HORIZON, REGION_CODE
from socecon.definitions.units import unit
from socecon.definitions.windtunnel import load_windtunnel
from socecon.exceptions import WindTunnelError
from socecon.present.formats import and_list, format_assumption, format_number, format_plain
from socecon.present.windtunnel_chart import drivers_chart
from socecon.present.wording import council_label
from socecon.report import windtunnel_tables
from socecon.report.region_figures import ReportRegion, resolve_region
from socecon.report.tables import as_html, esc, html_table


def report_goal(
    participation_min: float | None = None, net_cost_per_placed_max: float | None = None
) -> dict[str, float]:
    """Return the wind tunnel's goal, each part not given taken from ``windtunnel.yaml``.

    Parameters
    ----------
    participation_min : float, optional
        Participation of the target group at least this many percent.
    net_cost_per_placed_max : float, optional
        Net cost per placed person at most this many euros a year.

    Returns
    -------
    dict
        ``{"participation_min": ..., "net_cost_per_placed_max": ...}`` as floats.
    """
    given = {
        "participation_min": participation_min,
        "net_cost_per_placed_max": net_cost_per_placed_max,
    }
    defaults = load_windtunnel().default_goal
    return {k: float(defaults[k].value if v is None else v) for k, v in given.items()}


def describe_goal(goal: Goal | None) -> str:
    """Return a wind-tunnel goal in Dutch.

    Parameters
    ----------
    goal : Goal or None
        The goal; None or an empty goal reads as "geen doel gesteld".

    Returns
    -------
    str
        E.g. ``deelname minstens 25,0 % en netto kosten gemeente hoogstens € 15.000 per
        geplaatste`` (the net cost is the gemeente's own, as the summary and tables name it).
    """
    parts = []
    if goal is not None and goal.participation_min is not None:
        parts.append(f"deelname minstens {format_number(goal.participation_min, 1)} %")
    if goal is not None and goal.net_cost_per_placed_max is not None:
        parts.append(
            "netto kosten gemeente hoogstens "
            f"€ {format_number(goal.net_cost_per_placed_max)} per geplaatste"
        )
    if goal is not None and goal.net_cost_max is not None:
        parts.append(
            f"netto kosten gemeente hoogstens € {format_number(goal.net_cost_max)} per jaar"
        )
    return " en ".join(parts) if parts else "geen doel gesteld"


def windtunnel_table(
    region: str | ReportRegion,
    goal: Mapping[str, float],
    *,
    horizon: int = DEFAULT_HORIZON,
    overrides: Mapping[str, Any] | None = None,
    n_samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    indeling: int | str | None = None,
) -> pd.DataFrame:
    """Run the wind tunnel for one region, with the report's overrides held fixed.

    Scalar overrides pin the assumption in every uncertainty sample (its range becomes a point);
    other overrides (distributions) cannot be sampled around and are refused.

    Parameters
    ----------
    region : str or ReportRegion
        The report's region (which carries its indeling), or a region id.
    goal : mapping
        Keyword arguments of :class:`socecon.analysis.windtunnel.Goal` (e.g. ``participation_min``).
    horizon : int
    overrides : mapping, optional
    n_samples, seed : int
        Uncertainty samples and their seed (fixed: the same report twice gives the same table).
    indeling : int or str, optional
        For a region id: the municipal boundaries (2015 or 2025, the declared default when
        None). A :class:`ReportRegion` keeps its own.

    Returns
    -------
    pandas.DataFrame
        The option x scenario matrix of :func:`socecon.analysis.windtunnel.matrix`: in a report
        batch the table its wind-tunnel pass stored for exactly these inputs, else computed
        here (:mod:`socecon.report.windtunnel_tables`; the same table either way).
    """
    place = resolve_region(region, indeling)
    inputs = dict(horizon=horizon, overrides=overrides, n_samples=n_samples, seed=seed)
    stored = windtunnel_tables.read_table(place, goal, **inputs)
    if stored is not None:
        return stored
    return windtunnel_tables.compute_tables([place], goal, **inputs)[0]


def share_of_futures(share: float) -> str:
    """Return a share of the computed futures in plain Dutch.

    Parameters
    ----------
    share : float
        In [0, 1].

    Returns
    -------
    str
        ``"8 van de 10"`` for whole tenths, ``"alle"`` for 1, else a percentage (``"85 %"``).
    """
    tenths = share * 10
    if share >= 1:
        return "alle"
    if abs(tenths - round(tenths)) < 1e-9:
        return f"{round(tenths)} van de 10"
    return f"{format_number(share * 100)} %"


def _pct(value: float) -> str:
    return f"{format_number(value * 100)} %"


def _cell_reason(row: Any, attrs: Mapping[str, Any]) -> str:
    """Why one cell (option x scenario) breaks or is undecided, in Dutch."""
    scen = row.scenario_name
    tolerance = attrs.get("regret_tolerance")
    if row.status == "goal_not_met":
        needed = _pct(attrs.get("threshold", DEFAULT_THRESHOLD))
        parts = ""
        part_shares = (
            getattr(row, "goal_share_participation", None),
            getattr(row, "goal_share_cost", None),
        )
        if all(v is not None and v == v for v in part_shares):  # both parts set (not NaN)
            parts = (
                f"; deelname hoog genoeg in {_pct(part_shares[0])}, kosten laag genoeg in "
                f"{_pct(part_shares[1])}"
            )
        return (
            f"{scen}: doel niet gehaald (gehaald in {_pct(row.goal_share)} van de toekomsten, "
            f"nodig is {needed}{parts})"
        )
    if row.status == "too_much_regret":
        percentile = attrs.get("regret_percentile", 1.0)
        where = (
            "in de slechtste toekomst"
            if percentile >= 1
            else f"in {share_of_futures(round(1 - percentile, 9))} toekomsten"
        )
        return (
            f"{scen}: te ver achter ({where} {format_number(row.regret_at, 1)} procentpunt of "
            f"meer achter bij de beste optie, toegestaan is {format_number(tolerance, 1)})"
        )
    parts = []
    if row.goal_state == 0:
        threshold = attrs.get("threshold", DEFAULT_THRESHOLD)
        parts.append(
            f"doel gehaald in {_pct(row.goal_share)} van de toekomsten, nodig is "
            f"{_pct(threshold)}; {_pct(max(threshold - CLOSE_CALL_SHARE, 0))} tot "
            f"{_pct(min(threshold + CLOSE_CALL_SHARE, 1))} geldt als onbeslist, en de rekenmarge "
            f"loopt van {_pct(row.goal_share_low)} tot {_pct(row.goal_share_high)}"
        )
    if row.regret_state == 0 and tolerance is not None:
        band = tolerance * CLOSE_CALL_REGRET
        parts.append(
            f"achterstand op de beste optie {format_number(row.regret_low, 1)} tot "
            f"{format_number(row.regret_high, 1)} procentpunt, rond de grens van "
            f"{format_number(tolerance, 1)} ({format_number(tolerance - band, 1)} tot "
            f"{format_number(tolerance + band, 1)} geldt als onbeslist)"
        )
    return f"{scen}: te dicht bij de grens ({'; '.join(parts)})"


#: Why an option without a target group gets no verdict (verdict ``no_target_group``).
NO_TARGET_GROUP = (
    "niet te beoordelen: het CBS telt hier niemand in de doelgroep, dus er is geen deelname om "
    "te halen"
)


def reason_nl(table: pd.DataFrame, option: str) -> str:
    """Return why an option got its verdict, in plain Dutch.

    Parameters
    ----------
    table : pandas.DataFrame
        A matrix from :func:`socecon.analysis.windtunnel.matrix`.
    option : str
        Option id.

    Returns
    -------
    str
        E.g. ``"Regulier: doel niet gehaald (gehaald in 46 % van de toekomsten, nodig is
        80 %)"``; for a robust option
        that it holds everywhere, for a dominated one which option beats it, without a target
        group why nothing is judged.
    """
    rows = table[table["option"] == option]
    verdict = rows["class"].iloc[0]
    if verdict == "no_target_group":
        return NO_TARGET_GROUP
    if verdict == "dominated":
        return (
            f"gedomineerd door '{rows['dominated_by'].iloc[0]}': die plaatst in elke toekomst "
            "minstens evenveel mensen tegen hoogstens dezelfde kosten"
        )
    if verdict == "robust":
        return "houdt in elk scenario stand"
    wanted = ("undecided",) if verdict == "undecided" else ("goal_not_met", "too_much_regret")
    reasons = [_cell_reason(r, table.attrs) for r in rows.itertuples() if r.status in wanted]
    return "; ".join(reasons)


def _bound(value: float, unit_id: str) -> str:
    """Return a box bound in Dutch, in the parameter's unit (shares as percentages)."""
    if not unit_id:
        return format_number(value, 2)
    u = unit(unit_id)
    if u.is_share or u.is_euro:
        shown = round(value, 3) if u.is_share else round(value)
        return format_assumption(shown, unit_id)
    return f"{format_number(value, 2)} {u.label}"


def breaks_when_nl(table: pd.DataFrame, option: str) -> str:
    """Return under which sampled assumptions an option fails, in plain Dutch.

    Parameters
    ----------
    table : pandas.DataFrame
        A matrix from :func:`socecon.analysis.windtunnel.matrix` (with the columns of
        :func:`socecon.analysis.discovery.option_table`).
    option : str
        Option id.

    Returns
    -------
    str
        E.g. ``"faalt vooral als deelname (take-up) onder 45 % blijft (daar gaat het mis in
        92 % van de toekomsten, tegen 60 % gemiddeld; 70 % van alle keren dat het misgaat valt
        daarin)"``; the share of futures that fail (in the scenarios where the option does not
        hold) when no condition explains them; empty for a robust or dominated option.
    """
    row = table[table["option"] == option].iloc[0]
    if "fail_share" not in table.columns or row["fail_share"] != row["fail_share"]:
        return ""
    overall = _pct(row["fail_share"])
    conditions = []
    for _, label, unit_id, low, high in row["breaks_when"]:
        name = label[:1].lower() + label[1:]
        if low is not None and high is not None:
            text = f"tussen {_bound(low, unit_id)} en {_bound(high, unit_id)} ligt"
        elif high is not None:
            text = f"onder {_bound(high, unit_id)} blijft"
        else:
            text = f"boven {_bound(low, unit_id)} komt"
        conditions.append(f"{name} {text}")
    if not conditions:
        return (
            f"geen duidelijke voorwaarde: het gaat mis in {overall} van de toekomsten, "
            "verspreid over alle aannames"
        )
    return (
        f"faalt vooral als {' en '.join(conditions)} (daar gaat het mis in "
        f"{_pct(row['breaks_when_density'])} van de toekomsten, tegen {overall} gemiddeld; "
        f"{_pct(row['breaks_when_coverage'])} van alle keren dat het misgaat valt daarin)"
    )


def drivers_nl(table: pd.DataFrame) -> str:
    """Return one Dutch sentence on which assumptions drive the options' results most.

    Parameters
    ----------
    table : pandas.DataFrame
        A matrix with the ``drivers`` column (:func:`socecon.analysis.discovery.option_table`).

    Returns
    -------
    str
        The text alternative of :func:`socecon.present.windtunnel_chart.drivers_chart`.
    """
    if (table["class"] == "no_target_group").all():
        return "Zonder doelgroep heeft geen enkele aanname invloed op de deelname."
    per_option = table.drop_duplicates("option")
    firsts = [d[0][1] for d in per_option["drivers"] if d]
    if not firsts:
        return "Geen van de onzekere aannames heeft merkbaar invloed op de deelname."
    top = max(dict.fromkeys(firsts), key=firsts.count)
    count = firsts.count(top)
    share = f"alle {count}" if count == len(per_option) else f"{count} van de {len(per_option)}"
    return (
        f"Bij {share} beleidsopties hangt de deelname het "
        f"meest af van de aanname '{top}'; de grafiek toont per optie de "
        f"{len(per_option['drivers'].iloc[0])} aannames met de meeste invloed."
    )


def drivers_figure(table: pd.DataFrame) -> Any:
    """Return the drivers chart of the wind tunnel, with :func:`drivers_nl` as its description.

    Parameters
    ----------
    table : pandas.DataFrame
        A matrix from :func:`windtunnel_table`.

    Returns
    -------
    altair.Chart
    """
    return drivers_chart(table, drivers_nl(table))


def drivers_caption(table: pd.DataFrame) -> Any:
    """Return :func:`drivers_nl` as an HTML paragraph: the text alternative shown under the chart.

    Parameters
    ----------
    table : pandas.DataFrame

    Returns
    -------
    IPython.display.HTML
    """
    return as_html(f"<p>{esc(drivers_nl(table))}</p>")


#: How the report's list of verdicts introduces each verdict (a short B1 explanation).
_VERDICT_LEADS = {
    "robust": "houdt in elk scenario stand",
    "scenario_dependent": "houdt stand in een deel van de scenario's",
    "fragile": "houdt in geen enkel scenario stand",
    "undecided": "te dicht bij een grens om te beslissen",
    "dominated": "een andere optie doet het overal minstens even goed",
    "no_target_group": "niet te beoordelen, want niemand hoort hier bij de doelgroep",
}


def _verdict_list(table: pd.DataFrame, options: pd.DataFrame) -> str:
    """Return the options per verdict as a short HTML list; the reasons stay in the table."""
    holds = table[table["holds"]].groupby("option", sort=False)["scenario_name"].agg(list)
    items = []
    for verdict, lead in _VERDICT_LEADS.items():
        chosen = options[options["class"] == verdict]
        if chosen.empty:
            continue
        names = []
        for r in chosen.itertuples():
            where = holds.get(r.option) if verdict == "scenario_dependent" else None
            names.append(
                f"‘{esc(r.option_name)}’" + (f" (stand in {esc(and_list(where))})" if where else "")
            )
        items.append(
            f"<li><strong>{esc(VERDICTS[verdict].capitalize())}</strong> ({lead}): "
            + "; ".join(names)
            + "</li>"
        )
    return f"<ul>{''.join(items)}</ul>" if items else ""


def windtunnel_summary(table: pd.DataFrame) -> Any:
    """Return the wind tunnel's verdict for a region as Dutch HTML: the verdicts and why.

    Parameters
    ----------
    table : pandas.DataFrame
        A matrix from :func:`windtunnel_table`.

    Returns
    -------
    IPython.display.HTML
        The Dutch summary paragraphs, a reading guide, then one row per option with its
        verdict, the reason (where it breaks and why, or why it is undecided) and how far it
        stays behind the best option at worst.
    """
    lines = [line for line in summary_nl(table).splitlines() if line]
    # the goal, and (without a robust option) which one comes closest; the list says the rest
    shown = lines[:1] if (table["class"] == "robust").any() else lines[:2]
    paragraphs = "".join(f"<p>{esc(line)}</p>" for line in shown)
    rank = {c: i for i, c in enumerate(VERDICTS)}  # robust first, "geen doelgroep" last
    options = (
        table.drop_duplicates("option")
        .assign(rank=lambda d: d["class"].map(rank))
        .sort_values(["rank", "option_name"], kind="stable")
    )
    if (options["class"] == "no_target_group").all():
        return as_html(paragraphs)  # nothing judged: no list, guide or table of verdicts
    rows = [
        (
            r.option_name,
            r.class_name,
            reason_nl(table, r.option),
            breaks_when_nl(table, r.option) or "-",
            "-"
            if r.max_regret != r.max_regret  # NaN: no target group
            else format_plain(round(float(r.max_regret), 1)) + " procentpunt",
        )
        for r in options.itertuples()
    ]
    paragraphs += _verdict_list(table, options)
    threshold = table.attrs.get("threshold", DEFAULT_THRESHOLD)
    percentile = table.attrs.get("regret_percentile", 1.0)
    tolerance = table.attrs.get("regret_tolerance") or 0
    level = table.attrs.get("level", CONFIDENCE_LEVEL)
    guide = [
        "Elke beleidsoptie is een bundel maatregelen uit de studie.",
        "De windtunnel rekent elke optie door in elk scenario, telkens voor "
        f"{format_number(int(table.attrs.get('n_samples', 0)))} mogelijke toekomsten "
        "(combinaties van de onzekere aannames).",
        "Een optie <em>houdt stand</em> in een scenario als ze het doel haalt in minstens "
        f"{esc(share_of_futures(threshold))} doorgerekende toekomsten. Ook mag ze in "
        f"{esc(share_of_futures(percentile))} toekomsten hoogstens {format_plain(tolerance)} "
        "procentpunt deelname achterblijven bij de beste optie in diezelfde toekomst. Blijft ze "
        "verder achter, dan is ze <em>te ver achter</em>.",
        "<em>Robuust</em>: houdt in elk scenario stand.",
        "<em>Scenarioafhankelijk</em>: houdt in sommige scenario's stand en in andere niet.",
        "<em>Kwetsbaar</em>: houdt in geen enkel scenario stand.",
        "<em>Gedomineerd</em>: een andere optie plaatst in elke toekomst minstens evenveel "
        "mensen tegen hoogstens dezelfde kosten.",
        *(
            [
                "<em>Geen doelgroep</em>: het CBS telt niemand in de doelgroep, dus er is niets te "
                "beoordelen."
            ]
            if (options["class"] == "no_target_group").any()
            else []
        ),
        "<em>Onzeker</em>: de uitkomst ligt te dicht bij een grens om te beslissen. Het toeval "
        "in de gekozen toekomsten kan het oordeel dan omdraaien. Dat geldt ook binnen "
        f"{format_number(CLOSE_CALL_SHARE * 100)} procentpunt van de grens bij het doel: zo'n "
        "klein verschil zegt niets, omdat de aannames zelf onzeker zijn.",
        f"Een oordeel dat niet onzeker is, staat met {format_number(level * 100)} % zekerheid "
        "vast.",
        "<em>Waar het misgaat</em>: onder welke onzekere aannames een optie die niet "
        "standhoudt vooral faalt. De berekening zoekt in alle doorgerekende toekomsten het "
        "bereik van een aanname waarin het het vaakst misgaat.",
    ]
    explanation = (
        "<p><strong>Zo leest u de tabel.</strong></p><ul>"
        + "".join(f"<li>{item}</li>" for item in guide)
        + "</ul>"
    )
    table_html = html_table(
        [
            "Beleidsoptie",
            "Oordeel",
            "Waarom",
            "Waar het misgaat",
            "Grootste achterstand op de beste optie (in "
            f"{share_of_futures(percentile)} toekomsten hoogstens)",
        ],
        rows,
        caption="Doel: "
        + council_label(describe_goal(table.attrs.get("goal")), table["region"].iloc[0]),
        numeric=[False, False, False, False, True],
    )
    return as_html(paragraphs + explanation + table_html)


def summary_nl(result: WindTunnelResult | pd.DataFrame) -> str:
    """Return a few Dutch sentences: which options hold up for this region, and why.

    Parameters
    ----------
    result : WindTunnelResult or pandas.DataFrame
        A result of :func:`evaluate`, or the table of :func:`matrix`.

    Returns
    -------
    str
    """
    table = result.table() if isinstance(result, WindTunnelResult) else result
    need = {"option_name", "scenario_name", "class", "status", "dominated_by", "max_regret"}
    if not need <= set(table.columns) or table.empty:
        raise WindTunnelError("summary_nl needs a wind-tunnel result or the table of matrix()")
    per_option = table.groupby("option", sort=False).first()
    n_scen = table["scenario"].nunique()
    name, code = table["region_name"].iloc[0], table["region"].iloc[0]
    # a CBS code helps a reader; a group's internal id does not
    region = f"{name} ({code})" if REGION_CODE.match(code) else name
    goal = (
        council_label(describe_goal(table.attrs["goal"]), code)
        if "goal" in table.attrs
        else "het gestelde doel"
    )
    threshold = table.attrs.get("threshold", DEFAULT_THRESHOLD)
    unit_label = unit(OBJECTIVES[table.attrs.get("objective", "participation_rate")][1]).label
    tolerance = table.attrs.get("regret_tolerance")
    percentile = table.attrs.get("regret_percentile", 1.0)
    n = table.attrs.get("n_samples")
    by_class = {c: per_option[per_option["class"] == c] for c in VERDICTS}
    empty = by_class["no_target_group"]
    judged = len(empty) < len(per_option)  # else the rule of "houdt stand" does not matter
    lines = [
        f"Windtunnel voor {region}: {len(per_option)} beleidsopties doorgerekend in {n_scen} "
        f"scenario's, elk in {format_number(n) if n else 'een reeks'} mogelijke toekomsten. "
        f"Doel: {goal}, gehaald in minstens {share_of_futures(threshold)} doorgerekende "
        "toekomsten."
        + (
            f" Een optie houdt stand als ze bovendien in {share_of_futures(percentile)} "
            f"toekomsten hoogstens {format_number(tolerance, 1)} {unit_label} achterblijft bij "
            "de beste optie (anders: te ver achter)."
            if tolerance is not None and judged
            else ""
        )
    ]
    robust = by_class["robust"].sort_values("max_regret")
    if not judged:  # say why, and not that options hold or fail
        lines.append(
            f"Geen doelgroep: het CBS telt in {name} niemand in de doelgroep. Dan is er geen "
            f"deelname om te halen, dus de windtunnel kan geen van de {len(per_option)} "
            "beleidsopties beoordelen."
        )
    elif len(robust):
        names = ", ".join(f"'{n}'" for n in robust["option_name"])
        lines.append(f"Robuust ({len(robust)}): {names}; houdt in elk scenario stand.")
    else:
        closest = per_option[~per_option["class"].isin(["dominated", "no_target_group"])]
        closest = closest.sort_values("goal_share_all", ascending=False)
        text = "Geen enkele optie houdt zeker in elk scenario stand."
        if len(closest):
            c = closest.iloc[0]
            text += (
                f" Het dichtst bij komt '{c['option_name']}' (doel gehaald in "
                f"{_pct(c['goal_share_all'])} van alle doorgerekende toekomsten)."
            )
        lines.append(text)
    for verdict, intro in (
        ("scenario_dependent", "Scenarioafhankelijk"),
        ("undecided", "Onzeker, te dicht bij een grens om te beslissen"),
        ("dominated", "Gedomineerd"),
    ):
        chosen = by_class[verdict]
        if len(chosen):
            parts = [f"'{r.option_name}' ({reason_nl(table, o)})" for o, r in chosen.iterrows()]
            lines.append(f"{intro}: {'; '.join(parts)}.")
    fragile = by_class["fragile"]
    if len(fragile):
        names = ", ".join(f"'{n}'" for n in fragile["option_name"])
        lines.append(f"Kwetsbaar, houdt in geen enkel scenario stand: {names}.")
    if 0 < len(empty) < len(per_option):
        names = ", ".join(f"'{n}'" for n in empty["option_name"])
        lines.append(f"Geen doelgroep, dus niet te beoordelen: {names}.")
    return "\n".join(lines)
