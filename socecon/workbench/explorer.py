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
from socecon.exceptions import WorkbenchError
from socecon.present.embed import embed_options
from socecon.present.formats import format_number
from socecon.regions import region_name
from socecon.workbench.controller import CHART_CAPTIONS, WINDTUNNEL_SAMPLES, Workbench
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
    network; the spec's ``$schema`` is set to v5 accordingly. Numbers use the Dutch locale.

    Parameters
    ----------
    spec : mapping
        A Vega-Lite specification (from :meth:`Workbench.specs`).

    Returns
    -------
    dict
        An nbformat ``display_data`` output (for ``ipywidgets.Output.outputs``).
    """
    data = {**spec, "$schema": LAB_SCHEMA}
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
    cls: type, description: str, value: float, low: float, high: float, step: float, **extra: Any
) -> Any:
    """Return a slider of the workbench's look: wide, labelled, changing when let go.

    Parameters
    ----------
    cls : type
        ``ipywidgets.FloatSlider`` or ``ipywidgets.IntSlider``.
    description : str
        The Dutch label before the slider.
    value, low, high, step : float
        Its value, range and step.
    **extra
        Further slider options (``readout=False``).

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
        description=description,
        style={"description_width": "300px"},
        layout=w.Layout(width="560px"),
        **extra,
    )


# --------------------------------------------------------------------------- the view


class Explorer:
    """The ipywidgets layout of the workbench; display it in a notebook cell.

    Parameters
    ----------
    workbench : Workbench or sequence of str, optional
        A workbench, or the regions to start one with (the participating municipalities
        Hengelo and Assen by default).

    Attributes
    ----------
    workbench : Workbench
    search : ipywidgets.Combobox
        Type a name or code (several separated by commas); Enter or :attr:`add` adds them.
    chosen : ipywidgets.SelectMultiple
        The chosen regions; :attr:`remove` drops the highlighted ones.
    scenario_toggles : dict of str to ipywidgets.ToggleButton
    variables : ipywidgets.SelectMultiple
    band_region, ranking_variable, ranking_scenario : ipywidgets.Dropdown
    sliders : dict of str to ipywidgets.FloatSlider or IntSlider
        By assumption id, plus ``horizon``.
    resets : dict of str to ipywidgets.Button
        One reset button per slider; :attr:`reset_all` resets them all.
    message : ipywidgets.HTML
        A visible note: refused changes, an empty selection, exports written.
    outputs : dict of str to ipywidgets.Output
        One per chart of :data:`CHART_CAPTIONS`.
    export_folder : ipywidgets.Text
    export_csv, export_png, export_svg : ipywidgets.Button
    """

    def __init__(self, workbench: Workbench | Sequence[str] | None = None):
        if not isinstance(workbench, Workbench):
            workbench = Workbench(workbench if workbench is not None else ["GM0164", "GM0106"])
        self.workbench = workbench
        self._syncing = False
        s = workbench.state
        scenarios = scenario_names()
        labels = indicator_names()

        self.search = w.Combobox(
            placeholder="Gemeente of CBS-code, bijv. Hengelo, 0106; meerdere met komma's",
            options=[label for label, _ in region_options()],
            ensure_option=False,
            continuous_update=False,
            layout=w.Layout(width="420px"),
        )
        self.add = w.Button(description="Toevoegen", icon="plus")
        self.chosen = w.SelectMultiple(rows=5, layout=w.Layout(width="420px"))
        self.remove = w.Button(description="Verwijderen", icon="minus")
        self.clear = w.Button(description="Alles wissen")
        self.scenario_toggles = {
            sc.id: w.ToggleButton(value=sc.id in s.scenarios, description=sc.name)
            for sc in load_definitions().future_scenarios
        }
        indicator_options = [(labels[d.id], d.id) for d in load_indicator_definitions()]
        self.variables = w.SelectMultiple(
            options=indicator_options, value=s.variables, rows=6, layout=w.Layout(width="420px")
        )
        self.band_region = w.Dropdown(description="Doelgroep van")
        self.ranking_variable = w.Dropdown(
            options=indicator_options, value=s.ranking_variable, description="Ranglijst op"
        )
        self.ranking_scenario = w.Dropdown(
            options=[(scenarios[k], k) for k in scenarios],
            value=s.ranking_scenario,
            description="in scenario",
        )
        self.sliders: dict[str, Any] = {}
        self.readouts: dict[str, Any] = {}
        self.resets: dict[str, Any] = {}
        slider_rows = [self._assumption_row(spec) for spec in slider_specs()]
        self.reset_all = w.Button(description="Alle aannames terugzetten", icon="undo")
        self.goal_participation = _slider(
            w.FloatSlider, "Doel: deelname doelgroep minstens (%)", s.goal_participation, 0, 100, 1
        )
        self.goal_net_cost = _slider(
            w.FloatSlider,
            "Doel: netto kosten per geplaatste hoogstens (€)",
            s.goal_net_cost_per_placed,
            0,
            50000,
            500,
        )
        self.windtunnel_summary = w.HTML()
        self.message = w.HTML()
        self.outputs = {name: w.Output() for name in CHART_CAPTIONS}
        self.export_folder = w.Text(value="exports", description="Map")
        self.export_csv = w.Button(description="CSV", icon="download")
        self.export_png = w.Button(description="PNG", icon="download")
        self.export_svg = w.Button(description="SVG", icon="download")

        self.search.observe(self._on_search, names="value")
        self.add.on_click(lambda _: self._add(self.search.value))
        self.remove.on_click(
            lambda _: self._apply(self.workbench.remove_regions, self.chosen.value)
        )
        self.clear.on_click(lambda _: self._apply(self.workbench.update, regions=()))
        for key, toggle in self.scenario_toggles.items():
            toggle.observe(self._on_scenario(key), names="value")
        self.variables.observe(self._on_change("variables"), names="value")
        self.band_region.observe(self._on_change("band_region"), names="value")
        self.ranking_variable.observe(self._on_change("ranking_variable"), names="value")
        self.ranking_scenario.observe(self._on_change("ranking_scenario"), names="value")
        self.reset_all.on_click(lambda _: self._apply(self.workbench.reset))
        self.goal_participation.observe(self._on_change("goal_participation"), names="value")
        self.goal_net_cost.observe(self._on_change("goal_net_cost_per_placed"), names="value")
        self.export_csv.on_click(lambda _: self._export(("csv",)))
        self.export_png.on_click(lambda _: self._export(("png",)))
        self.export_svg.on_click(lambda _: self._export(("svg",)))

        def section(title: str, *children):
            return w.VBox([w.HTML(f"<h3>{html.escape(title)}</h3>"), *children])

        charts = [
            section(CHART_CAPTIONS[name], self.outputs[name])
            for name in ("indicatoren", "verschil", "doelgroep", "ranglijst")
        ]
        self.layout = w.VBox(
            [
                section(
                    "Gemeenten",
                    w.HBox([self.search, self.add]),
                    w.HBox([self.chosen, w.VBox([self.remove, self.clear])]),
                ),
                section("Scenario's", w.HBox(list(self.scenario_toggles.values()))),
                section("Indicatoren", self.variables),
                section("Aannames", *slider_rows, self.reset_all),
                self.message,
                *charts[:2],
                self.band_region,
                charts[2],
                w.HBox([self.ranking_variable, self.ranking_scenario]),
                charts[3],
                section(
                    CHART_CAPTIONS["windtunnel"],
                    w.HTML(
                        "<p>Elke beleidsoptie doorgerekend in elk scenario, over "
                        f"{format_number(WINDTUNNEL_SAMPLES)} mogelijke toekomsten "
                        "(combinaties van de onzekere aannames; de "
                        "aannames hierboven liggen vast), voor de gemeente van de "
                        "doelgroepgrafiek.</p>"
                    ),
                    self.goal_participation,
                    self.goal_net_cost,
                    self.outputs["windtunnel"],
                    self.windtunnel_summary,
                    w.HTML(f"<h4>{html.escape(CHART_CAPTIONS['aannames'])}</h4>"),
                    self.outputs["aannames"],
                ),
                section(
                    "Meenemen",
                    w.HBox([self.export_folder, self.export_csv, self.export_png, self.export_svg]),
                ),
            ]
        )
        self.layout.add_class("socecon-explorer")
        self._sync()
        self.render()

    def _assumption_row(self, spec: SliderSpec) -> Any:
        """Build the slider of one assumption with its readout, reset button and caption."""
        cls = w.IntSlider if spec.id == "horizon" else w.FloatSlider
        value = self.workbench.value(spec.id)
        slider = _slider(cls, spec.label, value, spec.low, spec.high, spec.step, readout=False)
        slider.add_class("socecon-slider")
        slider.add_class(f"socecon-slider-{spec.id}")
        readout = w.Label(spec.format(slider.value), layout=w.Layout(width="140px"))
        reset = w.Button(
            icon="undo", tooltip=f"Terug naar {spec.format(spec.default)}", layout={"width": "40px"}
        )
        caption = w.HTML(f'<small style="color:#555">{html.escape(spec.caption())}</small>')
        slider.observe(self._on_slider(spec.id), names="value")
        reset.on_click(self._on_reset(spec.id))
        self.sliders[spec.id], self.readouts[spec.id], self.resets[spec.id] = slider, readout, reset
        return w.VBox([w.HBox([slider, readout, reset]), caption])

    # -- display ---------------------------------------------------------------------------

    def _ipython_display_(self) -> None:
        display(self.layout)

    def show_message(self, text: str, kind: str = "warning") -> None:
        """Show a Dutch note above the charts (``warning``, ``info`` or empty to hide)."""
        colours = {"warning": ("#fff3cd", "#8a6d3b"), "info": ("#e8f4fd", "#31708f")}
        if not text:
            self.message.value = ""
            return
        bg, fg = colours.get(kind, colours["warning"])
        self.message.value = (
            f'<div class="socecon-message socecon-{kind}" role="alert" style="background:{bg};'
            f'color:{fg};padding:6px 10px;border-radius:4px">{html.escape(text)}</div>'
        )

    def render(self) -> None:
        """Bring every chart output up to date with the workbench state.

        The comparison charts are sent first; only outputs whose specification changed are
        replaced (so a change of the ranking scenario leaves the other charts alone).
        """
        specs = self.workbench.specs()
        for name, output in self.outputs.items():
            spec = specs.get(name)
            if spec is None:
                new = (_text_output(EMPTY_SELECTION),)
            elif getattr(output, "_socecon_spec", None) is spec:
                continue
            else:
                new = (lab_bundle(spec),)
            output._socecon_spec = spec
            output.outputs = new
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
            for spec in slider_specs():
                value = self.workbench.value(spec.id)
                self.sliders[spec.id].value = value
                self.readouts[spec.id].value = spec.format(value)
        finally:
            self._syncing = False

    def _apply(self, action: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Run a workbench change; show a refusal, re-sync the controls and redraw."""
        try:
            action(*args, **kwargs)
        except WorkbenchError as exc:
            self._sync()
            self.show_message(str(exc))
            return False
        self._sync()
        self.show_message(self.workbench.message, "info")
        self.render()
        return True

    # -- handlers ----------------------------------------------------------------------------

    def _add(self, text: str) -> None:
        if self._apply(self.workbench.add_regions, text):
            self._syncing = True
            self.search.value = ""
            self._syncing = False

    def _on_search(self, change: Mapping[str, Any]) -> None:
        if not self._syncing and str(change["new"]).strip():
            self._add(change["new"])

    def _on_slider(self, key: str) -> Callable[[Mapping[str, Any]], None]:
        def handler(change: Mapping[str, Any]) -> None:
            if not self._syncing:
                self._apply(self.workbench.set_assumption, key, change["new"])

        return handler

    def _on_reset(self, key: str) -> Callable[[Any], None]:
        return lambda _: self._apply(self.workbench.reset, key)

    def _on_scenario(self, key: str) -> Callable[[Mapping[str, Any]], None]:
        def handler(change: Mapping[str, Any]) -> None:
            if self._syncing:
                return
            chosen = [k for k, t in self.scenario_toggles.items() if t.value]
            self._apply(self.workbench.update, scenarios=chosen)

        return handler

    def _on_change(self, field_name: str) -> Callable[[Mapping[str, Any]], None]:
        def handler(change: Mapping[str, Any]) -> None:
            if not self._syncing and change["new"] is not None:
                self._apply(self.workbench.update, **{field_name: change["new"]})

        return handler

    def _export(self, formats: Sequence[str]) -> None:
        folder = Path(self.export_folder.value or "exports")
        try:
            if formats == ("csv",):
                written = [self.workbench.export_csv(folder)]
            else:
                written = [
                    self.workbench.export_chart(name, folder, fmt)
                    for name in self.workbench.charts()
                    for fmt in formats
                ]
        except WorkbenchError as exc:
            self.show_message(str(exc))
            return
        names = ", ".join(p.name for p in written)
        self.show_message(f"Opgeslagen in {folder}: {names}", "info")
