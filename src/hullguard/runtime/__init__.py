"""Runtime protection: what a Lambda handler may do while it runs (see ``docs/runtime.md``).

- ``protect.py``   ``@protect`` / ``@protect(policy=...)``; ``hullguard.handler`` is the no-code entry
- ``core.py``      the one middleware core (``Guard``) both build at cold start
- ``policy.py``    the validated ``hullguard.yml`` model; ``loader.py`` finds and reads it
- ``hooks.py``     the single audit hook and its table of handlers
- ``imports.py``   patches applied right after a module is first imported (socket, botocore)
- ``controls/``    one module per control: network, processes, files, code, credentials, tmpfs,
                   errors, invokers, limits
- ``report.py``    decisions -> security events on stdout; ``forwarder.py`` sends copies to the console
- ``seccomp.py``   the opt-in kernel filter; ``suggest.py`` turns learn-mode records into a policy

Nothing here is imported by ``import hullguard``: the runtime loads on first use of ``protect``.
"""
