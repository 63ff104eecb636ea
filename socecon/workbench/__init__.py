"""The analyst workbench: choose regions, scenarios and assumptions, see and export the charts.

* :mod:`~socecon.workbench.state`: what the analyst has chosen: the slider specifications of the
  key assumptions (ranges from ``assumptions.yaml``, steps and formats from ``units.yaml``), the
  search box's regions, and the immutable, validated :class:`~socecon.workbench.state.State`
  with Dutch refusals;
* :mod:`~socecon.workbench.controller`: :class:`~socecon.workbench.controller.Workbench`, which
  changes the state, runs the model, the time path, the uncertainty and the wind tunnel for it
  (cached, each only when a view needs it) and builds the chart specifications of every view,
  without any widget;
* :mod:`~socecon.workbench.exports`: export file names after what they show, the Dutch and the
  IAMC CSV of the comparison, charts as PNG or SVG;
* :mod:`~socecon.workbench.config`: the analyst's settings as a small JSON or YAML file, read
  back by the workbench and by ``socecon run --config``;
* :mod:`~socecon.workbench.explorer`: the ipywidgets layout in JupyterLab around a
  :class:`~socecon.workbench.controller.Workbench` (the only module that imports ipywidgets).
"""
