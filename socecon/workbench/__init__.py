"""The analyst workbench: choose regions, scenarios and assumptions, see and export the charts.

* :mod:`~socecon.workbench.state`: what the analyst has chosen: the slider specifications of the
  key assumptions (ranges from ``assumptions.yaml``, steps and formats from ``units.yaml``), the
  search box's regions, and the immutable, validated :class:`~socecon.workbench.state.State`
  with Dutch refusals;
* :mod:`~socecon.workbench.controller`: :class:`~socecon.workbench.controller.Workbench`, which
  changes the state, runs the model and the wind tunnel for it (cached) and builds the chart
  specifications, without any widget;
* :mod:`~socecon.workbench.exports`: export file names after what they show, the Dutch CSV of
  the comparison, charts as PNG or SVG;
* :mod:`~socecon.workbench.explorer`: the ipywidgets layout in JupyterLab around a
  :class:`~socecon.workbench.controller.Workbench` (the only module that imports ipywidgets).
"""
