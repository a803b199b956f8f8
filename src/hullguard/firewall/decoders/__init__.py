"""Decoders: one encoding per module.

Text decoders (``url``, ``html``, ``jsescape``, ``unicode``, ``fold``) turn one string into another
"view" of it, or return None when their marker is absent or nothing changes; the engine applies them
repeatedly (double encoding) within a fixed number of views per string. Structure decoders
(``jsonstr``, ``form``, ``multipart``, ``xml``, ``cookies``) turn a string into named parts the engine
walks like any other part of the event. Byte decoders (``b64``, ``gzip``) are bounded by the
inspection's decoded-size budget. Every decoder is linear in its input and never raises on bad input.
"""
