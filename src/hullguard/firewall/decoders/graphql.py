"""GraphQL documents: the string literals inside them.

The document's syntax (braces, field names, newlines) is the API's, not an injection; what a caller
can smuggle into a resolver are argument values, i.e. string literals (``"..."`` and ``\"\"\"...\"\"\"``)
and variables (which arrive as JSON and are walked anyway).
"""

from __future__ import annotations

MAX_LITERALS = 500


def string_literals(document: str) -> list[str]:
    literals: list[str] = []
    pos, n = 0, len(document)
    while pos < n and len(literals) < MAX_LITERALS:
        start = document.find('"', pos)
        if start < 0:
            break
        if document.startswith('"""', start):
            end = document.find('"""', start + 3)
            end = n if end < 0 else end
            literals.append(document[start + 3 : end])
            pos = end + 3
            continue
        i = start + 1
        while i < n and document[i] != '"' and document[i] != "\n":
            i += 2 if document[i] == "\\" else 1
        literals.append(document[start + 1 : min(i, n)])
        pos = i + 1
    return [text for text in literals if text]
