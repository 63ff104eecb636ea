"""Municipal reports: the sections a report notebook shows, its provenance, and the HTML export."""
