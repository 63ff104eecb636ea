"""The analyst workbench: state, controller, exports and the ipywidgets explorer."""
