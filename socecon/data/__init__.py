"""The data layer: the CBS figures socecon uses, from CBS to the processed snapshot on disk.

The data flow, one module per step:

========================  ======================================================================
:mod:`.cbs_build`         ``socecon data build``: reads the shared StatLine CSV exports (checked
                          against their ``SHA256SUMS.txt``) into :class:`.cbs_assemble.Sources`
:mod:`.cbs_refresh`       ``socecon data refresh``: the same from CBS open data (OData v3), columns
                          found by their declared titles
:mod:`.cbs_assemble`      :class:`~.cbs_assemble.Sources` and :func:`~.cbs_assemble.assemble`:
                          one long snapshot and the region table, whichever way the data came in
:mod:`.names`             matching municipality names and StatLine labels to CBS codes (also used
                          by :mod:`socecon.regions` to resolve what a user types)
:mod:`.schema`            what the snapshot holds: file names, columns, variables with their
                          units and how rates are recomputed for groups of regions
:mod:`.manifest`          the exact bytes written, ``manifest.yaml`` (sources, checksums, control
                          totals) and the checks of a data folder against it (``socecon data
                          check``)
:mod:`.snapshot`          writing the snapshot atomically and loading it (cached, validated) for
                          the layers above
========================  ======================================================================

Which CBS tables and columns are read is declared in ``socecon/definitions/cbs_tables.yaml``; the
region-code patterns and the base year in ``conventions.yaml``. The data layer imports only
:mod:`socecon.definitions` and :mod:`socecon.exceptions`.
"""
