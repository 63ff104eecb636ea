"""Presentation layer: Dutch number formats, Vega-Lite figures and how charts are embedded."""
