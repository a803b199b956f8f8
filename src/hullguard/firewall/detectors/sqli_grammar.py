"""Token-sequence patterns that make a string an SQL injection (used by ``sqli.py``).

Each check looks at the token list of one injection context (bare value, inside '...', inside "...")
with a bounded look-ahead from one position, so a whole scan is linear in the number of tokens. A
check returns ``(rule_id, reason, token_index)`` or None. The reasons are the explanation a user sees.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hullguard.firewall.detectors.sqli_token import Token

Hit = tuple[str, str, int]
Check = Callable[[list[Token], int], "Hit | None"]

# Functions whose only purpose in a query string is to delay the answer (time-based blind SQLi).
_INTERVAL_SLEEPS = frozenset({"pg_sleep_for", "pg_sleep_until"})  # PostgreSQL's, taking an interval string
TIME_FUNCTIONS = frozenset(
    {"sleep", "benchmark", "pg_sleep", "dbms_lock.sleep", "dbms_pipe.receive_message", "user_lock.sleep", "randomblob"}
    | _INTERVAL_SLEEPS
)
# Functions whose first argument is a condition: IF(1=1, ...), ELT(3=3, ...) in boolean-blind probes.
CONDITION_FUNCTIONS = frozenset({"if", "iif", "elt", "make_set", "nullif", "case"})
# Functions used to leak data through error messages or out-of-band channels, or to touch files.
ERROR_FUNCTIONS = frozenset(
    {
        "extractvalue",
        "updatexml",
        "xmltype",
        "name_const",
        "geometrycollection",
        "multipoint",
        "multilinestring",
        "multipolygon",
        "linestring",
        "polygon",
        "gtid_subset",
        "load_file",
        "utl_inaddr.get_host_address",
        "utl_inaddr.get_host_name",
        "utl_http.request",
        "ctxsys.drithsx.sn",
        "dbms_xdb_version.checkin",
        "dbms_utility.sqlid_to_sqlhash",
        "xp_cmdshell",
        "xp_dirtree",
        "xp_fileexist",
        "openrowset",
        "opendatasource",
        "pg_read_file",
        "lo_import",
        "sys_eval",
        "sys_exec",
    }
)
# Prefixes of Oracle/MSSQL packages and procedures that have no business in user input.
DANGEROUS_PREFIXES = ("utl_", "dbms_", "ctxsys.", "sys.dbms_", "xp_", "sp_oa", "master..", "master.dbo.")
# Functions an attacker builds expressions with; in an operand position they mean "SQL follows".
EXPRESSION_FUNCTIONS = frozenset(
    {
        "char",
        "chr",
        "concat",
        "concat_ws",
        "substring",
        "substr",
        "mid",
        "ascii",
        "ord",
        "hex",
        "unhex",
        "length",
        "len",
        "version",
        "user",
        "database",
        "db_name",
        "current_user",
        "system_user",
        # the server's own state, which only a probe asks for in a parameter (MySQL, PostgreSQL)
        "schema",
        "session_user",
        "connection_id",
        "last_insert_id",
        "charset",
        "collation",
        "coercibility",
        "current_database",
        "current_schema",
        "count",
        "if",
        "iif",
        "ifnull",
        "isnull",
        "nullif",
        "coalesce",
        "cast",
        "convert",
        "md5",
        "sha1",
        "rand",
        "floor",
        "exp",
        "group_concat",
        "string_agg",
        "exists",
        "lower",
        "upper",
        "elt",
        "make_set",
        "row",
        "instr",
        "locate",
        "position",
        "left",
        "right",
        "reverse",
        "case",
        "select",
    }
)
SQL_FUNCTIONS = TIME_FUNCTIONS | ERROR_FUNCTIONS | EXPRESSION_FUNCTIONS
DDL_OBJECTS = frozenset(
    {"table", "database", "schema", "view", "user", "login", "index", "trigger", "column", "function", "procedure"}
)
# What GRANT gives (MySQL, PostgreSQL, MSSQL, Oracle): GRANT ALL PRIVILEGES ON *.* TO ..., GRANT DBA TO ...
_PRIVILEGES = frozenset(
    {"all", "select", "insert", "update", "delete", "execute", "usage", "dba", "alter", "create", "drop", "references",
     "file", "super", "process", "reload", "shutdown", "connect", "resource", "sysadmin", "index", "trigger", "control",
     "impersonate", "exec", "temporary", "truncate", "grant", "role", "sysdba", "unlimited"}
)
# A server variable: "@@" and a name that starts with two letters and a letter or "_" (@@version,
# @@global.port, @@spid, @@io_busy); "@@1VNcRiz", "@@T000" or "@@W" is a random password's.
_SERVER_VARIABLE = re.compile(r"@@[a-z]{2}[a-z_][a-z0-9_.$]{0,60}")
COMPARISONS = frozenset(
    {"=", "<>", "!=", "<", ">", "<=", ">=", "<=>", "like", "rlike", "regexp", "is", "in", "!<", "!>", "<@", "@>"}
    | {"ilike", "glob", "~"}  # (PostgreSQL's regular expression match; "~~" reads as "~" and a sign)
)
# SQLite's and PostgreSQL's postfix null tests: "email NOTNULL" is a condition of one operand.
POSTFIX_TESTS = frozenset({"notnull", "isnull"})
# Keywords that continue a query right after a quote break or a numeric value.
CLAUSE_AFTER_VALUE = frozenset({"order", "group", "having", "where", "limit", "procedure", "into", "offset"})


def _get(tokens: list[Token], i: int) -> Token | None:
    return tokens[i] if 0 <= i < len(tokens) else None


def kind_at(tokens: list[Token], i: int) -> str:
    return tokens[i].kind if 0 <= i < len(tokens) else ""


def value_at(tokens: list[Token], i: int) -> str:
    return tokens[i].value if 0 <= i < len(tokens) else ""


def skip(tokens: list[Token], i: int, kinds: str) -> int:
    """Index of the first token at or after ``i`` whose kind is not in ``kinds`` (at most 16 skipped)."""
    limit = i + 16
    while i < len(tokens) and i < limit and tokens[i].kind in kinds:
        i += 1
    return i


def is_sql_function(word: str) -> bool:
    return word in SQL_FUNCTIONS or word.startswith(DANGEROUS_PREFIXES)


_ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "div", "mod", "^", "->", "->>"})  # (JSON paths too)


_UNARY = ("-", "+", "~", "!")


def _unary_end(tokens: list[Token], j: int) -> int:
    """Past a unary operator before an operand: a sign, or MySQL's BINARY cast before a literal
    (``' or binary 1='1``)."""
    if kind_at(tokens, j) == "o" and value_at(tokens, j) in _UNARY:
        # a run of them is still one operand (-+-1, ~~1, !!1: how mutators re-spell a number), bounded
        end = j + 1
        while end < j + 8 and kind_at(tokens, end) == "o" and value_at(tokens, end) in _UNARY:
            end += 1
        return end
    if value_at(tokens, j) == "binary" and kind_at(tokens, j + 1) in ("n", "s", "t", "v"):
        return j + 1
    return j


def operand_end(tokens: list[Token], i: int) -> int:
    """If a value operand starts at ``i`` (parentheses and arithmetic on literals allowed, ``17-7``),
    the index after it, else -1."""
    j = _operand_start(tokens, i)
    if kind_at(tokens, j) not in ("n", "s", "t", "w", "v"):
        return -1
    j = _cast_end(tokens, j + 1)
    for _ in range(8):  # a short chain: 1+1, 17-7, 2*3, '{"a":1}' -> 'a'
        if value_at(tokens, j) in _ARITHMETIC and kind_at(tokens, j + 1) in ("n", "s", "t"):
            j = _cast_end(tokens, j + 2)
        else:
            break
    return skip(tokens, j, ")")


def _cast_end(tokens: list[Token], j: int) -> int:
    """After an operand: past a PostgreSQL cast (``'{"a":1}'::jsonb``, ``1::int``) if one follows."""
    if value_at(tokens, j) == "::" and kind_at(tokens, j + 1) in ("w", "k"):
        return j + 2
    return j


def _operand_start(tokens: list[Token], i: int) -> int:
    """Past the parentheses and signs that open an operand, nested or not: ``(1)``, ``-(-1)``, ``((~1))``
    (a bounded number of rounds)."""
    j = i
    for _ in range(4):
        start = j
        j = _unary_end(tokens, skip(tokens, j, "("))
        if j == start:
            break
    return j


def is_literal(tokens: list[Token], i: int) -> bool:
    j = _operand_start(tokens, i)
    return kind_at(tokens, j) in ("n", "s", "t", "v")


def starts_expression(tokens: list[Token], i: int) -> bool:
    """Does an SQL expression (not English) start at ``i``? Used after a logic/comparison operator."""
    kind = kind_at(tokens, i)
    if kind == "n" and _glued_quote(tokens, i + 1):
        return False  # 18" (inches), 60's, <3": a number of prose, no operand (a number then a string is no SQL)
    if kind in ("n", "s", "t", "v"):
        return True
    if kind == "f":
        return True
    if kind == "(":
        return True
    if kind == "o" and value_at(tokens, i) in ("not", "-", "+", "~", "!"):
        # A sign before a word is read as the word is ('SHABBY+"AND+WHITE"&...': a phrase in a URL)
        return kind_at(tokens, i + 1) != "w" or value_at(tokens, i) == "not" or starts_expression(tokens, i + 1)
    if kind in ("E", "k") and value_at(tokens, i) in ("select", "exists", "case", "if", "char", "convert", "cast"):
        return True
    if _unary_end(tokens, i) > i:  # BINARY before a literal ("'rlike binary 0#")
        return True
    if kind == "w":
        if value_at(tokens, i) == "match" and _full_text_search(tokens, i + 1):
            return True
        if value_at(tokens, i).startswith(DANGEROUS_PREFIXES):  # '||utl_http.request: a package, not a word
            return True
        # A column name is SQL when an operator or the end of the query follows, not another word.
        # ("5' or less" ends with a word: English, not a condition.)
        nxt = kind_at(tokens, i + 1)
        return nxt in ("o", "c", ")", ";", "&") and not (nxt == "o" and value_at(tokens, i + 1) == "-")
    return False


def _full_text_search(tokens: list[Token], i: int) -> bool:
    """After MySQL's MATCH: its columns, bare or in parentheses, then ``AGAINST (`` and the search
    string (``' or MATCH username AGAINST ('+admin' IN BOOLEAN MODE)``). English that matches one
    thing against another puts no quoted string right after "against (" ("match them against (the
    champions)")."""
    for k in range(i, min(i + 12, len(tokens))):
        tok = tokens[k]
        if tok.value == "against":
            return k > i and kind_at(tokens, k + 1) == "(" and kind_at(tokens, k + 2) in ("s", "v")
        if tok.kind not in ("w", ",", "(", ")", "."):
            return False
    return False


def _glued_quote(tokens: list[Token], i: int) -> bool:
    """Is token ``i`` a string whose quote touches the token before it (``18"``, ``60's``, ``where's``)?"""
    return 0 < i < len(tokens) and tokens[i].kind == "s" and tokens[i].start == tokens[i - 1].end


_CONTRACTIONS = ("s ", "t ", "d ", "m ", "re ", "ll ", "ve ")


def _contraction(tokens: list[Token], i: int) -> bool:
    """Is token ``i`` the rest of an English contraction or possessive glued to the word before it
    (``WHERE'S GEORGE"``: ``'s george"``)?"""
    return _glued_quote(tokens, i) and tokens[i].value.startswith(_CONTRACTIONS)


def union_select(tokens: list[Token], i: int) -> Hit | None:
    """``UNION [ALL|DISTINCT] [(] SELECT`` followed by a select list, or glued to values/comments."""
    if kind_at(tokens, i) != "U":
        return None
    # MySQL's line comments with the line break after them stand for blanks, as /**/ does (which the
    # tokenizer folds away): "union#foo\r\nselect#bar\r\n1,2"
    j = skip(tokens, i + 1, "c")
    if value_at(tokens, j) == "+" and value_at(tokens, j + 1) == "select":
        j += 1  # "1+union+select+1,2--": a form-encoded blank the value still carries
    if value_at(tokens, j) in ("all", "distinct"):
        j = skip(tokens, j + 1, "c")
    j = skip(tokens, j, "(")
    if value_at(tokens, j) in ("values", "table") and _appended_rows(tokens, j):
        return ("HG-SQLI-002", f"UNION {value_at(tokens, j).upper()} appends rows to the original query's", i)
    if value_at(tokens, j) != "select":
        return None
    prev = kind_at(tokens, i - 1)
    if prev in ("", "n", ")", "t", "c") or _select_list(tokens, skip(tokens, j + 1, "c")):
        return ("HG-SQLI-002", "UNION SELECT appends a second query to the original one", i)
    return None


def _object_name(tokens: list[Token], i: int) -> bool:
    """Does the name of a table, user... start at ``i`` (``users``, ```x```, ``'bob'@'%'``, ``IF [NOT]
    EXISTS``)? Not an operator word ("drop function in favour of"), the end ("Create User", a button) or
    another keyword ("create table for 6 people")."""
    return kind_at(tokens, i) in ("w", "f", "s", "v") or value_at(tokens, i) == "if"


_DEFINITION_WORDS = frozenset(
    {"as", "like", "identified", "on", "before", "after", "instead", "with", "select", "engine", "default", "exists"}
)


def _definition_follows(tokens: list[Token], i: int) -> bool:
    """After ``CREATE <object> <name>``: what a definition goes on with (a column list, AS, LIKE,
    IDENTIFIED BY, ON <table>, a trigger's timing) or the end, not prose ("create table for 6 people")."""
    return kind_at(tokens, i) in ("", ";", "c", "(", "E", "k") or value_at(tokens, i) in _DEFINITION_WORDS


def _appended_rows(tokens: list[Token], j: int) -> bool:
    """``VALUES (31337,'x')`` or ``TABLE users--`` (MySQL 8, MariaDB, PostgreSQL and SQLite take them
    after UNION): a row constructor of literals, or a table name and a terminator."""
    if value_at(tokens, j) == "table":  # ("Student Union Table Tennis" names a club: a terminator must follow)
        return kind_at(tokens, j + 1) == "w" and kind_at(tokens, j + 2) in ("c", ";")
    # a row of two literals or more ("credit union values (2024)" is prose)
    return kind_at(tokens, j + 1) == "(" and is_literal(tokens, j + 2) and value_at(tokens, j + 3) == ","


def union_probe_after_number(tokens: list[Token], text: str) -> Hit | None:
    r"""``-1 union``, ``-1#\r\nunion #``, ``1/1/**/union#--``: a numeric value, then UNION and nothing
    but comments - the probe cut off before the SELECT it prepares, as scanners send it to see how a
    parameter reacts. A sign, arithmetic or a comment must be there too: "1 union" alone may be data."""
    i = 0
    while kind_at(tokens, i) == "n" or (kind_at(tokens, i) == "o" and value_at(tokens, i) in _ARITHMETIC):
        i += 1
    if kind_at(tokens, i) == "c":
        i = skip(tokens, i, "c")
    if i == 0 or kind_at(tokens, i) != "U" or not any(tok.kind == "n" for tok in tokens[:i]):
        return None
    end = skip(tokens, i + 1, "c")
    if value_at(tokens, end) in ("all", "distinct"):
        end = skip(tokens, end + 1, "c")
    if end != len(tokens):
        return None
    if not (any(tok.kind in ("o", "c") for tok in tokens) or "/*" in text):
        return None
    return ("HG-SQLI-002", "a number followed by UNION alone (a UNION probe cut off before its SELECT)", i)


def _dropped_names_end(tokens: list[Token], i: int) -> bool:
    """After DROP/TRUNCATE and the object's kind, at ``i``: ``IF EXISTS``, names separated by commas,
    then the statement's end (the input's, ``;``, a comment, a bracket) or its options."""
    if value_at(tokens, i) == "if" and value_at(tokens, i + 1) == "exists":
        i += 2
    for _ in range(16):
        if kind_at(tokens, i) in ("", "o", "&", ";", "c"):  # a name, not an operator or the end
            return False
        i += 1
        while value_at(tokens, i) == ".":  # schema.table
            i += 2
        if value_at(tokens, i) != ",":
            break
        i += 1
    return kind_at(tokens, i) in ("", ";", "c", ")") or value_at(tokens, i) in _DROP_OPTIONS


_DROP_OPTIONS = frozenset({"cascade", "restrict", "purge", "with", "force"})


def _select_list(tokens: list[Token], i: int) -> bool:
    """Does a SELECT list (not an English phrase) start at ``i``?"""
    if value_at(tokens, i) in ("distinct", "all"):
        # a list must follow the quantifier: "Select all" and "Select all with issues" are a button's label
        i += 2 if value_at(tokens, i + 1) in ("distinct", "all") else 1
    kind, value = kind_at(tokens, i), value_at(tokens, i)
    if kind in ("f", "v", "(", "t") or value in ("*", "top", "@"):
        return True
    if value == "case":  # CASE [<operand>] WHEN: "Select case" alone is a button's label
        return "when" in (value_at(tokens, i + 1), value_at(tokens, i + 2), value_at(tokens, i + 3))
    if kind == "o" and value in _SIGNS:
        # A signed first column: "union select -7431.1, name", "select -sin(@version),2 from bar",
        # MySQL's "SELECT-1e1FROM`t`", "SELECT~1.FROM", "SELECT ~~31337", "SELECT -(-31337)" (signs and
        # parentheses)
        first = _operand_start(tokens, i)
        if kind_at(tokens, first) in _SIGNED_COLUMNS:
            return _select_list(tokens, first) or _columns_from(tokens, i)
    if kind in ("n", "s"):
        nxt = kind_at(tokens, i + 1)
        return nxt in (",", "c", ";", ")", "o", "&", "", "U") or value_at(tokens, i + 1) in (
            "from",
            "into",
            "as",
            "where",
        )
    if kind == "w":
        # select password from users [where|--|;|end]
        if value_at(tokens, i + 1) == "," or kind_at(tokens, i + 1) in (";", "c"):
            return True
        if value_at(tokens, i + 1) == "from" and kind_at(tokens, i + 2) == "w":
            return _table_ends(tokens, i + 3)
        if kind_at(tokens, i + 1) in ("o", "&"):
            return _columns_from(tokens, i)
    return False


_SIGNS = ("-", "+", "~", "!")
_SIGNED_COLUMNS = ("n", "w", "f", "s", "v")
_COLUMN_OPERANDS = ("w", "n", "s", "t", "v")


def _table_ends(tokens: list[Token], i: int) -> bool:
    """After ``FROM <table>``: the end, a comment, a clause or punctuation of a query, not prose."""
    return kind_at(tokens, i) in ("", "c", ";", ")", "k", "U", ",") or value_at(tokens, i) in ("where", "limit")


def _columns_from(tokens: list[Token], i: int) -> bool:
    """A column built by operators up to ``FROM <table>``: ``username || ':' || password FROM users``,
    ``-id-1.FROM`test```. Words glued by a hyphen are one word of prose ("high-end from Sony")."""
    k, limit, operands = i, min(len(tokens), i + 16), 0
    while k < limit:
        if tokens[k].kind == "o" and tokens[k].value in _SIGNS:
            k += 1
        if kind_at(tokens, k) not in _COLUMN_OPERANDS:
            return False
        operands += 1
        k += 1
        if value_at(tokens, k) == "from":
            return operands > 1 and kind_at(tokens, k + 1) == "w" and _table_ends(tokens, k + 2)
        op = _get(tokens, k)
        if op is None or not (op.value in _ARITHMETIC or op.value == "||") or _hyphenated(tokens, k):
            return False
        k += 1
    return False


def _hyphenated(tokens: list[Token], k: int) -> bool:
    """Is the ``-`` at ``k`` glued between two words (a compound word of prose)?"""
    if tokens[k].value != "-" or k == 0 or k + 1 >= len(tokens):
        return False
    left, right = tokens[k - 1], tokens[k + 1]
    return left.kind == right.kind == "w" and left.end == tokens[k].start and tokens[k].end == right.start


def statement(tokens: list[Token], i: int) -> bool:
    """Does a complete SQL statement start at ``i`` (a verb plus the grammar that must follow it)?"""
    verb = value_at(tokens, i)
    if kind_at(tokens, i) not in ("E", "f", "k"):
        return False
    nxt, nxt_kind = value_at(tokens, i + 1), kind_at(tokens, i + 1)
    if verb == "select":
        return _select_list(tokens, i + 1)
    if verb in ("insert", "replace"):  # MySQL's REPLACE [INTO] writes a row as INSERT does
        if nxt == "into" and verb == "insert":
            return True
        table = i + 2 if nxt == "into" else i + 1
        if kind_at(tokens, table) != "w":
            return False
        after = value_at(tokens, table + 1)
        # "insert t values (...)", "insert t (a) ...", MySQL's "insert t set a=1" and "insert t select 1"
        return after in ("values", "(") or (after == "set" and value_at(tokens, table + 3) == "=") or (
            after == "select" and _select_list(tokens, table + 2)
        )
    if verb == "update":
        return nxt_kind == "w" and value_at(tokens, i + 2) == "set"
    if verb == "delete":  # MySQL's modifiers between: "delete low_priority quick ignore from t"
        k = i + 1
        while value_at(tokens, k) in _DELETE_MODIFIERS and k < i + 4:
            k += 1
        return value_at(tokens, k) == "from" and kind_at(tokens, k + 1) == "w"
    if verb == "load":  # "load data [local] infile", "load xml low_priority infile": reads a server file
        k = i + 2
        while value_at(tokens, k) in _LOAD_MODIFIERS and k < i + 4:
            k += 1
        return nxt in ("data", "xml") and value_at(tokens, k) == "infile"
    name = i + 2  # where the object's name stands
    if verb == "create" and nxt == "or" and value_at(tokens, i + 2) == "replace":
        nxt, name = value_at(tokens, i + 3), i + 4
    if verb == "rename":  # MySQL renames tables and users only ("rename function due to a clash" is prose)
        return nxt in ("table", "user") and kind_at(tokens, i + 2) not in ("o", "&")
    if verb in ("drop", "create", "alter", "truncate"):
        # The object's name follows, not an operator word ("drop function in favour of ...") nor the end
        # ("Create User", a form's button)
        if nxt not in DDL_OBJECTS or not _object_name(tokens, name):
            return False
        if verb in ("drop", "truncate"):  # the statement ends after the names: "Drop table reservation for
            return _dropped_names_end(tokens, name)  # Friday, please." goes on as a sentence
        return verb != "create" or kind_at(tokens, name) != "w" or _definition_follows(tokens, name + 1)
    if verb == "copy":
        return nxt_kind == "w" and value_at(tokens, i + 2) in ("from", "to") and kind_at(tokens, i + 3) == "s"
    if verb in ("exec", "execute"):
        if nxt == "as":  # MSSQL's impersonation: "execute as login 'sa'"
            return value_at(tokens, i + 2) in ("login", "user", "caller", "owner", "self")
        return nxt_kind in ("v", "(", "f") or nxt.startswith(("xp_", "sp_", "master", "immediate", "dbms_"))
    if verb == "declare":
        return nxt_kind == "v"
    if verb == "set":
        return nxt_kind == "v"
    if verb == "shutdown":
        return nxt_kind in ("", "c", ";") or nxt == "with"
    if verb == "waitfor":
        return nxt in ("delay", "time") and kind_at(tokens, i + 2) == "s"
    if verb == "begin":  # a PL/SQL call, or a T-SQL block: "begin shutdown end", "begin declare @x ..."
        if nxt == "shutdown":  # the block ends there: "begin shutdown end--", not "begin shutdown end of day"
            after = value_at(tokens, i + 2)
            return after in ("", ";", "with") or (after == "end" and kind_at(tokens, i + 3) in ("", ";", "c"))
        # (one level: "begin begin begin ..." must not recurse once per token)
        return nxt.startswith(("dbms_", "user_lock")) or (nxt != "begin" and statement(tokens, i + 1))
    if verb == "call":  # a procedure call that no prose follows ("call foo() only in ..." is a commit message)
        return nxt_kind == "f" and _call_ends_prose(tokens, i + 2)
    if verb == "grant":  # a privilege ("grant permission to use ..." is English)
        return nxt in _PRIVILEGES and value_at(tokens, i + 2) in ("to", "on", ",", "privileges")
    if verb == "backup":
        return nxt in ("database", "log")
    return False


def _call_ends_prose(tokens: list[Token], j: int) -> bool:
    """After the argument list opening at ``j``: the end of the input, ``;``, a comment or SQL syntax (a
    parenthesis, an operator, a string: ``call f(...)) ||'``), not a word of a sentence going on; or
    the value ends inside the list."""
    if kind_at(tokens, j) != "(":
        return False
    end = _closing_parenthesis(tokens, j, len(tokens))
    if end < 0:
        return True
    after = kind_at(tokens, end)
    if after == "o" and kind_at(tokens, end + 1) in ("f", "w"):
        return False  # "call a() in b()", "call a()/b() directly": names joined in a sentence
    return after not in _PROSE_KINDS


# What follows a procedure call in a sentence: a word, a keyword, a number, another statement or call.
_PROSE_KINDS = frozenset({"w", "k", "n", "E", "f"})


def stacked_query(tokens: list[Token], i: int) -> Hit | None:
    """``; <statement>``: the input ends the query and starts a new one."""
    if kind_at(tokens, i) != ";":
        return None
    j = skip(tokens, i + 1, ";")
    if statement(tokens, j) or _schema_probe(tokens, j) or _guarded_statement(tokens, j):
        return ("HG-SQLI-004", f"stacked query: ';' followed by a {value_at(tokens, j).upper()} statement", i)
    return None


_DELETE_MODIFIERS = frozenset({"low_priority", "quick", "ignore"})
_LOAD_MODIFIERS = frozenset({"low_priority", "concurrent", "local"})
_GUARD_REACH = 12  # tokens of a condition before the statement it guards


def _guarded_statement(tokens: list[Token], i: int) -> bool:
    """T-SQL's control flow after ``;``: ``if exists (``, or ``if``/``while`` and a condition (an
    operator in it) that a statement follows (``;if 1=1 drop table users``, ``; while 1=1 shutdown``).
    A word alone after ``;`` ("; if you like it") is prose."""
    word = value_at(tokens, i)
    if word not in ("if", "while"):
        return False
    if word == "if" and value_at(tokens, i + 1) in ("exists", "not"):
        k = i + 2 if value_at(tokens, i + 1) == "not" else i + 1
        return value_at(tokens, k) == "exists" and kind_at(tokens, k + 1) == "("
    compared = False
    for k in range(i + 1, min(len(tokens), i + 1 + _GUARD_REACH)):
        if tokens[k].kind == "o":
            compared = True
        elif compared and statement(tokens, k):
            return True
    return False


_SHOWN = frozenset({"tables", "databases", "schemas", "grants", "variables", "processlist", "columns", "users"})


def _schema_probe(tokens: list[Token], i: int) -> bool:
    """Statements that list the schema or the server (``desc users``, ``show tables``, ``print
    @@version``): harmless words alone (a sort order "desc name"), a probe after ``;``."""
    verb, nxt = value_at(tokens, i), value_at(tokens, i + 1)
    ends = kind_at(tokens, i + 2) in ("", ";", "c")
    if verb in ("desc", "describe"):
        return kind_at(tokens, i + 1) == "w" and ends
    if verb == "show":
        return nxt in _SHOWN and ends
    return verb == "print" and nxt.startswith("@@") and ends


def leading_statement(tokens: list[Token], i: int) -> Hit | None:
    """A whole statement or sub-query given as the value: ``select ... from``, ``(select ...)``."""
    if kind_at(tokens, i) not in ("E", "f"):
        return None
    prev = kind_at(tokens, i - 1)
    if prev not in ("", "(", "c", "o", "&", ",") or value_at(tokens, i - 1) == "not":
        return None  # ("do not call foo()": no statement follows NOT)
    if value_at(tokens, i) == "shutdown" and (prev == "o" or kind_at(tokens, i + 1) in ("", ";")):
        return None  # one word, a state or an action ("reboot/shutdown", "?action=shutdown"): SQL after ";"
    if statement(tokens, i):
        shape = "sub-query" if prev == "(" else "SQL statement"
        return ("HG-SQLI-008", f"{shape} {value_at(tokens, i).upper()} in the input", i)
    return None


_WORD_COMPARISONS = frozenset({"like", "rlike", "regexp", "ilike", "glob", "in"})
_PATTERN_MATCHES = _WORD_COMPARISONS - {"in"}


def _two_word_comparison(tokens: list[Token], j: int, negatable: frozenset[str] = _WORD_COMPARISONS) -> bool:
    """``NOT`` and one of ``negatable`` (``NOT LIKE``, ``NOT IN``), or MySQL's ``SOUNDS LIKE``, at ``j``:
    one comparison operator of two words."""
    first, second = value_at(tokens, j), value_at(tokens, j + 1)
    return kind_at(tokens, j) == "o" and (
        (first == "not" and second in negatable) or (first == "sounds" and second == "like")
    )


def _comparison(tokens: list[Token], j: int, strict: bool) -> str | None:
    """If ``<operand> <cmp> <operand>`` starts at ``j``, describe it; None otherwise.

    Two literals (``1=1``, ``'a'='a'``, ``2>1``) always count; two identical words (``x=x``) too;
    other words (``x=y``) only when the comparison ends the query (``strict`` forbids them).
    """
    left_end = operand_end(tokens, j)
    if left_end < 0:
        return None
    op = _get(tokens, left_end)
    if _two_word_comparison(tokens, left_end):
        left_end += 1  # "1 NOT LIKE 0", MySQL's "1 SOUNDS LIKE 1"
        op = tokens[left_end]
    if op is not None and op.kind == "o" and op.value in POSTFIX_TESTS:
        ends = kind_at(tokens, left_end + 1) in ("", "c", ";", "&")
        return "a null test (NOTNULL/ISNULL)" if is_literal(tokens, j) or (not strict and ends) else None
    if op is None or op.kind != "o" or op.value not in COMPARISONS:
        return None
    right = left_end + 1
    # IS takes NULL, TRUE, FALSE, UNKNOWN or NOT (in SQLite also a value: 1 IS 1); "roll is life" is English.
    negated = value_at(tokens, right) == "not"
    is_operand = kind_at(tokens, right + negated) == "t" or (negated and value_at(tokens, right + 1) == "distinct")
    if op.value == "is" and not (is_operand or (is_literal(tokens, j) and is_literal(tokens, right))):
        return None
    if op.value == "in" and kind_at(tokens, right) != "(":
        return None  # IN takes a list in parentheses: "5 and 6 in stock" is English
    if op.value == "is" or (op.value in ("in", "like") and kind_at(tokens, right) == "("):
        return "a boolean condition" if is_literal(tokens, j) or not strict else None
    if value_at(tokens, right) == "not":
        right += 1
    right_end = operand_end(tokens, right)
    if right_end < 0:
        if not strict and (kind_at(tokens, right) in ("f", "(") or value_at(tokens, right) == "select"):
            return "a value compared with a computed expression"
        return None
    if is_literal(tokens, j) and is_literal(tokens, right):
        return "a tautology/contradiction (literal compared with literal)"
    if value_at(tokens, skip(tokens, j, "(")) == value_at(tokens, skip(tokens, right, "(")):
        return "a tautology (value compared with itself)"
    if op.value.isalpha() and kind_at(tokens, j) == "w" and kind_at(tokens, right) == "w":
        return None  # words joined by IN, LIKE or REGEXP without a list or a pattern: "dogs in love"
    if not strict and kind_at(tokens, right_end) in ("", "c", ";", "&"):
        return "a boolean condition that ends the query"
    return None


def compares_literals(tokens: list[Token], j: int) -> bool:
    """Does the condition at ``j`` compare a literal with a literal (``1=1``, ``NOT 'a'<>'b'``)?"""
    if value_at(tokens, j) == "not":
        j += 1
    end = operand_end(tokens, j)
    if end < 0 or not is_literal(tokens, j):
        return False
    op = _get(tokens, end)
    return op is not None and op.kind == "o" and op.value in COMPARISONS and is_literal(tokens, end + 1)


def tautology(tokens: list[Token], i: int) -> Hit | None:
    """``OR|AND <operand> <cmp> <operand>`` or ``OR TRUE``/``OR 1--`` ending the query."""
    if kind_at(tokens, i) != "&":
        return None
    symbol = value_at(tokens, i) in ("||", "&&")  # also string concatenation in Oracle/PostgreSQL: be strict
    j = i + 1
    if kind_at(tokens, j) == "o" and value_at(tokens, j) == "not":
        j += 1
    logic = value_at(tokens, i).upper()
    what = _comparison(tokens, j, strict=symbol)
    if what is not None:
        return ("HG-SQLI-003", f"{logic} followed by {what}", i)
    between = j + 2 if value_at(tokens, j + 1) == "not" else j + 1  # "1 and 1 not between 0 and 1"
    if value_at(tokens, between) == "between" and is_literal(tokens, j) and value_at(tokens, between + 2) == "and":
        return ("HG-SQLI-003", f"{logic} followed by BETWEEN on literals", i)
    if not symbol and kind_at(tokens, j) in ("f", "(") and _expression_compares(tokens, j):
        return ("HG-SQLI-003", f"{logic} followed by a comparison built from SQL functions", i)
    end = operand_end(tokens, j)
    if end >= 0 and is_literal(tokens, j):
        after = kind_at(tokens, end)
        constant = kind_at(tokens, skip(tokens, j, "(")) == "t"
        if after in ("c", ";") or (after == "" and ((constant and not symbol) or _unprosaic_truth(tokens, i, j))):
            return ("HG-SQLI-003", f"{logic} with a constant truth value ends the query", i)
    return None


def _unprosaic_truth(tokens: list[Token], i: int, j: int) -> bool:
    """Is ``<number> OR|AND <number>`` ending the input written the way no prose writes it? "1 or 2" and
    "1 || 2" are a chat's or a filter's; ``1 OR !!1``, ``1 OR ~0`` and ``-(1+0) OR 1`` (the whole input: a
    numeric context) are SQL, where the number makes the condition true or false."""
    start = skip(tokens, j, "(")
    signs = _unary_end(tokens, start) - start
    if signs >= 2 or (signs == 1 and value_at(tokens, start) in ("!", "~")):
        return True
    left = tokens[:i]
    numeric = all(tok.kind in ("n", "(", ")") or (tok.kind == "o" and tok.value in _ARITHMETIC) for tok in left)
    if not left or not numeric:
        return False
    operators = sum(tok.kind == "o" for tok in left)
    # "-(1+0) OR 1", "-(-1) AND 0", "-+-1 OR 1": a signed number no text spells so ("1 || 2", "(2) or 3",
    # "(555) 123-4567 or 1" are a filter's, a sum's and a phone number's)
    signed = left[0].kind == "o"
    return signed and (operators >= 2 or any(tok.kind == "(" for tok in left))


def _expression_compares(tokens: list[Token], j: int) -> bool:
    """Does the expression at ``j`` call an SQL function and compare at top level (``MID(x,1,1)='5'``)?

    Looks at most 64 tokens ahead and stops at the end of the condition.
    """
    depth, calls = 0, False
    for k in range(j, min(j + 64, len(tokens))):
        tok = tokens[k]
        if tok.kind == "(":
            depth += 1
        elif tok.kind == ")":
            depth -= 1
            if depth < 0:
                return False
        elif tok.kind == "f" and is_sql_function(tok.value):
            calls = True
        elif depth == 0 and (tok.kind in (";", "c", "U") or (tok.kind == "&" and tok.value != "||")):
            return False
        elif depth == 0 and tok.kind == "o" and tok.value in COMPARISONS:
            return calls
    return False


def condition(tokens: list[Token], i: int) -> Hit | None:
    """``WHERE 1=1``, ``HAVING 1=0``, ``WHEN 3=4``, ``WHEN (3=4)``, ``CASE 5 WHEN 5``, ``IF(1=1, ...)``,
    ``ELT(5=5, 1)``: constant conditions."""
    tok = _get(tokens, i)
    if tok is None:
        return None
    if tok.kind == "k" and tok.value in ("where", "having", "when"):
        what = _comparison(tokens, i + 1, strict=True)
        if what is not None:
            return ("HG-SQLI-003", f"{tok.value.upper()} with {what}", i)
    if tok.kind == "f" and tok.value == "when":
        # "WHEN (5841=5841) THEN": the tokenizer reads a word before "(" as a call; a CASE branch's
        # condition in parentheses is sqlmap's inline-query probe
        what = _comparison(tokens, skip(tokens, i + 1, "("), strict=True)
        if what is not None:
            return ("HG-SQLI-003", f"WHEN with {what}", i)
    before = kind_at(tokens, i - 1)
    after_prose = before in ("w", "n", "s") or (before == "o" and value_at(tokens, i - 1).isalpha())
    if tok.kind == "k" and tok.value == "case" and not after_prose:
        # "CASE 2016 WHEN 2016 THEN", "CASE SIN(1) WHEN 2 THEN": a simple CASE whose operand is a
        # constant picks a branch that does not depend on any row (boolean-blind probe); "CASE WHEN 2
        # THEN", "CASE WHEN F(1) THEN": so does a searched CASE whose condition is one. No text writes a
        # number or a call between "case" and "when", or between "case when" and "then", except after
        # a word ("in case when 2 then 3 fail"), where SQL puts no CASE.
        operand = _constant_end(tokens, i + 1)
        branch = _constant_end(tokens, operand + 1) if operand > 0 and value_at(tokens, operand) == "when" else -1
        if branch > 0 and value_at(tokens, branch) == "then":
            return ("HG-SQLI-003", "CASE on a constant value", i)
        if value_at(tokens, i + 1) == "when" and value_at(tokens, _constant_end(tokens, i + 2)) == "then":
            return ("HG-SQLI-003", "CASE WHEN on a constant condition", i)
    if tok.kind == "f" and tok.value in CONDITION_FUNCTIONS and kind_at(tokens, i + 1) == "(":
        what = _comparison(tokens, i + 2, strict=True)
        if what is not None:
            return ("HG-SQLI-003", f"{tok.value.upper()}() on {what}", i)
    return None


def _constant_end(tokens: list[Token], i: int) -> int:
    """The index after a literal or a function call of literals at ``i`` (``2``, ``'s'``, ``sin(1)``,
    ``f(1, 2)``), or -1."""
    if is_literal(tokens, i):
        return operand_end(tokens, i)
    if kind_at(tokens, i) != "f" or kind_at(tokens, i + 1) != "(":
        return -1
    for k in range(i + 2, min(i + 18, len(tokens))):
        kind = tokens[k].kind
        if kind == ")":
            return k + 1
        if kind not in ("n", "s", "t", ","):
            return -1
    return -1


_CHAR_CALLS = frozenset({"chr", "char", "nchar"})


def _char_call_end(tokens: list[Token], i: int) -> int:
    """The index after ``CHR(<number>)`` at ``i``, or -1."""
    if value_at(tokens, i) not in _CHAR_CALLS:
        return -1
    return i + 4 if [kind_at(tokens, k) for k in range(i + 1, i + 4)] == ["(", "n", ")"] else -1


def char_chain(tokens: list[Token], i: int) -> Hit | None:
    """``chr(11)||chr(12)||char(13)``: a string spelled by character codes and concatenated, so that
    no quote appears in the query (Oracle, PostgreSQL; MSSQL's ``char(65)+char(66)`` where something
    else in the value brings it to the detector: ``+`` alone is no SQL sign)."""
    end = _char_call_end(tokens, i)
    if end < 0 or value_at(tokens, end) not in ("||", "+") or _char_call_end(tokens, end + 1) < 0:
        return None
    return ("HG-SQLI-001", "a string built from character codes, concatenated", i)


_DELAY_ARGUMENTS = ("n", "f", "v", "w", "(", "o")


def _words_follow(tokens: list[Token], i: int) -> bool:
    """Does a phrase of words start at ``i`` (``in python``, ``on linux``), an operator word included?"""
    first = _get(tokens, i)
    if first is None or not (first.kind == "w" or (first.kind == "o" and first.value.isalpha())):
        return False
    return kind_at(tokens, i + 1) == "w" and kind_at(tokens, i + 2) in ("", "w")


def time_based(tokens: list[Token], i: int) -> Hit | None:
    """``sleep(n)``, ``benchmark(n, ...)``, ``pg_sleep(n)``, ``waitfor delay '...'``, ``dbms_lock.sleep``."""
    tok = _get(tokens, i)
    if tok is None:
        return None
    if tok.kind == "f" and (tok.value in TIME_FUNCTIONS or tok.value.rsplit(".", 1)[-1] == "sleep"):
        arg = skip(tokens, i + 1, "(")
        # "sleep(8 hours)" is prose: in SQL a number followed by a bare word is no argument list; so is
        # "sleep(5) in python", a call that a phrase of words follows
        prose = kind_at(tokens, arg) == "n" and (
            kind_at(tokens, arg + 1) == "w" or (kind_at(tokens, arg + 1) == ")" and _words_follow(tokens, arg + 2))
        )
        argument_kinds = ("n", "f", "v", "w", "(", "o", "s") if tok.value in _INTERVAL_SLEEPS else _DELAY_ARGUMENTS
        if kind_at(tokens, arg) in argument_kinds and kind_at(tokens, i - 1) not in ("w", "s") and not prose:
            return ("HG-SQLI-005", f"time delay function {tok.value}() (time-based blind injection)", i)
    if tok.value == "waitfor" and value_at(tokens, i + 1) in ("delay", "time") and kind_at(tokens, i + 2) == "s":
        return ("HG-SQLI-005", "WAITFOR DELAY (time-based blind injection)", i)
    return None


def error_based(tokens: list[Token], i: int) -> Hit | None:
    """Functions that leak data via errors or out-of-band channels; ``INTO OUTFILE``; system variables."""
    tok = _get(tokens, i)
    if tok is None:
        return None
    prev = kind_at(tokens, i - 1)
    dangerous = tok.value in ERROR_FUNCTIONS or tok.value.startswith(DANGEROUS_PREFIXES)
    # After a word or string a common name may be prose ("a polygon(3 sides)"); package calls never are.
    if tok.kind == "f" and dangerous and (prev not in ("w", "s") or tok.value.startswith(("xp_", "utl_", "dbms_"))):
        return ("HG-SQLI-006", f"error-based/out-of-band function {tok.value}()", i)
    if (
        tok.kind == "f"
        and tok.value == "convert"
        and value_at(tokens, i + 2) == "int"
        and value_at(tokens, i + 3) == ","
    ):
        return ("HG-SQLI-006", "CONVERT(INT, ...) forces a type-conversion error that leaks data", i)
    file_name = kind_at(tokens, i + 2) in ("s", "(", "f")  # a string, or an expression that builds one
    if tok.value == "into" and value_at(tokens, i + 1) in ("outfile", "dumpfile") and file_name:
        return ("HG-SQLI-006", "INTO OUTFILE writes query results to a file", i)
    if tok.kind == "v" and _SERVER_VARIABLE.fullmatch(tok.value) and prev in ("", "(", ",", "o", "&", "E"):
        return ("HG-SQLI-006", f"server variable {tok.value} read in an expression", i)
    return None


def order_by_probe(tokens: list[Token], i: int) -> Hit | None:
    """``ORDER BY <n>`` / ``GROUP BY <n>`` closing the query: column-count probing."""
    if value_at(tokens, i) not in ("order", "group") or value_at(tokens, i + 1) != "by":
        return None
    arg = i + 2
    after = arg + 1 + (value_at(tokens, arg + 1) in ("asc", "desc") and kind_at(tokens, arg + 2) == "c")
    if kind_at(tokens, arg) == "n" and kind_at(tokens, after) in ("", "c", ",", ";", ")", "&"):
        return ("HG-SQLI-007", f"{value_at(tokens, i).upper()} BY <number> probes the column count", i)
    if kind_at(tokens, arg) in ("f", "(") and skip(tokens, arg, "(") < len(tokens):
        inner = _get(tokens, skip(tokens, arg, "("))
        if inner is not None and (is_sql_function(inner.value) or inner.value == "select"):
            return ("HG-SQLI-007", f"{value_at(tokens, i).upper()} BY with an injected expression", i)
    return None


ANYWHERE_CHECKS = (
    union_select,
    stacked_query,
    leading_statement,
    tautology,
    condition,
    time_based,
    error_based,
    order_by_probe,
)
# The checks that can fire on a token of each kind (same order as above): most tokens are words,
# numbers, strings and punctuation, for which nothing needs to run.
CHECKS_BY_KIND: dict[str, tuple[Check, ...]] = {
    "U": (union_select,),
    ";": (stacked_query,),
    "E": (leading_statement, time_based),
    "f": (leading_statement, condition, time_based, error_based, char_chain),
    "&": (tautology,),
    "k": (condition, error_based, order_by_probe),
    "v": (error_based,),
}


def leading_list_item(tokens: list[Token]) -> Hit | None:
    """``,<expression>``: the value continues a select or argument list with built SQL.

    ``,cast(chr(126)||version()||chr(126) as numeric)`` (error-based, PostgreSQL). One call alone
    (``, upper(name)``) may be data; a second SQL signal within the next 32 tokens (another SQL
    function, concatenation, a sub-query or a comment) makes it an expression written to run.
    """
    if kind_at(tokens, 0) != ",":
        return None
    first = skip(tokens, 1, "(")
    if kind_at(tokens, first) != "f" or not is_sql_function(value_at(tokens, first)):
        return None
    for k in range(first + 1, min(first + 32, len(tokens))):
        tok = tokens[k]
        if (tok.kind == "f" and is_sql_function(tok.value)) or tok.value in ("||", "select") or tok.kind == "c":
            built_from = value_at(tokens, first).upper()
            return ("HG-SQLI-001", f"value continues a list with SQL built from {built_from}()", 0)
    return None


def column_read(tokens: list[Token]) -> Hit | None:
    """``password FROM users#``, ``group_concat(pw) FROM secrets-- -``: a value put where a query names
    its columns (``SELECT <value> FROM items``) that reads another table and cuts the rest off. The whole
    value is the column list (words, or SQL function calls, separated by commas), FROM, a table, and a
    comment with nothing in it or ";" - "Greetings from Paris -- Anna" signs its comment."""
    i, limit = 0, min(len(tokens), 64)
    while i < limit:
        kind = kind_at(tokens, i)
        if kind == "w":
            i += 1
        elif kind == "f" and is_sql_function(value_at(tokens, i)):
            i = _closing_parenthesis(tokens, i + 1, limit)
            if i < 0:
                return None
        else:
            return None
        if value_at(tokens, i) != ",":
            break
        i += 1
    if value_at(tokens, i) != "from" or kind_at(tokens, i + 1) != "w":
        return None
    last = len(tokens) - 1  # the terminator: after the table, or after a LIMIT or WHERE clause on it
    # (LIMIT <number>, WHERE <literal or comparison>: "apples from spain where it rains;" is a sentence)
    word, argument = value_at(tokens, i + 2), i + 3
    clause = last - (i + 2) <= 8 and (
        (word == "limit" and kind_at(tokens, argument) == "n")
        or (word == "where" and (is_literal(tokens, argument) or kind_at(tokens, argument + 1) == "o"))
    )
    if last != i + 2 and not (clause and all(tok.kind != "c" for tok in tokens[i + 3 : last])):
        return None
    end = tokens[last]
    glued = end.start == tokens[last - 1].end
    if end.kind == ";" or (end.kind == "c" and not end.value.strip("#-+ \t\x0b\x0c\x00")):
        # A list of names alone must end the way injections end one: an empty comment glued to what it
        # ends ("users#", "users--"), a clause before it, or an injection's own "-- -" / "--+"; "Hello from
        # Paris --" is a signature, "Cheers from HQ#travel" a hashtag, "Greetings from Paris;" a sentence.
        called = any(tok.kind == "f" for tok in tokens[:i])
        comment_glued = glued and end.kind == "c"
        if called or comment_glued or clause or end.value.rstrip() in _INJECTION_TERMINATORS:
            return ("HG-SQLI-002", "value reads another table in a query's column list and cuts the rest off", i)
    return None


_INJECTION_TERMINATORS = frozenset(("-- -", "--+", "-- +", "--+-", "#+"))


def _closing_parenthesis(tokens: list[Token], i: int, limit: int) -> int:
    """The index after the ")" that closes the "(" at ``i``, or -1 (within ``limit`` tokens)."""
    depth = 0
    for k in range(i, limit):
        kind = tokens[k].kind
        if kind == "(":
            depth += 1
        elif kind == ")":
            depth -= 1
            if depth == 0:
                return k + 1
    return -1


_PROBE_SHAPE = ("(", "lit", "cmp", "lit", ")", "arith", "n")


def parenthesised_probe(tokens: list[Token]) -> Hit | None:
    """``(8362=9139)*9139``: a constant comparison multiplied into a numeric value (boolean-blind probe
    that keeps the query valid whether the condition is true or false)."""
    if len(tokens) < len(_PROBE_SHAPE):
        return None
    for tok, want in zip(tokens, _PROBE_SHAPE, strict=False):
        if want == "lit":
            ok = tok.kind in ("n", "s", "t")
        elif want == "cmp":
            ok = tok.kind == "o" and tok.value in COMPARISONS
        elif want == "arith":
            ok = tok.value in _ARITHMETIC
        else:
            ok = tok.kind == want
        if not ok:
            return None
    if kind_at(tokens, len(_PROBE_SHAPE)) not in ("", "c", ";", "&", ")"):
        return None
    return ("HG-SQLI-003", "a constant comparison in parentheses used as a number (boolean-blind probe)", 0)


def _quoted_literal(tokens: list[Token], j: int) -> bool:
    """The whole value is one quoted text that opens with "#" ('#/components/schemas/Error', a JSON
    pointer; "#!/bin/bash"): nothing before its first quote and one quote of the same kind closing it
    at the end. Read as a break-out, it would compare the column with an empty string, no bypass."""
    comment = tokens[j].value.rstrip()
    return j == 1 and not tokens[0].value and comment[-1:] in ("'", '"') and comment.count(comment[-1]) == 1


def _quoted_colour(tokens: list[Token], j: int) -> bool:
    """A sentence quoting a hex colour ('Meine Lieblingsfarbe ist "#FF0000".', '色は"#FF0000"で'): the
    "#" and three to eight hex digits closed by the quote, after prose (two words, or a letter of a
    script without blanks) rather than after the one word a login form's break-out follows."""
    head = tokens[0].value
    if j != 1 or not head or _HEX_COLOUR.match(tokens[j].value) is None:
        return False
    return _letter_of_a_script(head[-1]) or (head[-1].isspace() and len(head.split()) >= 2)


_HEX_COLOUR = re.compile(r"#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})['\"]")


def after_value(tokens: list[Token], i: int, what: str) -> Hit | None:
    """What follows a closed string or a leading number: does the input continue the query?

    ``i`` is the token right after the value; closing parentheses are skipped first (``')) or``).
    """
    j = skip(tokens, i, ")")
    tok = _get(tokens, j)
    if tok is None:
        return None
    kind, value = tok.kind, tok.value
    if what == "quote" and j == 1 and (_quoted_in_prose(tokens) or _CALL_BEFORE_QUOTE.search(tokens[0].value[-70:])):
        return None
    if (
        kind == "c"
        and what == "quote"
        and not value[1:2].isdigit()
        and not _attributed_quotation(tokens, j)
        and not _quoted_literal(tokens, j)
        and not _quoted_colour(tokens, j)
        and not (j == 1 and _opens_tag_attribute(tokens[0].value))
    ):
        # ('"#2 MOM"': a number sign, not a comment)
        return ("HG-SQLI-001", "quote closes the string and a comment cuts off the rest of the query", j)
    if kind == ";" and (statement(tokens, j + 1) or kind_at(tokens, j + 1) == "c"):
        return ("HG-SQLI-001", f"{what} is followed by ';' ending the statement", j)
    if kind == ";" and what == "quote" and j + 1 == len(tokens):
        # "admin@example.com';": SQLite (and drivers that prepare one statement) never runs the rest of
        # the query - the password check after the email - so the statement ends where the value does.
        return ("HG-SQLI-001", "quote closes the string and ';' ends the statement", j)
    if kind == "&" and _condition_follows(tokens, j + 1, what == "quote"):
        return ("HG-SQLI-001", f"{what} is followed by {value.upper()} and an SQL expression", j)
    # "'NOT LIKE'", "' SOUNDS LIKE '" (NOT IN is left out: "members' not in (good) standing" is English)
    if what == "quote" and _two_word_comparison(tokens, j, _PATTERN_MATCHES):
        j += 1
        value = f"{value} {tokens[j].value}"
    if kind == "o" and what == "quote" and value != "not" and _operator_continues(tokens, j):
        return ("HG-SQLI-001", f"quote closes the string and operator '{value}' continues the expression", j)
    if what == "quote" and statement(tokens, j):
        return ("HG-SQLI-001", f"quote closes the string and a {value.upper()} statement follows", j)
    if kind == "," and what == "quote" and _closes_list(tokens, j + 1):
        return ("HG-SQLI-001", "quote closes the string and the value list around it", j)
    # Ending at SELECT is a probe when the broken-out value is empty or a number ("' UNION SELECT",
    # "1' union select"); after a word it reads as English ("Students' Union select").
    if kind == "U" and _union_tail(tokens, j, not tokens[0].value[-1:].isalpha()):
        return ("HG-SQLI-002", f"{what} is followed by UNION SELECT", j)
    if value in CLAUSE_AFTER_VALUE and _clause_continues(tokens, j):
        return ("HG-SQLI-001", f"{what} is followed by an {value.upper()} clause", j)
    if value == "waitfor" or (kind == "f" and value in TIME_FUNCTIONS):
        return ("HG-SQLI-005", f"{what} is followed by a time delay", j)
    if what == "numeric value" and kind == "o" and value in _ARITHMETIC and _reads_characters(tokens, j + 1):
        return ("HG-SQLI-001", "numeric value is followed by arithmetic on a character read from the data", j)
    if what != "quote" and value in ("exec", "execute", "declare") and statement(tokens, j):
        # MSSQL runs a statement that follows a value without ";": "0x77...00 exec(@s)", "1 exec xp_cmdshell"
        return ("HG-SQLI-004", f"{what} is followed by an {value.upper()} statement", j)
    if what == "quote" and kind in ("o", "&"):
        if _expression_to_comment(tokens, j):
            return ("HG-SQLI-001", "quote closes the string and an expression runs to a comment", j)
        if _expression_to_open_string(tokens, j):
            return ("HG-SQLI-001", "quote closes the string and a condition runs to a string the query closes", j)
    return None


# Tokens of an SQL expression (operators, literals, calls, parentheses, lists); a word of prose is none.
_EXPRESSION_KINDS = frozenset({"o", "&", "n", "s", "t", "v", "f", "(", ")", ","})
# Operators that prose does not put right after a closing quote, but MySQL's implicit conversions of a
# broken-out string do ("1'*column is null - '", "asd'|column&&'1", "0' / current_date XOR '1"): after
# one of them, the expression may name columns.
_CONVERTING_OPERATORS = frozenset({"*", "/", "%", "^", "|", "&", "<<", ">>", "div", "mod"})


def _expression_before_last(tokens: list[Token], i: int) -> list[Token] | None:
    """The tokens from ``i`` up to the input's last token when they are nothing but expression tokens,
    2 to 64 of them; else None. Column names count as expression tokens where the expression opens with
    a converting operator and no two names stand side by side (SQL puts an operator between two
    operands; prose puts words side by side: "' - see notes --")."""
    end = len(tokens) - 1
    if end - i < 2 or end - i > 64:
        return None
    between = tokens[i:end]
    names = tokens[i].value in _CONVERTING_OPERATORS
    previous = ""
    for tok in between:
        if tok.kind not in _EXPRESSION_KINDS and not (names and tok.kind == "w" and previous != "w"):
            return None
        previous = tok.kind
    return between


def _expression_to_comment(tokens: list[Token], i: int) -> bool:
    """``' + 1 is likelihood(0.0,0.0) is 1--``: from ``i`` to a comment that ends the input, nothing
    but expression tokens (the comment cuts off the rest of the original query). Where they name a
    column, a comparison, logic word or call must be among them (``aa'/current_date in (0) -- -``):
    "players'/coaches -- see below" is prose."""
    between = _expression_before_last(tokens, i) if tokens[-1].kind == "c" else None
    if between is None:
        return False
    return not any(tok.kind == "w" for tok in between) or any(
        tok.kind in ("&", "f", "(") or tok.value in COMPARISONS for tok in between
    )


def _expression_to_open_string(tokens: list[Token], i: int) -> bool:
    """``1'*null or '1``, ``aa'^0+0='0``, ``'/1/1='``: from ``i`` to a string that the application's own
    closing quote ends, nothing but expression tokens, a logic or comparison operator among them: the
    input leaves the query's quotes balanced, as a break-out that needs no comment does. After a
    converting operator, arithmetic on a column is enough (``1' * id - '0``), and the string closed last
    may be empty only when a comparison or logic operator decides (``asd'|column!='``: "players'/coaches'"
    is prose)."""
    between = _expression_before_last(tokens, i)
    last = tokens[-1]
    if between is None or last.kind != "s" or last.closed:
        return False
    body = last.value.rstrip()
    if (body and not body.isalnum()) or (tokens[-2].kind == "n" and _glued_quote(tokens, len(tokens) - 1)):
        # The string the query closes is a token ('1, 'a) or nothing; text after a quoted operator goes
        # on with prose ("'in' and 'is not' tests"), and 'necklace 16" or 18"' measures in inches.
        return False
    if any(tok.kind == "&" or tok.value in COMPARISONS for tok in between):
        return True
    return bool(body) and tokens[i].value in _CONVERTING_OPERATORS and any(tok.kind == "w" for tok in between)


# Program code that passes a string to a call (``Route("/", endpoint=home)``, ``Markup('<b>')``,
# ``@click.option("--count", default=1)``): the quote opens an argument; it closes no string of the
# application's. A break-out's data part ends in data, and the attack shapes (UNION, tautologies, stacked
# statements) are read before this generic reading anyway. A string assigned or listed keeps the
# generic reading: fragments of XSS vectors are written so (``x='<%'``, ``*['<!--']{}``).
def _opens_tag_attribute(before: str) -> bool:
    """Does the text before the quote end in an HTML tag's ``name=`` (``<a href="#top">``)? Then the quote
    opens the attribute's value, the "#" is a fragment, and what the quote ends (a tag up to "href=") is
    no value a query looks up. (String scans backwards over a bounded stretch, no regex: linear.)"""
    head = before.rstrip(" \t")
    if not head.endswith("="):
        return False
    head = head[:-1].rstrip(" \t")
    start = len(head)
    while start > 0 and len(head) - start < 30 and (head[start - 1].isalpha() or head[start - 1] == "-"):
        start -= 1
    if start in (0, len(head)) or not head[start - 1].isspace():
        return False
    tag = head.rfind("<", max(0, start - 220), start)
    return tag >= 0 and head[tag + 1 : tag + 2].isalpha() and ">" not in head[tag:start]


_CALL_BEFORE_QUOTE = re.compile(r"[a-z_][a-z0-9_]{0,60}\([ \t]{0,4}$")


# A quotation closed by its quotation mark and signed with a dash (Loved it!" -- Maria): the dash is
# followed by a name or words.
_SIGNATURE = re.compile(r"--[ \t]{1,4}[a-z]")


def _attributed_quotation(tokens: list[Token], j: int) -> bool:
    """A quotation and its author after the break-out: the string the input starts in holds a
    sentence (words, then ``.``, ``!`` or ``?`` right before the quote, or four words or more and
    nothing else), and the comment is a dash and a name. A break-out needs neither a sentence nor a
    signature to cut the query off."""
    if j != 1 or _SIGNATURE.match(tokens[1].value) is None:  # (tokens are lower-cased)
        return False
    sentence = tokens[0].value.strip()
    if len(sentence) > 2 and sentence[-1] in ".!?" and (sentence[-2].isalnum() or sentence[-2] == ")"):
        return " " in sentence
    # without the punctuation: a quotation of four words or more, nothing but words (" ... the total
    # sales of pantyhose" -- James Finke)
    words = sentence.split()
    return len(words) >= 4 and all(word.strip(",;:'").isalpha() for word in words)


# What follows the closing quote of a symbol quoted in a sentence: a blank, punctuation or a bracket
# closing; and after that, a word, a blank, more punctuation, a bracket, or the end.
_PROSE_AFTER_QUOTE = frozenset((" ", ".", ",", ";", ":", "!", "?", ")"))
_PROSE_FOLLOWS = _PROSE_AFTER_QUOTE | {"("}


def _placeholder_end(tokens: list[Token], i: int) -> int:
    """The index after a printf or Python placeholder that starts at ``i`` ("%s", "%d", "%(name)s"), or
    ``i`` when there is none."""
    if value_at(tokens, i) != "%":
        return i
    j = i + 1
    if kind_at(tokens, j) == "(" and kind_at(tokens, j + 1) == "w" and kind_at(tokens, j + 2) == ")":
        j += 3
    return j + 1 if kind_at(tokens, j) == "w" and value_at(tokens, j) in _CONVERSIONS else i


_CONVERSIONS = frozenset(("s", "d", "i", "f", "r", "x", "u"))


def _letter_of_a_script(char: str) -> bool:
    """A letter beyond ASCII, which scripts without blanks (Chinese, Japanese, Thai) write a quote after."""
    return not char.isascii() and char.isalpha()


def _quoted_in_prose(tokens: list[Token]) -> bool:
    """Text that quotes a symbol, a word, a phrase or an option (``use ':' as a separator``, ``not
    "and".``, ``the "drop table" in the kitchen``, ``Configure with "--disable-foo" to ...``): after a
    blank (or nothing), the quoted tokens and their closing quote are followed by a blank or a
    punctuation mark and more prose, where a break-out must continue the query (an operand, a comment,
    a balanced quote). ``tokens[0]`` is the string the input starts in, closed by the quote that
    opens the quoted part."""
    head = tokens[0].value
    # (Chinese and Japanese put no blank between a word and a quote: "可以用“%”吗")
    if len(tokens) < 2 or (head and not head[-1].isspace() and not _letter_of_a_script(head[-1])):
        return False
    if tokens[1].kind == "c":  # "--oformat' (extra hyphen)": an option glued to "--", then its closing quote
        return _QUOTED_OPTION.match(tokens[1].value) is not None
    # a quoted printf or Python placeholder ("leave the room '%(name)s'?", "file '%s' not found") is one word
    start = max(2, _placeholder_end(tokens, 1))
    for k in range(start, min(len(tokens), max(6, start + 1))):  # a quoted token or phrase of up to four
        kind = tokens[k].kind
        if kind == "s":  # the rest of the text
            rest = tokens[k].value
            opens, follows = rest[:1], rest[1:2]
            opens_prose = opens in _PROSE_AFTER_QUOTE or not opens.isascii()
            follows_prose = not follows or follows.isalpha() or follows in _PROSE_FOLLOWS or not follows.isascii()
            prose = opens_prose and follows_prose
            if prose and k + 1 == len(tokens) and _one_word(head) and _one_word(rest):
                # "A '+' B" and nothing else: two operands around a quoted operator, which MySQL's
                # implicit conversions turn into a condition (name='A '+' B' is name=0); a sentence that
                # quotes a symbol has more words around it. A lone "&" or "|" is left to prose: product
                # names write it so ('SMALL "&" SIGN', in libinjection's own false-positive list); so are
                # IS and IN, which make no condition there ("Mary 'is' here" is a syntax error).
                return k == 2 and tokens[1].value in ("&", "|", "is", "in")
            return prose and _more_quoted_operators(tokens, k + 1)
        if kind in ("c", ";"):
            return False
    return False


# Functions that read a character, or where one is, out of a string: blind extraction reads a secret
# one character at a time with them.
_CHARACTER_READERS = frozenset(
    {
        "ascii", "ord", "substring", "substr", "mid", "hex", "length", "len",
        "instr", "locate", "position", "left", "right",
    }
)


def _reads_characters(tokens: list[Token], i: int) -> bool:
    """Within the arithmetic expression at ``i``: a character reader called on another SQL function's
    result or a sub-query (``ASCII(SUBSTRING(passwd,1,1))``, ``ORD(MID((SELECT ...),1,1))``). Added to a
    number (``456 + ASCII(SUBSTRING(passwd,1,1))-10``), it makes which row matches depend on a secret
    character: arithmetic blind extraction, which needs no AND, OR or comparison."""
    for m in range(i, min(i + 8, len(tokens))):
        tok = tokens[m]
        if tok.kind == "f" and tok.value in _CHARACTER_READERS:
            for k in range(m + 1, min(m + 6, len(tokens))):
                inner = tokens[k]
                if (inner.kind == "f" and is_sql_function(inner.value)) or inner.value == "select":
                    return True
            return False
        if tok.kind not in ("n", "o", "(", ")"):
            return False
    return False


def _one_word(text: str) -> bool:
    """Nothing but one word of letters, digits or ``_`` between blanks ("A ", " b1")."""
    word = text.strip()
    return 0 < len(word) <= 64 and word.replace("_", "a").isalnum()


def _more_quoted_operators(tokens: list[Token], i: int) -> bool:
    """After the prose that follows a quoted operator: nothing, or more quoted operators and prose
    (``"/" (division) and "//" (floor division)``), never a comparison (``' or ' a'=' a``) or an operand
    (``' or ' a' or 1=1``)."""
    k = i
    while k < len(tokens) and k < i + 3 and tokens[k].kind in ("o", "&"):
        if tokens[k].value in COMPARISONS:
            return False
        k += 1
    return k == i or kind_at(tokens, k) == "s"


_QUOTED_OPTION = re.compile(r"--[a-z][\w-]{0,60}['\"\u2019\u201d](?:\s|[.,;:)]|$)")


def _condition_follows(tokens: list[Token], i: int, after_quote: bool) -> bool:
    """After ``<value> OR``: a condition, not English ("1 or 2 items").

    After a quote break any SQL operand will do; after a bare number it must be a comparison, a call,
    a sub-query or a literal that ends the query.
    """
    if after_quote:
        return starts_expression(tokens, i)
    if _comparison(tokens, i, strict=False) is not None:
        return True
    kind = kind_at(tokens, i)
    if kind in ("f", "(", "v") or value_at(tokens, i) in ("select", "exists", "not"):
        return True
    end = operand_end(tokens, i)
    if end < 0 or not is_literal(tokens, i):
        return False
    after = kind_at(tokens, end)
    return after in ("c", ";") or (after == "" and kind_at(tokens, skip(tokens, i, "(")) == "t")


def _union_tail(tokens: list[Token], i: int, probe_may_end: bool) -> bool:
    """``UNION [ALL|DISTINCT] [(] SELECT <select list>`` starting at the UNION token ``i``.

    ``UNION SELECT`` that a comment cuts off, or with ``probe_may_end`` that ends the input, is the
    probe itself (``' UNION SELECT``, ``x' union select--``): the attacker appends the list next."""
    j = i + 1
    if value_at(tokens, j) in ("all", "distinct"):
        return True
    j = skip(tokens, j, "(")
    if value_at(tokens, j) != "select":
        return False
    after = kind_at(tokens, j + 1)
    return j > i + 1 or _select_list(tokens, j + 1) or after == "c" or (after == "" and probe_may_end)


def _operator_continues(tokens: list[Token], j: int) -> bool:
    """After ``'<op>``: comparisons accept any operand; arithmetic needs a string, call or sub-query
    (``'+'``, ``'||(select``, ``'-sleep(5)``), because ``"-54"`` style numbers are common in data."""
    value, nxt = value_at(tokens, j), j + 1
    if kind_at(tokens, nxt) == "c":
        return True
    if value == "collate" and kind_at(tokens, nxt) in ("w", "s") and kind_at(tokens, nxt + 1) in ("c", ";"):
        return True  # "user'collate nocase--": the comparison made case-insensitive, the rest cut off
    if value == "in":  # IN takes a list or a sub-query in parentheses: '" In case I ...' is English
        return kind_at(tokens, nxt) == "("
    if value == "is":  # IS [NOT] takes NULL, TRUE, FALSE, UNKNOWN or a literal: "I' IS NOT A PLASTIC BAG" is English
        operand = nxt + 1 if value_at(tokens, nxt) == "not" else nxt
        return kind_at(tokens, operand) in ("t", "n", "s", "(") and not _glued_quote(tokens, operand + 1)
    if value == ">" and kind_at(tokens, nxt) == "w" and value_at(tokens, nxt + 1) == "<":
        return value_at(tokens, nxt + 2) != "/"  # '">MamaBearBabyWear</a>': the end of a tag, a text, a closing tag
    if value == "<" and kind_at(tokens, nxt) == "w" and value_at(tokens, nxt + 1) == ">":
        return False  # "-k '<test_name>'", "replacing `<ver>`": a placeholder or a tag, not a < b > c
    if value in COMPARISONS:
        return starts_expression(tokens, nxt)
    if kind_at(tokens, nxt) == "n" and kind_at(tokens, nxt + 1) == "o" and kind_at(tokens, nxt + 2) == "s":
        return True  # '-0-' / '+1+': arithmetic on the broken-out string
    if value_at(tokens, nxt) in ("!", "~") and kind_at(tokens, nxt + 1) == "s" and not tokens[nxt + 1].closed:
        return True  # "aa'|!'aa": a negated string the application's own quote closes
    string = _get(tokens, nxt)
    if string is not None and string.kind == "s":
        # A string the application's own quote closes ("'-'", "A' MOD 'B"), or one that an operator, a
        # clause or the end follows; a closed string that a word follows is a phrase ('"MOD" "KITCHEN"').
        return not string.closed or kind_at(tokens, nxt + 1) in ("", "c", ";", "o", "&", ")", "U", "k", "E")
    return kind_at(tokens, nxt) in ("f", "(", "v") or value_at(tokens, nxt) == "select"


def _closes_list(tokens: list[Token], i: int) -> bool:
    """``', NULL) ...``: an operand, then ``)`` closing the VALUES/function list, then more query."""
    if not starts_expression(tokens, i):
        return False
    for k in range(i + 1, min(i + 6, len(tokens))):
        if tokens[k].kind == ")":
            return kind_at(tokens, skip(tokens, k, ")")) in ("c", ";", "&", "k", "E", "U", "w")
        if tokens[k].kind in ("s", ";"):
            return False
    return False


def _clause_continues(tokens: list[Token], i: int) -> bool:
    value, nxt = value_at(tokens, i), _get(tokens, i + 1)
    if nxt is None:
        return False
    if value in ("order", "group"):
        if nxt.value != "by":
            return False
        arg = _get(tokens, i + 2)
        if arg is None:
            return False
        if arg.kind in ("n", "f", "("):
            return True
        return arg.kind == "w" and (kind_at(tokens, i + 3) in ("c", ";", ",") or value_at(tokens, i + 3) == "having")
    if value in ("limit", "offset"):
        return nxt.kind == "n"
    if _contraction(tokens, i + 1):
        return False  # "WHERE'S GEORGE": a contraction of prose
    if value == "into":
        return nxt.kind == "v" or nxt.value in ("outfile", "dumpfile")
    if value == "procedure":
        return nxt.value == "analyse" or nxt.kind == "f"
    return starts_expression(tokens, i + 1)  # where / having
