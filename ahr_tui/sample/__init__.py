"""Sample databases: ``ahr sample`` (generate) and ``ahr demo`` (a fresh sample, made live).

``generate`` builds a realistic database for a seed, relative to a fixed reference instant, fast
enough for the 50,000-account benchmark set; ``make_live_copy`` shifts a copy so that its cases
count down from now; ``make_demo`` generates and shifts for ``ahr demo``. Used by ``cli.data``
and the benchmarks.
"""

from ahr_tui.sample.build import generate
from ahr_tui.sample.caseload import TooManyDetectedCases, TooManyOpenCases
from ahr_tui.sample.live import make_demo, make_live_copy, refuse_existing

__all__ = ["TooManyDetectedCases", "TooManyOpenCases", "generate", "make_demo", "make_live_copy",
           "refuse_existing"]
