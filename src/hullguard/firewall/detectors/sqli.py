"""SQL injection detector: tokenize the value in each context an injection can sit in, then match
token-sequence patterns that only make sense as SQL (see ``sqli_grammar.py`` for the patterns).

Contexts evaluated (like libinjection's quote flags): the value as a bare/numeric literal, the value
inside a '-quoted string and inside a "-quoted string. Benign text with apostrophes (``O'Brien``)
closes the assumed string and then continues with a word, which no pattern accepts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hullguard.events.schema import Severity
from hullguard.firewall.detectors import sqli_grammar as grammar
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext
from hullguard.firewall.detectors.presearch import Presearch
from hullguard.firewall.detectors.sqli_token import Token
from hullguard.firewall.detectors.sqli_tokens import (
    DOUBLE_QUOTES,
    KEYWORDS_BEFORE_A_NUMBER,
    LOGIC_WORDS,
    OPERATOR_WORDS,
    SINGLE_QUOTES,
    STATEMENT_WORDS,
    WHITESPACE,
    regex_alternation,
    tokenize,
)

FAMILY = "sqli"

_CWE = "CWE-89"
_FIX = (
    "Use parameterised queries (placeholders bound by the driver) or an ORM for every value that reaches "
    "SQL; never build SQL text by concatenating event fields. Validate type and range of numeric fields."
)
RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "HG-SQLI-001",
        FAMILY,
        "SQL string/number context break",
        Severity.HIGH,
        _CWE,
        "The value closes the string or number it is placed in and continues the query with SQL syntax "
        "(a boolean operator, a comment, a clause or a new statement), e.g. admin'-- or ' or 'a'='a.",
        _FIX,
    ),
    RuleInfo(
        "HG-SQLI-002",
        FAMILY,
        "UNION-based SQL injection",
        Severity.CRITICAL,
        _CWE,
        "UNION SELECT appends a second query whose rows are returned with the original results (data theft).",
        _FIX,
    ),
    RuleInfo(
        "HG-SQLI-003",
        FAMILY,
        "Boolean tautology or contradiction",
        Severity.HIGH,
        _CWE,
        "OR 1=1, AND 1=2, OR 'a'='a and similar conditions change which rows a query matches "
        "(authentication bypass, boolean-blind extraction).",
        _FIX,
    ),
    RuleInfo(
        "HG-SQLI-004",
        FAMILY,
        "Stacked SQL query",
        Severity.CRITICAL,
        _CWE,
        "A ';' ends the original statement and a second one follows (DROP, INSERT, EXEC xp_cmdshell, ...).",
        _FIX,
    ),
    RuleInfo(
        "HG-SQLI-005",
        FAMILY,
        "Time-based blind SQL injection",
        Severity.HIGH,
        _CWE,
        "SLEEP(), BENCHMARK(), PG_SLEEP(), WAITFOR DELAY or DBMS_LOCK.SLEEP make the database wait, "
        "so an attacker reads data one bit at a time from response times.",
        _FIX,
    ),
    RuleInfo(
        "HG-SQLI-006",
        FAMILY,
        "Error-based or out-of-band SQL injection",
        Severity.HIGH,
        _CWE,
        "Functions such as EXTRACTVALUE, UPDATEXML, CONVERT(INT, ...), UTL_INADDR, XP_CMDSHELL or LOAD_FILE "
        "leak data through error messages, DNS/HTTP or files, or run commands.",
        _FIX,
    ),
    RuleInfo(
        "HG-SQLI-007",
        FAMILY,
        "ORDER BY / GROUP BY column probing",
        Severity.MEDIUM,
        _CWE,
        "ORDER BY <n> with a comment or at the end of the value probes the number of columns before a "
        "UNION attack, or injects an expression into the sort clause.",
        _FIX,
    ),
    RuleInfo(
        "HG-SQLI-008",
        FAMILY,
        "SQL statement or sub-query in input",
        Severity.HIGH,
        _CWE,
        "The value is itself an SQL statement or a parenthesised sub-query (SELECT ... FROM, (SELECT ...), "
        "DROP TABLE, EXEC ...), which no form field should contain.",
        _FIX,
    ),
)

_QUOTES = SINGLE_QUOTES + DOUBLE_QUOTES
# Every rule needs a quote (context break) or one of these words/operators as a token; the words are
# bounded by non-letters exactly as the tokenizer bounds its words.
_TRIGGER_WORDS = sorted(
    {
        "or",
        "and",
        "xor",
        "union",
        "select",
        "insert",
        "update",
        "delete",
        "drop",
        "create",
        "alter",
        "truncate",
        "rename",
        "exec",
        "execute",
        "declare",
        "set",
        "shutdown",
        "waitfor",
        "begin",
        "order",
        "group",
        "having",
        "where",
        "limit",
        "offset",
        "procedure",
        "into",
        "convert",
        "when",
        "copy",
        "call",
        "backup",
        "grant",
    }
    | grammar.CONDITION_FUNCTIONS
    | grammar.TIME_FUNCTIONS
    | grammar.ERROR_FUNCTIONS,
    key=len,
    reverse=True,
)
_DANGEROUS_PREFIXES = ("utl_", "dbms_", "ctxsys.", "xp_", "sp_oa", "master.")


def _prefilter(trigger_words: Iterable[str]) -> str:
    return (
        "["
        + re.escape(_QUOTES)
        + "`]|&&|\\|\\||@@|(?<![a-z])(?:"
        + regex_alternation(trigger_words)
        + "(?![a-z])|"
        + regex_alternation(_DANGEROUS_PREFIXES)
        + ")|\\(\\s{0,8}\\d+\\s{0,8}="  # (8362=9139)*9139
        # "password FROM users#" (``grammar.column_read``): FROM, a name and a comment or ";" after it
        + "|(?<![a-z])from[\\s/*!0-9]{1,16}[a-z_][\\w.$]{0,64}[\\s/*]{0,8}(?:#|--|;)"
        + "|"
        + _ORDER_BY
        + "|"
        + _READER_OF_A_CALL
    )


# "order" is read by two rules, and both need the token "by" right after it (``sqli_grammar``:
# ``order_by_probe``, ``_clause_continues``): so the word counts only when "by" or a comment opener
# follows it across blanks and punctuation ("order by", "order/**/by", "ORDER%0aBY" once decoded,
# "order#..."). A free-text "please order before noon" - common in order and shop payloads - then
# costs no SQL detector run. Linear: the run of non-word characters after each "order" is scanned
# once (and once more on backtracking), and each run follows at most one "order".
_ORDER_BY = "(?<![a-z])order[^a-z0-9_\\x01]*(?:by(?![a-z])|/\\*|#|--)"
# A character reader called on a call or a sub-query ("ASCII(SUBSTRING(passwd,1,1))"): arithmetic blind
# extraction adds it to a number with no other SQL word around it (``sqli_grammar._reads_characters``).
_READER_OF_A_CALL = (
    "(?<![a-z])(?:ascii|ord|hex|length|mid|substr(?:ing)?)\\s{0,8}\\(\\s{0,8}(?:\\(|select|[a-z_]{2,30}\\s{0,8}\\()"
)
PREFILTER = _prefilter(w for w in _TRIGGER_WORDS if w != "order")
_PREFILTER_RE = Presearch(PREFILTER, re.IGNORECASE)
_CONTEXT_NAMES = {
    "": "as a bare value",
    SINGLE_QUOTES: "inside '...'",
    DOUBLE_QUOTES: 'inside "..."',
    "`": "inside `...`",
}
_RULES_BY_ID = {rule.rule_id: rule for rule in RULES}


# -- values that cannot read as SQL: names, contractions, host names ---------------------------------
# "Jane O'Neil", "it's 5 o'clock", "abc123def4.execute-api.eu-west-1.amazonaws.com" pass the PREFILTER
# (a quote, the word "execute") and would be tokenized in up to two contexts. Read against the
# tokenizer and the grammar, a value whose characters are only letters, digits, "_", ".", "-" (never
# "--"), blanks and apostrophes between two letters yields nothing but words, numbers, "-" and "."
# tokens and '-quoted strings that close right before a letter: no "(" (so no function call), no ";",
# comment, "@" variable, comparison symbol or "+" (no second view). What is left for a rule to fire on
# is a word the tokenizer classifies, and those fall into three groups:
# - anchors: a logic word (OR 5), UNION, a statement verb that can start a statement without "@" or "("
#   (select 5, shutdown), or a clause that a broken-out value continues into with just a name or number
#   (x'where 5, x'limit 5, x'procedure analyse). Their presence sends the value down the full path.
# - words read only with a partner: ORDER/GROUP with BY, INTO with OUTFILE/DUMPFILE, CASE with WHEN
#   (case 5 when 5 then), and an operator word (like, in, not, ...) in a WHEN condition (when 1 like 1)
#   or as the first word after the first quote, where it continues the broken-out string (x'like 5).
# - every other keyword and literal word (from, as, end, null, ...) and the verbs that need "@" or "("
#   (set @x, declare @x, call f()) or that no rule reads (replace, load, ...): the grammar reads them only
#   after an anchor (select ... from, or true, create or replace) or after "(" or ",".
_VERBS_WITHOUT_A_STATEMENT_HERE = frozenset({"set", "declare", "call", "replace", "merge", "revoke", "load", "handler"})
_ANCHOR_WORDS = (
    LOGIC_WORDS
    | {"union"}
    | (STATEMENT_WORDS - _VERBS_WITHOUT_A_STATEMENT_HERE)
    | {"where", "having", "limit", "offset", "procedure"}
)
_WORD_PAIRS = (
    (frozenset({"order", "group"}), frozenset({"by"})),
    (frozenset({"into"}), frozenset({"outfile", "dumpfile"})),
    (OPERATOR_WORDS, frozenset({"when"})),
    (frozenset({"case"}), frozenset({"when"})),  # case 5 when 5 then
)
_NAME_QUOTES = SINGLE_QUOTES
_BLANKS = "".join(sorted(WHITESPACE))  # the tokenizer's blanks (\s differs: it holds \x1c, lacks \x00)


def _escaped(chars: str) -> str:
    """``chars`` spelled as \\uXXXX escapes, to sit inside a regex character class."""
    return "".join(f"\\u{ord(char):04x}" for char in chars)


_NAME_OR_HOST_CHARS = re.compile(f"[\\w.\\-{_escaped(_BLANKS + _NAME_QUOTES)}]*")
_TOKEN_SEPARATORS = re.compile(f"[\\-{_escaped(_BLANKS + _NAME_QUOTES)}]+")
_FIRST_QUOTE_AND_RUN = re.compile(f"[{_escaped(_NAME_QUOTES)}]([^\\-{_escaped(_BLANKS + _NAME_QUOTES)}]*)")


def _reads_as_no_sql(text: str) -> bool:
    """True when ``text`` is made of names, contractions or host names that no rule can flag (above)."""
    if not _has_name_or_host_shape(text):
        return False
    lowered = text.lower()
    if len(lowered) != len(text):  # "İ" lowers to two characters: token values would shift
        return False
    words = _word_tokens(lowered)
    if words is None or not words.isdisjoint(_ANCHOR_WORDS) or _word_after_first_quote(lowered) in OPERATOR_WORDS:
        return False
    return not any(not words.isdisjoint(first) and not words.isdisjoint(second) for first, second in _WORD_PAIRS)


def _has_name_or_host_shape(text: str) -> bool:
    if _NAME_OR_HOST_CHARS.fullmatch(text) is None or "--" in text:  # "--" starts a comment
        return False
    if not _quotes_sit_between_letters(text):
        return False  # '', 'x'='x, admin'-- ...
    # \w also holds non-ASCII digits and marks ("²"), which the tokenizer reads as unknown tokens.
    return text.isascii() or all(
        char.isalpha() or char in _BLANKS or char in _NAME_QUOTES for char in text if char > "\x7f"
    )


def _quotes_sit_between_letters(text: str) -> bool:
    """Every quote has a letter on both sides (the letter after it starts a word, as in the tokenizer)."""
    last = len(text) - 1
    for quote in _NAME_QUOTES:
        at = text.find(quote)
        while at >= 0:
            if at == 0 or at == last or not (text[at - 1].isalpha() and text[at + 1].isalpha()):
                return False
            at = text.find(quote, at + 1)
    return True


def _word_after_first_quote(lowered: str) -> str:
    """The word that follows the string the input closes when it sits inside '...' ("" without quotes).

    The shape guarantees a letter after every quote, so that word is the whole run up to a separator.
    """
    found = _FIRST_QUOTE_AND_RUN.search(lowered)
    return "" if found is None else found.group(1).rstrip(".")


def _word_tokens(lowered: str) -> set[str] | None:
    """Every value a word token (or a one-word string) can have in ``lowered``, or None when unsure.

    Between blanks, "-" and quotes the tokenizer reads one run of letters, digits, "_" and "." as a word
    when it starts with a letter or "_" (trailing dots become "." tokens); else as numbers and dots up
    to the first letter, then a word. A hexadecimal number (0x1f) or an exponent (1e5) would move that
    first letter, and a keyword glued to a number by its decimal point ("select.2") is two tokens, so
    those runs are left to the tokenizer.
    """
    words = set()
    for run in _TOKEN_SEPARATORS.split(lowered):
        if run and (run[0].isdigit() or run[0] == "."):
            if run.startswith(("0x", "0b")):
                return None
            run = run.lstrip("0123456789.")
            if run.startswith("e"):
                return None
        if run:
            if "." in run:
                head, _, tail = run.partition(".")
                if head in KEYWORDS_BEFORE_A_NUMBER and tail[:1].isdigit():
                    return None  # "select.2": the tokenizer reads the keyword and a number
            words.add(run.rstrip("."))
    return words


# After a backquote, prose that quotes a symbol or a phrase TeX style (`#!', `#ifdef FOO') or as Markdown
# code (`--help`) reads as a comment; a break-out of ORDER BY `<input>` that only cuts the query off does no harm.
_BACKQUOTED_SYMBOL = re.compile(r"(?:#|--)[^'`\n]{0,60}['`](?:\s|[.,;:)]|$)")


def _prose_after_backquote(tokens: list[Token]) -> bool:
    """In the MySQL identifier context: the input ends inside a '- or "-string, which the identifier's
    closing backquote cannot end (`ls -l', "`&'."), or it quotes a symbol that starts like a comment."""
    last = tokens[-1]
    if last.kind == "s" and not last.closed:
        return True
    return tokens[1].kind == "c" and _BACKQUOTED_SYMBOL.match(tokens[1].value) is not None


def _scan_context(tokens: list[Token], quote: str, text: str) -> grammar.Hit | None:
    """Specific attack shapes first (they name the technique), then the generic context break."""
    if quote and (not tokens or not tokens[0].closed):
        return None  # the input never leaves the string: nothing it says is SQL
    if quote == "`" and len(tokens) > 1 and _prose_after_backquote(tokens):
        return None
    checks_by_kind = grammar.CHECKS_BY_KIND
    # As a bare value the input is the operand the query compares with (a number, a name) before any
    # AND/OR it adds. One that opens with a word and has more than that word (and closing
    # parentheses) before the AND/OR is a phrase: "it is true and that is false", "depends on erlang
    # >= 24 and elixir >= 1.12", 'I said "yes" or "no" -- whatever'. In a query most of those are a
    # syntax error, and an injection needs no phrase to close a number or a name; only a comparison of
    # two literals (OR 1=1), which prose does not write, still counts after one.
    phrase_at = _phrase_end(tokens) if not quote else -1
    for i, token in enumerate(tokens):
        if i > phrase_at >= 0 and token.kind == "&" and not grammar.compares_literals(tokens, i + 1):
            continue
        for check in checks_by_kind.get(token.kind, ()):
            hit = check(tokens, i)
            if hit is not None:
                return hit
    if quote:
        return grammar.after_value(tokens, 1, "quote")
    if tokens and (tokens[0].kind in ("n", ")") or (tokens[0].kind == "o" and grammar.kind_at(tokens, 1) == "n")):
        hit = grammar.after_value(tokens, 1 if tokens[0].kind != "o" else 2, "numeric value")
        if hit is None and tokens[0].kind != ")":
            hit = grammar.union_probe_after_number(tokens, text)
        return hit
    if tokens and tokens[0].kind == "&":
        return _leading_logic(tokens)
    if tokens and tokens[0].kind == ",":
        return grammar.leading_list_item(tokens)
    if tokens and tokens[0].kind == "(":
        return grammar.parenthesised_probe(tokens)
    if tokens and tokens[0].kind in ("w", "f"):
        return grammar.column_read(tokens)
    return None


def _phrase_end(tokens: list[Token]) -> int:
    """Where the bare value's opening phrase shows itself (``_scan_context``): the index of the first
    token after a leading word that is more than a closing parenthesis or a stray character (mojibake
    of a typographic quote), or -1 when there is none before an AND/OR."""
    if not tokens or tokens[0].kind != "w":
        return -1
    for i in range(1, len(tokens)):
        kind = tokens[i].kind
        if kind == "&":
            return -1  # "name OR ...": the word alone is the operand
        if kind not in (")", "?"):
            return i
    return -1


def _leading_logic(tokens: list[Token]) -> grammar.Hit | None:
    """The value starts with OR/AND: it was meant to extend a WHERE clause after a numeric value."""
    if not grammar.starts_expression(tokens, 1) or grammar.kind_at(tokens, 1) == "w":
        return None
    logic = tokens[0].value.upper()
    end = grammar.operand_end(tokens, 1)
    if end == len(tokens) and grammar.is_literal(tokens, 1):
        return ("HG-SQLI-003", f"value starts with {logic} and a constant condition", 0)
    call = grammar.skip(tokens, 1, "(")  # "||(elt(...))": parentheses around the call
    if grammar.kind_at(tokens, call) == "f" and grammar.is_sql_function(tokens[call].value):
        return ("HG-SQLI-003", f"value starts with {logic} and an SQL function call", 0)
    return None


def _evidence_span(tokens: list[Token], index: int, length: int) -> tuple[int, int]:
    """Up to 64 characters of the input from the token that decided (positions are input positions:
    the assumed opening quote is not part of the tokenized text)."""
    if not tokens:
        return 0, 0
    start = tokens[min(index, len(tokens) - 1)].start
    return start, min(start + 64, length)


def scan(text: str, ctx: ScanContext) -> Detection | None:
    """The engine entry point: :func:`detect`, guarded so that a detector bug never escapes."""
    try:
        return detect(text, ctx)
    except Exception:  # the contract: a detector never raises (tests fuzz detect() unguarded)
        return None


_PLUS_NEXT_TO_WORD = re.compile(r"(?<=[\w')])\+|\+(?=[\w'(])")


def detect(text: str, ctx: ScanContext) -> Detection | None:
    """First detection in ``text`` (unguarded; see :func:`scan`)."""
    if not text:
        return None
    if _reads_as_no_sql(text) or _PREFILTER_RE.search(text) is None:
        return None
    return detect_unfiltered(text, ctx)


def detect_unfiltered(text: str, ctx: ScanContext) -> Detection | None:
    """:func:`detect` without its gate, so a test can show the gate (and PREFILTER) is a necessary condition."""
    found = _detect_view(text, ctx)
    if found is None and "+" in text:
        # A form-encoded value decoded once too few times ("1+union+select+1,2--", "'+or+1=1--"): the
        # back end or a second decoding step may turn "+" into the space the attacker meant.
        spaced = _PLUS_NEXT_TO_WORD.sub(" ", text)
        if spaced != text:
            found = _detect_view(spaced, ctx)
    return found


def _detect_view(text: str, ctx: ScanContext) -> Detection | None:
    contexts: list[str] = [""]
    if any(q in text for q in SINGLE_QUOTES):
        contexts.append(SINGLE_QUOTES)
    if any(q in text for q in DOUBLE_QUOTES):
        contexts.append(DOUBLE_QUOTES)
    if "`" in text:
        contexts.append("`")  # MySQL identifier context (ORDER BY `<input>`)
    for quote in contexts:
        tokens = tokenize(text, quote)
        hit = _scan_context(tokens, quote, text)
        if hit is None:
            continue
        rule_id, reason, index = hit
        if _RULES_BY_ID[rule_id].paranoia > ctx.paranoia:
            continue
        where = _CONTEXT_NAMES[quote]
        start, end = _evidence_span(tokens, index, len(text))
        return Detection(rule_id, f"{reason} ({where})", start, end)
    return None
