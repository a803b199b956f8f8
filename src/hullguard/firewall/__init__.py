"""The event firewall: ``Firewall().inspect(event)`` returns a ``Verdict``.

Standard library only; imported inside every protected function's cold start.
"""

from hullguard.firewall.engine import Firewall
from hullguard.firewall.policy import FirewallPolicy, PolicyError
from hullguard.firewall.response import EventBlocked
from hullguard.firewall.verdict import Finding, Verdict

__all__ = ["EventBlocked", "Finding", "Firewall", "FirewallPolicy", "PolicyError", "Verdict"]
