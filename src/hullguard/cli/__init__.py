"""The ``hullguard`` command line. One module per command; each imports its part lazily, inside the
command function, so ``hullguard --help`` and ``hullguard inspect`` stay fast and work with only the
``cli`` extra installed."""
