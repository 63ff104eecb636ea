"""Data layer: the processed CBS snapshot (:mod:`.snapshot`), built from CBS by :mod:`.cbs`."""
