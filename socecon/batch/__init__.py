"""Batches of reports: papermill execution, warm kernels and executors (local or Dask)."""
