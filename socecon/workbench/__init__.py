"""The analyst workbench: widget state, the interactive explorer and its exports."""
