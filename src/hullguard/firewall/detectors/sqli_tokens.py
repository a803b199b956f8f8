"""A one-pass SQL tokenizer for the SQL injection detector.

The tokenizer reads the input once, dispatching on each token's first character through a table of
small parse functions, and produces a bounded list of tokens. Whitespace and inline ``/* */`` comments
are folded away (they are what attackers use instead of spaces), MySQL version comments
``/*!50000 union*/`` are read as the code they hide, and ``--``/``#`` line comments are kept as a
token because "a comment right after a quote break" is itself a signal, unless code follows on a later
line: the database runs that code, so such a comment is a blank (``OR#x\n1=1``).

An injection can sit in three places inside a query: as a bare (numeric) value, inside a '-quoted
string or inside a "-quoted string. :func:`tokenize` takes the quote the input is assumed to be in;
the first token is then the string the application opened, closed by the input's own quote (if any).

Token kinds (one character each, so the grammar in ``sqli.py`` reads as sequences):

====  ==========================================================
``s``  string literal (``closed`` says whether its closing quote was seen)
``n``  number (decimal, hex ``0x..``, binary ``0b..``, with exponent)
``w``  bare word: identifier, possibly dotted (``sys.user$``)
``f``  word directly followed by ``(``: a function call
``k``  SQL keyword (``from``, ``where``, ``by``, ``limit``, ...)
``E``  statement keyword (``select``, ``insert``, ``drop``, ...)
``U``  ``union``
``&``  logical operator (``or``, ``and``, ``xor``, ``&&``, ``||``)
``o``  other operator (``=``, ``<>``, ``+``, ``like``, ``in``, ...)
``t``  literal keyword (``true``, ``false``, ``null``)
``v``  variable (``@x``, ``@@version``, bare ``@``)
``c``  line comment (``--`` or ``#``), or an unterminated ``/*``
``(`` ``)`` ``,`` ``;``  punctuation
``?``  anything else
====  ==========================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from hullguard.firewall.detectors.sqli_token import Token

MAX_TOKENS = 4096  # per context: bounded memory whatever the input length

# Quote characters: ASCII ones plus the typographic quotes some stacks fold to ASCII before SQL.
SINGLE_QUOTES = "'\u2018\u2019"
DOUBLE_QUOTES = '"\u201c\u201d'
# A string's body up to its closing quote: anything but a backslash or a quote of its family, a
# backslash escape, or a doubled (escaped) quote. Alternatives start on different characters, so the
# greedy repeat never backtracks: ``match`` ends where a lone quote closes the string (or the text ends).
_STRING_BODY: dict[str, re.Pattern[str]] = {}  # by the string's quote characters


def _string_body_pattern(quotes: str) -> re.Pattern[str]:
    pattern = _STRING_BODY.get(quotes)
    if pattern is None:
        q = re.escape(quotes)
        pattern = _STRING_BODY[quotes] = re.compile(rf"(?:[^\\{q}]+|\\[\s\S]?|[{q}][{q}])*")
    return pattern


LOGIC_WORDS = frozenset({"or", "and", "xor"})
OPERATOR_WORDS = frozenset(
    {"like", "rlike", "regexp", "in", "is", "between", "not", "div", "mod", "sounds", "escape", "collate"}
    | {"ilike", "glob", "notnull", "isnull"}  # PostgreSQL's and SQLite's: "email ILIKE email", "email NOTNULL"
)
LITERAL_WORDS = frozenset({"true", "false", "null", "unknown"})
STATEMENT_WORDS = frozenset(
    {
        "select",
        "insert",
        "update",
        "delete",
        "drop",
        "create",
        "alter",
        "truncate",
        "exec",
        "execute",
        "declare",
        "shutdown",
        "waitfor",
        "grant",
        "revoke",
        "replace",
        "merge",
        "call",
        "set",
        "begin",
        "rename",
        "load",
        "handler",
        "backup",
        "copy",
    }
)
KEYWORDS = frozenset(
    {
        "from",
        "where",
        "having",
        "group",
        "order",
        "by",
        "limit",
        "offset",
        "procedure",
        "into",
        "outfile",
        "dumpfile",
        "values",
        "delay",
        "all",
        "distinct",
        "top",
        "case",
        "when",
        "then",
        "else",
        "end",
        "as",
        "asc",
        "desc",
        "exists",
        "with",
        "join",
        "returning",
    }
)
_STRING_PREFIXES = frozenset({"x", "b", "n"})
_ORDINAL_SUFFIXES = ("st", "nd", "rd", "th")
_FLOAT_SUFFIXED_UNION = ("funion", "dunion")
# Keywords that may follow MySQL's NULL literal \N with nothing between them.
_AFTER_NULL = frozenset({"from", "union", "and", "or", "xor", "is", "like", "limit", "order", "into", "where"})
# Keywords a number may follow glued by its decimal point ("UNION SELECT.2", "WHERE.1=1")
KEYWORDS_BEFORE_A_NUMBER: frozenset[str] = frozenset({"select", "union", "where", "and", "or", "having", "limit"})
WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$.")
WHITESPACE = frozenset(" \t\n\r\x0b\x0c\xa0\x00\u2028\u2029\u3000")
OPERATOR_CHARS = frozenset("=<>!|&^+-*/%~:")
# Two- and three-character operators, longest first. PostgreSQL's JSON operators (``->``, ``->>``,
# ``<@`` and, read by ``_variable``, ``@>``) let a condition be written in JSON syntax that WAFs without
# them do not parse (``1 OR '{"a":1}'::jsonb <@ '{"a":1}'::jsonb``).
MULTI_OPERATORS = (
    "<=>", "->>", "<>", "!=", "<=", ">=", ":=", "::", "||", "&&", "!<", "!>", "^=", "|=", "&=", "->", "<@",
    "<<", ">>",
)
_OPERATORS_BY_FIRST: dict[str, tuple[str, ...]] = {
    first: tuple(op for op in MULTI_OPERATORS if op[0] == first) for first in {op[0] for op in MULTI_OPERATORS}
}


class _Tokenizer:
    """Single pass over ``text``; ``pos`` only moves forward, so time is linear."""

    def __init__(self, text: str, quote: str) -> None:
        self.text = text
        self.lower = text.lower()
        self.n = len(text)
        self.pos = 0
        self.tokens: list[Token] = []
        self.quote = quote
        self.escapes = 0  # open ODBC escapes, "{x 1}": MySQL reads the expression inside as it is

    def run(self) -> list[Token]:
        if self.quote:
            # The application already opened a string: the input starts inside it.
            self._string_body(0, self.quote)
        table = _DISPATCH
        text = self.text
        while self.pos < self.n and len(self.tokens) < MAX_TOKENS:
            char = text[self.pos]
            handler = table.get(char)
            if handler is None:
                handler = _Tokenizer._word if char.isalpha() or char == "_" else _Tokenizer._other
            handler(self)
        return self.tokens

    def _emit(self, kind: str, start: int, end: int, value: str | None = None, closed: bool = True) -> None:
        self.tokens.append(Token(kind, self.lower[start:end] if value is None else value, start, end, closed))

    # -- parse functions, one per kind of first character --------------------------------------

    def _space(self) -> None:
        text, n, i = self.text, self.n, self.pos + 1
        while i < n and text[i] in WHITESPACE:
            i += 1
        self.pos = i

    def _other(self) -> None:
        self._emit("?", self.pos, self.pos + 1)
        self.pos += 1

    def _brace(self) -> None:
        # An ODBC escape "{ts '...'}", "{fn ...}" or "{x 1}" (MySQL takes any name): the name is dropped
        # and the expression read as it stands; any other brace is no SQL.
        match = _ODBC_ESCAPE.match(self.text, self.pos)
        if match is None:
            self._other()
            return
        self.escapes += 1
        self.pos = match.end()

    def _close_brace(self) -> None:
        if self.escapes == 0:
            self._other()
            return
        self.escapes -= 1
        self.pos += 1

    def _punct(self) -> None:
        char = self.text[self.pos]
        self._emit(char, self.pos, self.pos + 1)
        self.pos += 1

    def _quote(self) -> None:
        char = self.text[self.pos]
        family = SINGLE_QUOTES if char in SINGLE_QUOTES else DOUBLE_QUOTES
        self._string_body(self.pos + 1, family)

    def _backtick(self) -> None:
        # MySQL quoted identifier: a word whatever it contains.
        end = self.text.find("`", self.pos + 1)
        stop = self.n if end < 0 else end + 1
        self._emit("w", self.pos, stop, self.lower[self.pos + 1 : stop - 1 if end >= 0 else stop])
        self.pos = stop

    def _bracket(self) -> None:
        # MSSQL [quoted identifier]
        end = self.text.find("]", self.pos + 1, self.pos + 130)  # bounded look-ahead keeps "[[[[" linear
        if end < 0:
            self._other()
            return
        self._emit("w", self.pos, end + 1, self.lower[self.pos + 1 : end])
        self.pos = end + 1

    def _string_body(self, start: int, quotes: str) -> None:
        """Read a string whose opening quote ends just before ``start``; handles \\x and '' escapes."""
        n = self.n
        body = _string_body_pattern(quotes).match(self.text, start)
        i = body.end() if body is not None else start  # (a repeat always matches)
        if i < n:  # a lone quote of the family closes it
            self._emit("s", max(start - 1, 0), i + 1, self.lower[start:i])
            self.pos = i + 1
            return
        self._emit("s", max(start - 1, 0), n, self.lower[start:n], closed=False)
        self.pos = n

    def _number(self) -> None:
        text, n, i = self.lower, self.n, self.pos
        if text.startswith(("0x", "0b"), i) and i + 2 < n and text[i + 2] in "0123456789abcdef":
            i += 2
            while i < n and text[i] in "0123456789abcdef":
                i += 1
        elif text.startswith("0x", i) and i + 2 < n and text[i + 2].isalpha():
            i += 2  # "0xUNION": MSSQL's empty binary literal, glued to the keyword after it
        else:
            while i < n and (text[i].isdigit() or text[i] == "."):
                i += 1
            if i + 1 < n and text[i] == "e" and (text[i + 1].isdigit() or text[i + 1] in "+-"):
                i += 2
                while i < n and text[i].isdigit():
                    i += 1
            elif text.startswith(_FLOAT_SUFFIXED_UNION, i) and text[i - 1].isdigit():
                i += 1  # "1fUNION", "1dUNION": a float or double literal (1f, 1d) glued to the keyword
            elif text.startswith(_ORDINAL_SUFFIXES, i) and text[i - 1].isdigit() and not _word_char_at(text, i + 2):
                # "1st", "22nd": an ordinal of prose, and to MySQL an identifier (a name may start with
                # digits), never a number ("D'or 1st parfume" compares nothing)
                self._emit("w", self.pos, i + 2)
                self.pos = i + 2
                return
        self._emit("n", self.pos, i)
        self.pos = i

    def _dot(self) -> None:
        if self.pos + 1 < self.n and self.text[self.pos + 1].isdigit():
            self._number()
        else:
            self._punct()

    def _word(self) -> None:
        text, n, i = self.text, self.n, self.pos + 1
        while i < n and (text[i] in WORD_CHARS or (text[i] > "\x7f" and text[i].isalnum())):
            i += 1
        word = self.lower[self.pos : i].rstrip(".")
        if "." in word:  # (most words have none: the split below is not paid for them)
            head, _, tail = word.partition(".")
            if head in KEYWORDS_BEFORE_A_NUMBER and tail[:1].isdigit():
                word = head  # "SELECT.2": to MySQL the keyword, then the number .2 (not a qualified name)
        end = self.pos + len(word)
        if end < n and text[end] in SINGLE_QUOTES and (word in _STRING_PREFIXES or word.startswith("_")):
            # X'31', B'1', N'abc', _utf8'a': a hex, bit, national or charset-introduced string literal.
            self._string_body(end + 1, SINGLE_QUOTES)
            return
        self._emit(_word_kind(word, text, end), self.pos, end, word)
        self.pos = end

    def _backslash(self) -> None:
        # MySQL reads \N as NULL, also glued to the keyword after it ("SELECT\NFROM`t`", "\Nunion"); a
        # Windows path's "\Name" or "\New folder" goes on with a word that is no SQL keyword.
        text, i = self.text, self.pos + 2
        if not text.startswith("\\N", self.pos):
            self._other()
            return
        end = i
        while end < self.n and end < i + 10 and text[end].isalpha():
            end += 1
        if end == i or self.lower[i:end] in _AFTER_NULL:
            self._emit("t", self.pos, i, "null")
            self.pos = i
        else:
            self._other()

    def _variable(self) -> None:
        text, n, i = self.text, self.n, self.pos + 1
        if text.startswith(">", i):  # PostgreSQL's "contains" operator
            self._emit("o", self.pos, i + 1)
            self.pos = i + 1
            return
        while i < n and (text[i] in WORD_CHARS or text[i] == "@"):
            i += 1
        self._emit("v", self.pos, i)
        self.pos = i

    def _hash(self) -> None:
        self._line_comment()

    def _line_comment(self) -> None:
        text, n = self.text, self.n
        end = text.find("\n", self.pos)
        if end >= 0:
            after = end + 1
            while after < n and text[after] in WHITESPACE:
                after += 1
            if after < n:  # code follows on a later line, and the database runs it: the comment was a blank
                self.pos = after
                return
        stop = n if end < 0 else end
        self._emit("c", self.pos, stop)
        self.pos = stop

    def _slash(self) -> None:
        text = self.text
        if not text.startswith("/*", self.pos):
            self._operator()
            return
        if text.startswith("/*!", self.pos):
            # MySQL executes the inside of /*! ... */ (optionally /*!50000 ...): read it as code.
            i = self.pos + 3
            while i < self.n and text[i].isdigit():
                i += 1
            self.pos = i
            return
        end = text.find("*/", self.pos + 2)
        if end < 0:
            self._emit("c", self.pos, self.n)  # unterminated: comments out the rest of the query
            self.pos = self.n
        else:
            self.pos = end + 2  # an inline comment is whitespace

    def _star(self) -> None:
        if self.text.startswith("*/", self.pos):  # end of a /*! ... */ block read as code
            self.pos += 2
            return
        self._operator()

    def _dash(self) -> None:
        if self.text.startswith("--", self.pos):
            self._line_comment()
        else:
            self._operator()

    def _operator(self) -> None:
        text, pos = self.text, self.pos
        for op in _OPERATORS_BY_FIRST.get(text[pos], ()):
            if text.startswith(op, pos):
                kind = "&" if op in ("||", "&&") else "o"
                self._emit(kind, pos, pos + len(op))
                self.pos = pos + len(op)
                return
        self._emit("o", pos, pos + 1)
        self.pos = pos + 1


def _word_kind(word: str, text: str, end: int) -> str:
    if word in LOGIC_WORDS:
        return "&"
    if word == "union":
        return "U"
    if word in ("in", "not"):
        return "o"
    if _next_significant(text, end) == "(":
        return "f"
    if word in OPERATOR_WORDS:
        return "o"
    if word in LITERAL_WORDS:
        return "t"
    if word in STATEMENT_WORDS:
        return "E"
    if word in KEYWORDS:
        return "k"
    return "w"


def _word_char_at(text: str, pos: int) -> bool:
    return pos < len(text) and (text[pos].isalnum() or text[pos] == "_")


def _next_significant(text: str, pos: int) -> str:
    """The next character after blanks and inline comments (bounded look-ahead: 64 characters)."""
    limit = min(len(text), pos + 64)
    while pos < limit:
        char = text[pos]
        if char in WHITESPACE:
            pos += 1
        elif text.startswith("/**/", pos):
            pos += 4
        elif text.startswith("*/", pos):  # the end of a /*! ... */ block read as code: "/*!sleep*/(5)"
            pos += 2
        else:
            return char
    return ""


_ODBC_ESCAPE = re.compile(r"\{[ \t]*[A-Za-z_]{1,16}[ \t\n\r\x0b\x0c]+")  # bounded: linear

_DISPATCH: dict[str, Callable[[_Tokenizer], None]] = {}
for _c in WHITESPACE:
    _DISPATCH[_c] = _Tokenizer._space
for _c in "(),;":
    _DISPATCH[_c] = _Tokenizer._punct
for _c in SINGLE_QUOTES + DOUBLE_QUOTES:
    _DISPATCH[_c] = _Tokenizer._quote
for _c in "0123456789":
    _DISPATCH[_c] = _Tokenizer._number
for _c in OPERATOR_CHARS:
    _DISPATCH[_c] = _Tokenizer._operator
_DISPATCH.update(
    {
        "`": _Tokenizer._backtick,
        "[": _Tokenizer._bracket,
        ".": _Tokenizer._dot,
        "@": _Tokenizer._variable,
        "#": _Tokenizer._hash,
        "/": _Tokenizer._slash,
        "*": _Tokenizer._star,
        "-": _Tokenizer._dash,
        "$": _Tokenizer._word,
        "\\": _Tokenizer._backslash,
        "{": _Tokenizer._brace,
        "}": _Tokenizer._close_brace,
    }
)


def tokenize(text: str, quote: str = "") -> list[Token]:
    """Tokens of ``text`` assumed to start inside a string opened with ``quote`` ("" = bare value).

    ``quote`` is a string of the quote characters that close that string (``SINGLE_QUOTES`` or
    ``DOUBLE_QUOTES``). At most ``MAX_TOKENS`` tokens are returned.
    """
    return _Tokenizer(text, quote).run()


class _TrieNode(dict[str, "_TrieNode"]):
    """A prefix-tree node: child per next character; the key "" marks the end of a word."""


def regex_alternation(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, factored as a prefix tree (``o(?:r|rder)``).

    Python's regex engine tries alternatives one by one at every position; sharing prefixes makes a
    long keyword list several times cheaper to search, which matters for the engine's prefilters.
    (Also used by the command injection detector.)
    """
    tree = _TrieNode()
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, _TrieNode())
        node[""] = _TrieNode()

    def emit(node: _TrieNode) -> str:
        optional = "" in node
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        if len(branches) == 1 and not optional:
            return branches[0]  # a plain continuation needs no group
        body = "(?:" + "|".join(branches) + ")" if len(branches) > 1 or len(branches[0]) > 1 else branches[0]
        return body + "?" if optional else body

    return emit(tree)
