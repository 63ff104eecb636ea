"""The wind tunnel's table does not depend on how many BLAS threads the process has.

PRIM's and the drivers' matrix products run with one BLAS thread
(:meth:`socecon.analysis.windtunnel_result.WindTunnelResult.table`): with more, OpenBLAS splits
the products differently and the drivers' last bits change (and idle threads spin). A report
batch computes a table in a pass of ``socecon run`` and a report alone in its kernel; both, and
an analyst's notebook, must give the same numbers.
"""

from __future__ import annotations

import pandas as pd
from threadpoolctl import threadpool_limits

from socecon.analysis import windtunnel
from socecon.report.policy import report_goal


def test_table_is_the_same_with_one_or_more_blas_threads():
    result = windtunnel.evaluate("GM0301", goal=report_goal(), n_samples=1000, seed=3)
    with threadpool_limits(limits=1, user_api="blas"):
        one = result.table()
    with threadpool_limits(limits=4, user_api="blas"):
        more = result.table()
    pd.testing.assert_frame_equal(one, more, check_exact=True)
    assert one["drivers"].map(len).gt(0).all()
