"""Attack-family detectors; see ``base.py`` for the contract each module fulfils."""

# Every attack family, in the order the engine runs them (cheapest and most common first).
FAMILIES: tuple[str, ...] = (
    "sqli",
    "xss",
    "cmdi",
    "code",
    "ssti",
    "path",
    "rfi",
    "ssrf",
    "nosql",
    "xxe",
    "deser",
    "proto",
    "ldap",
    "xpath",
    "crlf",
)
