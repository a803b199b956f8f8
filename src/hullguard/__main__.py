"""``python -m hullguard`` is the same as the ``hullguard`` command."""

from hullguard.cli.main import run

run()
