"""Attack-family detectors; see ``base.py`` for the contract each module fulfils."""
