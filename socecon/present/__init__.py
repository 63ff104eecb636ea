"""Presentation layer: Dutch number formats, Vega-Lite figures and how charts are embedded.

* :mod:`~socecon.present.formats`: Dutch number formats (the only place numbers become text),
  by the units declared in ``definitions/units.yaml``;
* :mod:`~socecon.present.figures`: scenario, indicator, band, path, difference and ranking charts,
  with the scenario colours and the indicator labels, units and number formats of every chart;
* :mod:`~socecon.present.slider_chart`: the report's precomputed assumption slider;
* :mod:`~socecon.present.windtunnel_chart`: policy options x scenarios;
* :mod:`~socecon.present.embed`: showing a chart in a notebook or an offline report.
"""
