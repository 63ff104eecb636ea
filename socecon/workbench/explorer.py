"""The analyst workbench in JupyterLab: the ipywidgets layout around a workbench.

:class:`Explorer` lays the controls out with ipywidgets and shows the charts through JupyterLab's
built-in Vega-Lite renderer (no CDN, so it works offline). Every control calls the
:class:`~socecon.workbench.controller.Workbench`; a refused change is shown in a visible message
and the control is put back. This is the only module of socecon that imports ipywidgets.

Examples
--------
>>> from socecon.workbench.explorer import Explorer    # doctest: +SKIP
>>> Explorer(["Hengelo", "Assen"])                     # in a notebook cell # doctest: +SKIP
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as w
from IPython.display import display

from socecon.definitions import load_definitions
from socecon.definitions.indicators import load_indicator_definitions
from socecon.definitions.windtunnel import load_windtunnel
from socecon.exceptions import SocEconError, WorkbenchError
from socecon.present.embed import embed_options
from socecon.present.formats import format_euro, format_number, format_percent
from socecon.regions import region_name
from socecon.workbench.controller import CHART_CAPTIONS, VIEWS, WINDTUNNEL_SAMPLES, Workbench
from socecon.workbench.state import (
    EMPTY_SELECTION,
    SliderSpec,
    indicator_names,
    region_options,
    scenario_names,
    slider_specs,
)

#: The MIME type of JupyterLab's built-in Vega-Lite renderer (Vega-Lite 5 in JupyterLab 4).
LAB_MIMETYPE = "application/vnd.vegalite.v5+json"
LAB_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def lab_bundle(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Return a display_data output that JupyterLab draws with its own Vega-Lite renderer.

    JupyterLab 4 bundles Vega-Lite 5 and renders ``application/vnd.vegalite.v5+json`` without
    network; the spec's ``$schema`` is set to v5 accordingly. Numbers use the Dutch locale. The
    legends stand under the charts, so that a chart beside the control panel fits the screen.

    Parameters
    ----------
    spec : mapping
        A Vega-Lite specification (from :meth:`Workbench.specs`).

    Returns
    -------
    dict
        An nbformat ``display_data`` output (for ``ipywidgets.Output.outputs``).
    """
    config = dict(spec.get("config", {}))
    config["legend"] = {**config.get("legend", {}), "orient": "bottom", "columns": 3}
    data = {**spec, "$schema": LAB_SCHEMA, "config": config}
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    return {
        "output_type": "display_data",
        "data": {LAB_MIMETYPE: data, "text/plain": f"<Grafiek: {title or 'zonder titel'}>"},
        "metadata": {LAB_MIMETYPE: {"embed_options": dict(embed_options())}},
    }


def _text_output(text: str) -> dict[str, Any]:
    return {
        "output_type": "display_data",
        "data": {
            "text/html": f'<p class="socecon-note">{html.escape(text)}</p>',
            "text/plain": text,
        },
        "metadata": {},
    }


def _slider(
    cls: type, value: float, low: float, high: float, step: float, width: str = "230px"
) -> Any:
    """Return a slider of the workbench's look: no built-in label or readout, changing when let go.

    The label stands above the slider (it may wrap, so it is never cut) and the readout beside it
    in the Dutch number format (ipywidgets' own readout shows ``20000.00``).

    Parameters
    ----------
    cls : type
        ``ipywidgets.FloatSlider`` or ``ipywidgets.IntSlider``.
    value, low, high, step : float
        Its value, range and step.
    width : str
        CSS width of the slider.

    Returns
    -------
    ipywidgets.FloatSlider or ipywidgets.IntSlider
    """
    return cls(
        value=value,
        min=low,
        max=high,
        step=step,
        continuous_update=False,
        readout=False,
        layout=w.Layout(width=width),
    )


def _label(text: str) -> Any:
    """Return a label above a control that wraps instead of being cut off."""
    return w.HTML(f'<div class="socecon-label">{html.escape(text)}</div>')


def _note(text: str, kind: str = "warning") -> str:
    """Return the HTML of a visible Dutch note (empty text: no note)."""
    if not text:
        return ""
    colours = {"warning": ("#fff3cd", "#6d4c00"), "info": ("#e8f4fd", "#1f5673")}
    bg, fg = colours.get(kind, colours["warning"])
    return (
        f'<div class="socecon-message socecon-{kind}" role="alert" style="background:{bg};'
        f'color:{fg};padding:4px 8px;border-radius:4px;white-space:normal;line-height:1.3">'
        f"{html.escape(text)}</div>"
    )


#: Width of the control panel beside the charts (the charts take the rest of the line).
PANEL_WIDTH = "390px"
#: The panel scrolls within this height, so that it stays beside the charts on a laptop screen.
PANEL_HEIGHT = "640px"
#: The first chart view that is drawn when the workbench opens.
FIRST_VIEW = next(iter(VIEWS))


# --------------------------------------------------------------------------- the view


class Explorer:
    """The ipywidgets layout of the workbench; display it in a notebook cell.

    The controls stand in a panel on the left (it scrolls on its own), the charts on the right in
    one tab per view (:data:`~socecon.workbench.controller.VIEWS`). Only the open view is drawn;
    a view out of sight is brought up to date when it is opened. A refused change is shown next
    to the control it concerns, and the control is put back.

    Parameters
    ----------
    workbench : Workbench or sequence of str, optional
        A workbench, or the regions to start one with (the participating municipalities
        Hengelo and Assen by default).

    Attributes
    ----------
    workbench : Workbench
    search : ipywidgets.Combobox
        Type a name or code (several separated by commas); Enter or :attr:`add` adds them; the
        unknown ones stay in the box with :attr:`search_message` beside it.
    chosen : ipywidgets.SelectMultiple
        The chosen regions; :attr:`remove` drops the highlighted ones.
    scenario_toggles : dict of str to ipywidgets.ToggleButton
    variables : ipywidgets.SelectMultiple
    band_region, ranking_variable, ranking_scenario : ipywidgets.Dropdown
    sliders, readouts, resets : dict of str to widgets
        By assumption id (and ``horizon``): the slider, its Dutch readout and its reset button.
        The sliders under "Meer aannames" are built when that section is opened.
    goal_participation, goal_net_cost : ipywidgets.FloatSlider
        The wind tunnel's goal (in the wind-tunnel tab).
    tabs : ipywidgets.Tab
        One tab per view; :meth:`open_view` opens one by its title.
    outputs : dict of str to ipywidgets.Output
        One per chart of :data:`CHART_CAPTIONS`.
    message, search_message, scenario_message, variables_message, slider_message,
    ranking_message, goal_message, export_message : ipywidgets.HTML
        Visible notes, each next to the controls it concerns.
    export_folder, config_path : ipywidgets.Text
    export_csv, export_iamc, export_png, export_svg, save_config, restore_config : Button
    """

    def __init__(self, workbench: Workbench | Sequence[str] | None = None):
        if not isinstance(workbench, Workbench):
            workbench = Workbench(workbench if workbench is not None else ["GM0164", "GM0106"])
        self.workbench = workbench
        self._syncing = False
        s = workbench.state
        scenarios = scenario_names()
        labels = indicator_names()
        full = w.Layout(width="100%")
        (
            self.message,
            self.search_message,
            self.scenario_message,
            self.variables_message,
            self.slider_message,
            self.ranking_message,
            self.goal_message,
            self.export_message,
        ) = (w.HTML(layout=w.Layout(width="100%")) for _ in range(8))

        self.search = w.Combobox(
            placeholder="Naam of CBS-code (bijv. 0164)",
            options=[label for label, _ in region_options()],
            ensure_option=False,
            continuous_update=False,
            layout=w.Layout(width="250px"),
        )
        self.search.add_class("socecon-search")
        self.add = w.Button(description="Toevoegen", layout=w.Layout(width="110px"))
        self.chosen = w.SelectMultiple(rows=3, layout=w.Layout(width="250px"))
        self.remove = w.Button(description="Verwijderen", layout=w.Layout(width="110px"))
        self.clear = w.Button(description="Alles wissen", layout=w.Layout(width="110px"))
        self.band_region = w.Dropdown(layout=full)
        self.scenario_toggles = {
            sc.id: w.ToggleButton(
                value=sc.id in s.scenarios, description=sc.name, layout=w.Layout(width="170px")
            )
            for sc in load_definitions().future_scenarios
        }
        indicator_options = [(labels[d.id], d.id) for d in load_indicator_definitions()]
        self.variables = w.SelectMultiple(
            options=indicator_options, value=s.variables, rows=4, layout=full
        )
        self.ranking_variable = w.Dropdown(options=indicator_options, value=s.ranking_variable)
        self.ranking_scenario = w.Dropdown(
            options=[(scenarios[k], k) for k in scenarios], value=s.ranking_scenario
        )
        self.sliders: dict[str, Any] = {}
        self.readouts: dict[str, Any] = {}
        self.resets: dict[str, Any] = {}
        main_rows = [self._assumption_row(spec) for spec in slider_specs() if spec.main]
        self.more = w.Accordion(children=[w.VBox()], titles=("Meer aannames",), layout=full)
        self.more.observe(self._on_more, names="selected_index")
        self.reset_all = w.Button(description="Alle aannames terugzetten", icon="undo", layout=full)
        goal = load_windtunnel().default_goal
        self.goal_participation = _slider(
            w.FloatSlider,
            s.goal_participation,
            0,
            goal["participation_min"].slider_max,
            goal["participation_min"].slider_step,
        )
        self.goal_net_cost = _slider(
            w.FloatSlider,
            s.goal_net_cost_per_placed,
            0,
            goal["net_cost_per_placed_max"].slider_max,
            goal["net_cost_per_placed_max"].slider_step,
        )
        self.goal_readouts = (w.Label(), w.Label())
        self.windtunnel_summary = w.HTML()
        self.outputs = {name: w.Output() for name in CHART_CAPTIONS}
        self.export_folder = w.Text(value="exports", layout=w.Layout(width="250px"))
        self.export_csv = w.Button(description="CSV", layout=w.Layout(width="84px"))
        self.export_iamc = w.Button(description="IAMC", layout=w.Layout(width="84px"))
        self.export_png = w.Button(description="PNG", layout=w.Layout(width="84px"))
        self.export_svg = w.Button(description="SVG", layout=w.Layout(width="84px"))
        self.config_path = w.Text(value="werkbank.yaml", layout=w.Layout(width="250px"))
        self.save_config = w.Button(description="Bewaren", layout=w.Layout(width="110px"))
        self.restore_config = w.Button(description="Openen", layout=w.Layout(width="110px"))

        self.search.observe(self._on_search, names="value")
        self.add.on_click(lambda _: self._add(self.search.value))
        self.remove.on_click(
            lambda _: self._apply(
                self.search_message, self.workbench.remove_regions, self.chosen.value
            )
        )
        self.clear.on_click(
            lambda _: self._apply(self.search_message, self.workbench.update, regions=())
        )
        for key, toggle in self.scenario_toggles.items():
            toggle.observe(self._on_scenario(key), names="value")
        self.variables.observe(self._on_change("variables", self.variables_message), names="value")
        self.band_region.observe(self._on_change("band_region", self.search_message), names="value")
        for name, widget in (
            ("ranking_variable", self.ranking_variable),
            ("ranking_scenario", self.ranking_scenario),
        ):
            widget.observe(self._on_change(name, self.ranking_message), names="value")
        self.reset_all.on_click(lambda _: self._apply(self.slider_message, self.workbench.reset))
        self.goal_participation.observe(
            self._on_change("goal_participation", self.goal_message), names="value"
        )
        self.goal_net_cost.observe(
            self._on_change("goal_net_cost_per_placed", self.goal_message), names="value"
        )
        self.export_csv.on_click(lambda _: self._export("csv"))
        self.export_iamc.on_click(lambda _: self._export("iamc"))
        self.export_png.on_click(lambda _: self._export("png"))
        self.export_svg.on_click(lambda _: self._export("svg"))
        self.save_config.on_click(lambda _: self._save())
        self.restore_config.on_click(
            lambda _: self._apply(
                self.export_message, self.workbench.restore, self.config_path.value
            )
        )

        def heading(text: str) -> Any:
            return w.HTML(f"<h4 style='margin:8px 0 2px'>{html.escape(text)}</h4>")

        toggles = list(self.scenario_toggles.values())
        controls = w.VBox(
            [
                heading("Gemeenten"),
                w.HBox([self.search, self.add]),
                self.search_message,
                w.HBox([self.chosen, w.VBox([self.remove, self.clear])]),
                _label("Gemeente voor doelgroep, onzekerheid per aanname en windtunnel"),
                self.band_region,
                heading("Scenario's"),
                w.HBox(toggles[:2]),
                w.HBox(toggles[2:]),
                self.scenario_message,
                heading("Indicatoren"),
                self.variables,
                self.variables_message,
                heading("Aannames"),
                *main_rows,
                self.slider_message,
                self.more,
                self.reset_all,
                heading("Meenemen"),
                _label("Map voor de bestanden"),
                self.export_folder,
                w.HBox([self.export_csv, self.export_iamc, self.export_png, self.export_svg]),
                _label("Instellingen bewaren in of openen uit (.yaml of .json)"),
                self.config_path,
                w.HBox([self.save_config, self.restore_config]),
                self.export_message,
            ],
            layout=w.Layout(flex="0 0 auto", width="100%"),
        )
        # the controls in a box of their own that scrolls: inside it nothing is squeezed
        self.panel = w.Box(
            [controls],
            layout=w.Layout(
                width=PANEL_WIDTH,
                min_width=PANEL_WIDTH,
                max_height=PANEL_HEIGHT,
                overflow="hidden auto",
                padding="0 8px 0 0",
                flex_flow="column",
            ),
        )
        self.panel.add_class("socecon-panel")
        self.tabs = w.Tab(
            children=[self._view(title, names) for title, names in VIEWS.items()],
            titles=tuple(VIEWS),
            layout=w.Layout(flex="1 1 auto", min_width="0"),
        )
        self.tabs.add_class("socecon-views")
        self.tabs.observe(lambda _: self.render(), names="selected_index")
        self.layout = w.VBox([w.HBox([self.panel, w.VBox([self.message, self.tabs])])])
        self.layout.add_class("socecon-explorer")
        self._sync()
        self.render()

    def _view(self, title: str, names: Sequence[str]) -> Any:
        """Build the tab of one view: its own controls, then a caption and output per chart."""
        parts: list[Any] = []
        if title == "Ranglijst":
            parts += [
                w.HBox([_label("Ranglijst op"), self.ranking_variable]),
                w.HBox([_label("in scenario"), self.ranking_scenario]),
                self.ranking_message,
            ]
        if title == "Windtunnel":
            parts += [
                w.HTML(
                    "<p>Elke beleidsoptie doorgerekend in elk scenario, over "
                    f"{format_number(WINDTUNNEL_SAMPLES)} mogelijke toekomsten (combinaties "
                    "van de onzekere aannames; de aannames op de schuiven liggen vast), voor de "
                    "gekozen gemeente.</p>"
                ),
                _label("Doel: deelname van de doelgroep minstens"),
                w.HBox([self.goal_participation, self.goal_readouts[0]]),
                _label("Doel: netto kosten per geplaatste hoogstens"),
                w.HBox([self.goal_net_cost, self.goal_readouts[1]]),
                self.goal_message,
            ]
        for name in names:
            parts += [w.HTML(f"<h4>{html.escape(CHART_CAPTIONS[name])}</h4>"), self.outputs[name]]
            if name == "windtunnel":
                parts.append(self.windtunnel_summary)
        return w.VBox(parts, layout=w.Layout(overflow="auto"))

    def _assumption_row(self, spec: SliderSpec) -> Any:
        """Build the slider of one assumption with its label, readout, reset and source note."""
        cls = w.IntSlider if spec.id == "horizon" else w.FloatSlider
        slider = _slider(cls, self.workbench.value(spec.id), spec.low, spec.high, spec.step)
        slider.add_class("socecon-slider")
        slider.add_class(f"socecon-slider-{spec.id}")
        readout = w.Label(spec.format(slider.value), layout=w.Layout(width="90px"))
        reset = w.Button(
            icon="undo", tooltip=f"Terug naar {spec.format(spec.default)}", layout={"width": "36px"}
        )
        note = (
            f"standaard {spec.format(spec.default)}; bereik {spec.format(spec.low)} tot "
            f"{spec.format(spec.high)}"
        )
        caption = w.HTML(
            f'<small style="color:#555">{html.escape(note)}<details><summary>bron '
            f"(betrouwbaarheid {html.escape(spec.reliability)})</summary>"
            f"{html.escape(spec.source)}</details></small>"
        )
        slider.observe(self._on_slider(spec.id), names="value")
        reset.on_click(self._on_reset(spec.id))
        self.sliders[spec.id], self.readouts[spec.id], self.resets[spec.id] = slider, readout, reset
        return w.VBox([_label(spec.label), w.HBox([slider, readout, reset]), caption])

    # -- display ---------------------------------------------------------------------------

    def _ipython_display_(self) -> None:
        display(self.layout)

    def show_message(self, text: str, kind: str = "warning", where: Any = None) -> None:
        """Show a Dutch note (``warning``, ``info``; empty text hides it) next to a control.

        Parameters
        ----------
        text : str
        kind : {"warning", "info"}
        where : ipywidgets.HTML, optional
            One of the message widgets; :attr:`message` (above the charts) by default.
        """
        (where or self.message).value = _note(text, kind)

    @property
    def view(self) -> str:
        """The title of the open view."""
        return tuple(VIEWS)[self.tabs.selected_index or 0]

    def open_view(self, title: str) -> None:
        """Open the view (tab) with this title and draw it."""
        self.tabs.selected_index = tuple(VIEWS).index(title)

    def render(self) -> None:
        """Bring the charts of the open view up to date with the workbench state.

        Only outputs whose specification changed are replaced; views out of sight are drawn
        when they are opened.
        """
        names = VIEWS[self.view]
        for name in names:
            output = self.outputs[name]
            try:
                spec = self.workbench.specs([name]).get(name)
            except SocEconError as exc:
                output._socecon_spec = None
                output.outputs = (_text_output(str(exc)),)
                continue
            if spec is None:
                new = (_text_output(EMPTY_SELECTION),)
            elif getattr(output, "_socecon_spec", None) is spec:
                continue
            else:
                new = (lab_bundle(spec),)
            output._socecon_spec = spec
            output.outputs = new
        if "windtunnel" in names:
            summary = self.workbench.windtunnel_summary()
            self.windtunnel_summary.value = "".join(
                f"<p>{html.escape(line)}</p>" for line in summary.splitlines() if line
            )

    def _sync(self) -> None:
        """Put every control in line with the workbench state (after a refusal or a reset)."""
        self._syncing = True
        try:
            s = self.workbench.state
            options = [(f"{region_name(r)} ({r})", r) for r in s.regions]
            self.chosen.options = options
            self.band_region.options = options
            self.band_region.value = s.shown_band_region
            for key, toggle in self.scenario_toggles.items():
                toggle.value = key in s.scenarios
            self.variables.value = s.variables
            self.ranking_variable.value = s.ranking_variable
            self.ranking_scenario.value = s.ranking_scenario
            self.goal_participation.value = s.goal_participation
            self.goal_net_cost.value = s.goal_net_cost_per_placed
            self.goal_readouts[0].value = format_percent(s.goal_participation, 0)
            self.goal_readouts[1].value = format_euro(s.goal_net_cost_per_placed)
            for spec in slider_specs():
                if spec.id in self.sliders:
                    value = self.workbench.value(spec.id)
                    self.sliders[spec.id].value = value
                    self.readouts[spec.id].value = spec.format(value)
        finally:
            self._syncing = False

    def _apply(self, where: Any, action: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Run a workbench change; show a refusal at ``where``, re-sync the controls, redraw."""
        try:
            action(*args, **kwargs)
        except WorkbenchError as exc:
            self._sync()
            self.show_message(str(exc), where=where)
            return False
        self._sync()
        self.show_message("", where=where)
        self.show_message(self.workbench.message, "info")
        self.render()
        return True

    # -- handlers ----------------------------------------------------------------------------

    def _add(self, text: str) -> None:
        result: list = []
        ok = self._apply(
            self.search_message, lambda: result.append(self.workbench.add_regions(text))
        )
        if ok:
            _, problem, unknown = result[0]
            self.show_message(problem, where=self.search_message)
            self._syncing = True
            self.search.value = unknown  # the unknown names stay, to be corrected
            self._syncing = False

    def _on_search(self, change: Mapping[str, Any]) -> None:
        if not self._syncing and str(change["new"]).strip():
            self._add(change["new"])

    def _on_more(self, change: Mapping[str, Any]) -> None:
        """Build the sliders of the other assumptions when "Meer aannames" is first opened."""
        box = self.more.children[0]
        if change["new"] is not None and not box.children:
            box.children = [self._assumption_row(s) for s in slider_specs() if not s.main]
            self._sync()

    def _on_slider(self, key: str) -> Callable[[Mapping[str, Any]], None]:
        def handler(change: Mapping[str, Any]) -> None:
            if not self._syncing:
                self._apply(self.slider_message, self.workbench.set_assumption, key, change["new"])

        return handler

    def _on_reset(self, key: str) -> Callable[[Any], None]:
        return lambda _: self._apply(self.slider_message, self.workbench.reset, key)

    def _on_scenario(self, key: str) -> Callable[[Mapping[str, Any]], None]:
        def handler(change: Mapping[str, Any]) -> None:
            if self._syncing:
                return
            chosen = [k for k, t in self.scenario_toggles.items() if t.value]
            self._apply(self.scenario_message, self.workbench.update, scenarios=chosen)

        return handler

    def _on_change(self, field_name: str, where: Any) -> Callable[[Mapping[str, Any]], None]:
        def handler(change: Mapping[str, Any]) -> None:
            if not self._syncing and change["new"] is not None:
                self._apply(where, self.workbench.update, **{field_name: change["new"]})

        return handler

    def _export(self, kind: str) -> None:
        """Write the comparison (``csv``, ``iamc``) or the open view's charts (``png``, ``svg``)."""
        folder = Path(self.export_folder.value or "exports")
        try:
            if kind in ("csv", "iamc"):
                written = [self.workbench.export_csv(folder, "iamc" if kind == "iamc" else "nl")]
            else:
                names = self.workbench.charts(VIEWS[self.view])
                if not names:
                    raise WorkbenchError(EMPTY_SELECTION)
                written = [self.workbench.export_chart(n, folder, kind) for n in names]
        except WorkbenchError as exc:
            self.show_message(str(exc), where=self.export_message)
            return
        names_text = ", ".join(p.name for p in written)
        self.show_message(f"Opgeslagen in {folder}: {names_text}", "info", self.export_message)

    def _save(self) -> None:
        try:
            path = self.workbench.save(self.config_path.value)
        except (WorkbenchError, OSError) as exc:
            self.show_message(str(exc), where=self.export_message)
            return
        self.show_message(f"Instellingen bewaard in {path}", "info", self.export_message)
