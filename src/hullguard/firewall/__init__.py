"""The event firewall: ``Firewall().inspect(event)`` returns a ``Verdict``.

Standard library only; imported inside every protected function's cold start.
"""

from hullguard.firewall.engine import Firewall
from hullguard.firewall.verdict import Finding, Verdict

__all__ = ["Finding", "Firewall", "Verdict"]
