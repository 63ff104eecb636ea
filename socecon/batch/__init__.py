"""Batches of municipal reports: the report notebook run with papermill, one HTML page per region.

The data flow of ``socecon run``, module by module:

* :mod:`~socecon.batch.tasks`: what to produce: :func:`~socecon.batch.tasks.select_regions`
  turns codes, names and groups into region ids, :func:`~socecon.batch.tasks.make_tasks` makes one
  picklable :class:`~socecon.batch.tasks.ReportTask` per region;
* :mod:`~socecon.batch.execute`: one report: papermill in a warm or a new kernel, with a deadline,
  retries, the HTML export and a :class:`~socecon.batch.execute.ReportResult` that says what
  went wrong (never an exception for a failing notebook);
* :mod:`~socecon.batch.kernels`: warm kernels, one per worker, reused across reports, and the
  papermill engine that runs a notebook in one;
* :mod:`~socecon.batch.kernel_state`: the kernel's side of a warm kernel: remember its state
  once, restore it before every report;
* :mod:`~socecon.batch.windtunnel_pass`: the reports' wind tunnels computed a few regions at a
  time in a thread of ``socecon run`` while the reports run, into a temporary store that each
  report reads (:mod:`socecon.report.windtunnel_tables`) instead of computing its own;
* :mod:`~socecon.batch.executors`: the batch: :func:`~socecon.batch.executors.run_batch` over
  worker processes or a Dask cluster, with a progress bar, the check that the output folder can
  be written, and the summary;
* :mod:`~socecon.batch.notebooks`: notebooks without outputs before a commit
  (``socecon strip-notebooks``).
"""
