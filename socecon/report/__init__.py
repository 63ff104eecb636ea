"""Municipal reports: the sections a report notebook shows, its provenance, and the HTML export.

* :mod:`~socecon.report.sections`: introduction, scenario texts, target group, indicators, path,
  hindcast and the key figures of a report;
* :mod:`~socecon.report.region_figures`: the region a report is about and its CBS figures;
* :mod:`~socecon.report.policy`: the wind-tunnel section and its Dutch verdict;
* :mod:`~socecon.report.tables`: HTML tables and the table of assumptions;
* :mod:`~socecon.report.provenance`: the colophon (version, commit, input hashes, sources);
* :mod:`~socecon.report.overview`: the overview notebook of all municipalities;
* :mod:`~socecon.report.key_figures`: key figures handed from a report to the index page;
* :mod:`~socecon.report.parameters`: the type check of a report notebook's parameters;
* :mod:`~socecon.report.summary`: the summary at the top of a report, from its results;
* :mod:`~socecon.report.navigation`: section numbers, table of contents, link to the index;
* :mod:`~socecon.report.export`: an executed notebook as one offline HTML page;
* :mod:`~socecon.report.index`: the index page of a reports folder.
"""
