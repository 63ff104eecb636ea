"""Batches of reports: what to produce (tasks), one report (execute), warm kernels, executors."""
