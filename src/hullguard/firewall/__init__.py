"""The event firewall: ``Firewall().inspect(event)`` returns a ``Verdict``.

Standard library only; imported inside every protected function's cold start. ``EventBlocked`` is
resolved on first use: its module (the answers to blocked events) is not needed to inspect.
"""

from hullguard.firewall.engine import Firewall
from hullguard.firewall.policy import FirewallPolicy, PolicyError
from hullguard.firewall.verdict import Finding, Verdict

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hullguard.firewall.response import EventBlocked

__all__ = ["EventBlocked", "Finding", "Firewall", "FirewallPolicy", "PolicyError", "Verdict", "compiled"]


def compiled() -> bool:
    """Whether this process runs the firewall's mypyc-compiled build (an extension module beside each
    source, loaded by the interpreter it was built for) rather than its sources."""
    from hullguard.firewall import inspection

    return not (inspection.__file__ or "").endswith(".py")


def __getattr__(name: str) -> object:
    if name == "EventBlocked":
        from hullguard.firewall.response import EventBlocked

        return EventBlocked
    raise AttributeError(f"module 'hullguard.firewall' has no attribute {name!r}")
