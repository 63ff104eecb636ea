"""Analysis on top of the model: uncertainty propagation and the wind tunnel for policy options."""
