"""GraphQL documents: the string literals inside them, and whether the rest is GraphQL at all.

The document's syntax (braces, field names, newlines) is the API's, not an injection; what a caller
can smuggle into a resolver are argument values, i.e. string literals (``"..."`` and ``\"\"\"...\"\"\"``)
and variables (which arrive as JSON and are walked anyway). That holds only for a document that is
GraphQL: an AppSync Lambda authorizer runs before the query is parsed, so its ``queryString`` may be
any text (``<script>...``, ``1' OR '1'='1``) that a parser would reject and a logging or allow-listing
authorizer would still read. Such a document is inspected whole as well (``Document.is_graphql``).
"""

from __future__ import annotations

import re

MAX_LITERALS = 500

# The next character outside a literal that needs a look: a string or comment start, or one that no
# GraphQL token, whitespace or comma can hold (``<``, ``'``, ``;``, ``/``, ``\``, ``%``, ``*``, ``>``...:
# the lexical grammar's punctuators are ``! $ & ( ) ... : = @ [ ] { | }``; names, numbers with ``-``,
# ``+``, ``.`` and exponents; the byte order mark is whitespace). A single character class: linear.
_NEXT = re.compile(r'["#]|[^\w\s,!$&().:=@\[\]{|}+\-\ufeff]', re.ASCII)
_LITERAL_OR_COMMENT = re.compile(r'["#]')  # once the document is known not to be GraphQL
# A string literal's body up to its closing quote or the end of its line (an escape takes the next
# character along); unrolled, so the runs between escapes are matched in C: linear.
_STRING_BODY = re.compile(r'[^"\\\n]*(?:\\.[^"\\\n]*)*', re.DOTALL)


class Document:
    """``literals``: the non-empty string literals (at most MAX_LITERALS); ``is_graphql``: False when
    text outside literals and comments holds a character GraphQL has no token for, or when text is
    left after MAX_LITERALS literals (so that padding with empty ones cannot hide the rest)."""

    __slots__ = ("is_graphql", "literals")

    def __init__(self, literals: list[str], is_graphql: bool) -> None:
        self.literals = literals
        self.is_graphql = is_graphql


def read(document: str) -> Document:
    literals: list[str] = []
    is_graphql = True
    pos, n = 0, len(document)
    search = _NEXT.search
    while pos < n and len(literals) < MAX_LITERALS:
        found = search(document, pos)
        if found is None:
            break
        start = found.start()
        char = document[start]
        if char == "#":  # a comment runs to the end of the line
            end = document.find("\n", start)
            pos = n if end < 0 else end + 1
            continue
        if char != '"':
            is_graphql = False  # read whole by the caller: only its literals are still looked for here
            search = _LITERAL_OR_COMMENT.search
            pos = start + 1
            continue
        if document.startswith('"""', start):
            end = document.find('"""', start + 3)
            end = n if end < 0 else end
            literals.append(document[start + 3 : end])
            pos = end + 3
            continue
        body = _STRING_BODY.match(document, start + 1)
        end = body.end() if body is not None else start + 1
        literals.append(document[start + 1 : end])
        pos = end + 1
    if pos < n and len(literals) >= MAX_LITERALS:
        is_graphql = False  # unread past the cap: whatever follows is inspected with the whole text
    return Document([text for text in literals if text], is_graphql)
