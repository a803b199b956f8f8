"""A POSIX-shell word splitter for the command injection detector.

One pass over the characters, like a shell reading a command line: quotes ('...', "...", $'...'),
backslash escapes, ``$(...)`` and backticks, ``${IFS}``/``$IFS`` (a word separator), positional and
special parameters (``$@``, ``$1``: empty), brace expansion ``{cat,/etc/passwd}``, redirections and
the control operators ``; | || && & newline``. Words are built the way the shell builds them, so
``c''at``, ``c\\at``, ``"c"at``, ``c$@at`` and ``$'\\x63at'`` all read as ``cat``.

The result is a list of :class:`Segment` - one per simple command - holding the operator that
started it (``start``, ``;``, ``|``, ``&&``, ``$(``, backtick, ...) and its words.
"""

from __future__ import annotations

import re

from hullguard.events.record import Record

MAX_SEGMENTS = 1024
MAX_WORDS = 16  # per segment: the command, its prefix words and the first arguments are enough

_SEPARATORS = {";": ";", "\n": "\n", "\r": "\n"}
# Bash's $'...' escapes: \xHH (one or two digits), \uHHHH (one to four), \UHHHHHHHH (one to eight), octal
# \NNN. Any other backslash, "\x" with no hex digit and "\8" among them, is read as the character after it.
_ANSI_C_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|.)", re.DOTALL)
_MAX_CODE_POINT = 0x10FFFF
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "v": "\v", "f": "\f"}
# "${name:-word}", "${name-word}", "${name:=word}", "${name=word}" (also of a special parameter): the word
# when the variable is unset, as every variable an attacker names is in the function's shell
_DEFAULT_EXPANSION = re.compile(r"\$\{(?:[A-Za-z_][A-Za-z0-9_]{0,63}|[0-9@*#?!$-]):?[-=]")
# The shell's own name as a variable, running a command string: "$0 -c", "${0} -c", "$BASH -c", "$SHELL -ic"
_SHELL_BY_NAME = re.compile(r"(?P<name>\$(?:0|\{0\}|BASH|SHELL|\{BASH\}|\{SHELL\}))[ \t]+-[a-z]{0,4}c")
# Separators after which a subshell or a group stands where a command would ("(" and "{" alone are
# common in text)
_STRONG_OPENERS = frozenset((";", "|", "||", "&&", "$(", "`"))
_ASSIGNMENT_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}=")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_WORD_BREAK = frozenset(" \t;|&\n\r<>()`")


class Segment(Record):  # not a dataclass: ``dataclasses`` costs ms on the first invocation
    """One simple command: the operator before it and its words (redirection targets included)."""

    __slots__ = ("glued_words", "leading_targets", "obfuscated", "opener", "parses", "redirect", "start", "words")
    _fields = ("opener", "words", "redirect", "start", "obfuscated", "glued_words", "parses", "leading_targets")

    opener: str  # "start", ";", "\n", "|", "||", "&", "&&", "$(", "`", "(", "{", "<(", ">("
    words: list[str]
    redirect: bool  # the command has a redirection (>, >>, <, 2>&1, ...)
    start: int  # position of the opener in the text
    obfuscated: bool  # quotes/escapes/empty expansions were glued inside a word
    glued_words: list[int]  # indices of the words they were glued inside (none: $IFS, {a,b} expansions)
    # False where a shell stops at a syntax error and runs nothing: in a backquote substitution whose
    # closing backquote never comes (prose quotes `ls -l' so, TeX style), and on a line whose single
    # quote never closes (prose's "didn't").
    parses: bool
    # How many of the first words are the targets of redirections written before any other word ("<in
    # cat"): all of them when the segment is redirections alone, as HTML's "<head>" on a line of its own
    # reads to a shell, which runs no command then.
    leading_targets: int

    def __init__(
        self,
        opener: str,
        words: list[str] | None = None,
        redirect: bool = False,
        start: int = 0,
        obfuscated: bool = False,
        glued_words: list[int] | None = None,
        parses: bool = True,
        leading_targets: int = 0,
    ) -> None:
        self.opener = opener
        self.words = [] if words is None else words
        self.redirect = redirect
        self.start = start
        self.obfuscated = obfuscated
        self.glued_words = [] if glued_words is None else glued_words
        self.parses = parses
        self.leading_targets = leading_targets


def _decode_ansi_c(body: str) -> str:
    def one(match: re.Match[str]) -> str:
        esc = match.group(1)
        kind = esc[0]
        if kind in "xuU" and len(esc) > 1:
            code = int(esc[1:], 16)
            if code <= _MAX_CODE_POINT:
                return chr(code)
        elif kind in "01234567":  # not isdigit(): "8" is no octal digit
            return chr(int(esc, 8) & 0xFF)
        return _SIMPLE_ESCAPES.get(esc, esc)

    return _ANSI_C_ESCAPE.sub(one, body)


class _Splitter:
    def __init__(self, text: str, closing_quote: str) -> None:
        self.text = text
        self.closing_quote = closing_quote
        self.unclosed_quote_at = -1  # an apostrophe between letters that opens a quote never closed
        self.broken_line_at = -1  # a backquote substitution whose body cannot parse
        self.n = len(text)
        self.segments: list[Segment] = []
        self.current = Segment("start")
        self.word: list[str] = []
        self.in_word = False
        self.target_next = False  # a redirection came before the command: the next word is its target
        self.glued = False  # the current word contained quotes/escapes/expansions between letters
        self.quoted = False  # the current word has a quoted (or escaped, expanded) part so far
        self.closers: list[str] = []  # pending ")" or "`" of substitutions, innermost last
        # Segments opened by a "`" not closed yet, innermost last (None: one whose body cannot parse).
        self.open_backquotes: list[Segment | None] = []

    # -- word building ---------------------------------------------------------------------
    def _end_word(self) -> None:
        if self.in_word:
            words = self.current.words
            if len(words) < MAX_WORDS:
                words.append("".join(self.word))
                if self.target_next:
                    targets = self.current.leading_targets
                    if targets != len(words) - 1:  # after an assignment ("a=1 >out cmd"): targets stay in front
                        words.insert(targets, words.pop())
                    self.current.leading_targets += 1
                    self.target_next = False
            if self.glued and self.word:
                self.current.obfuscated = True
                self.current.glued_words.append(len(words) - 1)  # (the last one kept)
        self.word = []
        self.in_word = False
        self.glued = False
        self.quoted = False

    def _new_segment(self, opener: str, pos: int) -> None:
        self._end_word()
        current = self.current
        if (
            opener in ("(", "{")
            and current.opener in _STRONG_OPENERS
            and not current.words
            and not current.redirect
            and self._group_ends_command(opener, pos)
        ):
            opener = current.opener  # "x;(id)", "x;{ id; }": a group in a command's place runs as that command
        if self.current.words or self.current.opener != "start" or self.current.redirect:
            self.segments.append(self.current)
        self.current = Segment(opener, start=pos)
        self.target_next = False

    def _group_ends_command(self, opener: str, pos: int) -> bool:
        """Does the group opened at ``pos`` close within 64 characters with only blanks and then a separator
        or the end after it (``(id);``, ``{ env; }``)? Words after it ("Tom; (id) card") make it text, and
        so does one word in parentheses set off by a blank ("Nolan; (dir)")."""
        text = self.text
        close = text.find(")" if opener == "(" else "}", pos + 1, pos + 66)
        if close < 0:
            return False
        if pos and text[pos - 1] in " \t" and not any(c in text[pos + 1 : close] for c in ";|& \t"):
            return False  # "Christopher Nolan; (dir)", "Password; (pwd)": an abbreviation in parentheses
        after = close + 1
        while after < self.n and text[after] in " \t":
            after += 1
        return after >= self.n or text[after] in ";|&\n\r)`"

    def _add(self, chars: str, glued: bool = False) -> None:
        if glued:
            if self.word:
                self.glued = True
            self.quoted = True
        elif self.quoted and chars[:1].isalnum():
            self.glued = True  # a quoted piece, then letters: 'w'hoami is one word to a shell
        self.word.append(chars)
        self.in_word = True

    def _empty_between_letters(self, i: int, width: int) -> bool:
        """An empty substitution (two backquotes, ``$()``) at ``i`` with letters on both sides
        (wh``oami): it expands to nothing, and the word around it is one word."""
        after = i + width
        return bool(self.word) and after < self.n and self.text[after].isalnum()

    # -- the pass --------------------------------------------------------------------------
    def run(self) -> list[Segment]:
        text, n = self.text, self.n
        i = 0
        while i < n and len(self.segments) < MAX_SEGMENTS:
            c = text[i]
            if c in " \t":
                self._end_word()
                i += 1
            elif c in _SEPARATORS:
                self._new_segment(_SEPARATORS[c], i)
                i += 1
            elif c == "|":
                op = "||" if text.startswith("||", i) else "|"
                self._new_segment(op, i)
                i += len(op)
            elif c == "&":
                if text.startswith("&&", i):
                    self._new_segment("&&", i)
                    i += 2
                elif i > 0 and text[i - 1] == ">":  # ">&" duplicates a descriptor: not a separator
                    i += 1
                else:
                    self._new_segment("&", i)
                    i += 1
            elif c in "<>":
                if i + 1 < n and text[i + 1] == "(":
                    self._new_segment(c + "(", i)
                    self.closers.append(")")
                    i += 2
                    continue
                if self.in_word and text[i - 1].isdigit() and "".join(self.word).isdigit():
                    # "2>&1", "2>/dev/null": the digits glued to the operator name a file descriptor, no word
                    self.word, self.in_word, self.glued, self.quoted = [], False, False, False
                self._end_word()
                # ">=", "<=", "=>" are a comparison or an arrow in text ("Set shlibs to >= 0.1.2", "Python 2
                # => 3"): a shell reads a redirection to a file named "=..." or to the next word, which no
                # attack needs, so they do not count as one (the command around them still does)
                if not (text.startswith("=", i + 1) or (c == ">" and i and text[i - 1] == "=")):
                    self.current.redirect = True
                    current = self.current
                    # no command word yet: nothing but targets and NAME=value assignments before it
                    self.target_next = all(_ASSIGNMENT_WORD.match(w) for w in current.words[current.leading_targets :])
                i += 1
                operator_end = i
                while i < n and text[i] in "<>&|0123456789" and not text.startswith("&&", i):
                    i += 1
                if text.startswith("&", operator_end) and i > operator_end + 1:
                    self.target_next = False  # ">&1" duplicates a descriptor: no file name follows
            elif c == "`":
                if text.startswith("``", i) and self._empty_between_letters(i, 2):
                    self._add("", glued=True)
                    i += 2
                    continue
                if self.closers and self.closers[-1] == "`":
                    self.closers.pop()
                    opened = self.open_backquotes.pop()
                    if opened is not None:
                        opened.parses = True
                    self._new_segment(")", i)
                else:
                    self.closers.append("`")
                    self._new_segment("`", i)
                    self.current.parses = False  # until its closing backquote comes
                    # A shell ends the substitution at the next backquote, quotes or not, and then parses
                    # what is between: "`set -T' and `set -E'" holds an unclosed quote (TeX-style prose).
                    close = text.find("`", i + 1)
                    unbalanced = close >= 0 and text.count("'", i + 1, close) % 2 == 1
                    self.open_backquotes.append(None if unbalanced else self.current)
                    if unbalanced and self.broken_line_at < 0:
                        self.broken_line_at = i
                i += 1
            elif c == "(":
                self._new_segment("(", i)
                self.closers.append(")")
                i += 1
            elif c == ")":
                if self.closers and self.closers[-1] == ")":
                    self.closers.pop()
                self._new_segment(")", i)
                i += 1
            elif c == "'":
                end = text.find("'", i + 1)
                if end < 0:
                    # An apostrophe inside a word ("didn't"); a quote at a word's edge may be meant for
                    # quotes the application writes around the value (commix ends probes with one).
                    if 0 < i < n - 1 and text[i - 1].isalpha() and text[i + 1].isalpha():
                        self.unclosed_quote_at = i
                    end = n
                self._add(text[i + 1 : end], glued=True)
                i = end + 1
            elif c == '"':
                i = self._double_quoted(i + 1)
            elif c == "\\":
                if i + 1 < n and text[i + 1] == "\n":  # line continuation
                    i += 2
                    continue
                if self._drive_prefix():  # C:\Windows: a Windows path, not a shell escape
                    self._add("\\")
                    i += 1
                    continue
                self._add(text[i + 1 : i + 2], glued=True)
                i += 2
            elif c == "$":
                i = self._dollar(i)
            elif c == "{" and not self.in_word:
                i = self._brace(i)
            elif c == "}" and self.closers and self.closers[-1] == "}":
                self.closers.pop()  # the end of a "${x:-word}" default
                i += 1
            else:
                j = i + 1
                while j < n and text[j] not in _WORD_BREAK and text[j] not in "'\"\\$`{}":
                    j += 1
                self._add(text[i:j])
                i = j
        self._end_word()
        if self.current.words or self.current.opener != "start" or self.current.redirect:
            self.segments.append(self.current)
        # The shell reads a line whole before it runs it: nothing on a line with a syntax error runs (an
        # unclosed quote's line runs on to the end of the text).
        if self.unclosed_quote_at >= 0 and self.closing_quote != "'":
            self._mark_unparsable(text.rfind("\n", 0, self.unclosed_quote_at), n)
        if self.broken_line_at >= 0:
            end = text.find("\n", self.broken_line_at)
            self._mark_unparsable(text.rfind("\n", 0, self.broken_line_at), n if end < 0 else end)
        return self.segments

    def _mark_unparsable(self, start: int, end: int) -> None:
        for segment in self.segments:
            if start <= segment.start < end:
                segment.parses = False

    def _drive_prefix(self) -> bool:
        """Is the word so far a Windows drive path ("C:", "C:\\Windows")? Looks at 3 characters only."""
        head = ""
        for piece in self.word:
            head += piece[: 3 - len(head)]
            if len(head) >= 3:
                break
        return len(head) >= 2 and head[0].isalpha() and head[1] == ":" and (len(head) == 2 or head[2] == "\\")

    def _double_quoted(self, i: int) -> int:
        text, n = self.text, self.n
        start = i
        while i < n and text[i] != '"':
            if text[i] == "\\":
                i += 2
                continue
            if text.startswith("$(", i) or text[i] == "`":
                # A substitution inside double quotes still runs: read it as a command.
                self._add(text[start:i], glued=True)
                return i
            i += 1
        self._add(text[start:i].replace('\\"', '"'), glued=True)
        return i + 1

    def _dollar(self, i: int) -> int:
        text, n = self.text, self.n
        nxt = text[i + 1] if i + 1 < n else ""
        if nxt == "(":
            if text.startswith("$()", i) and self._empty_between_letters(i, 3):
                self._add("", glued=True)
                return i + 3
            if text.startswith("$((", i):  # arithmetic: not a command
                self._add("$((")
                return i + 3
            self._new_segment("$(", i)
            self.closers.append(")")
            return i + 2
        if nxt == "'":  # ANSI-C quoting $'\x63at'
            end = text.find("'", i + 2)
            end = n if end < 0 else end
            body = text[i + 2 : end]
            self._add(_decode_ansi_c(body), glued=True)
            if "\\" in body:
                self.current.obfuscated = True  # letters spelled as escapes: $'\x63at'
            return end + 1
        shell = _SHELL_BY_NAME.match(text, i)
        if shell is not None and not self.word:
            self._add("sh", glued=True)  # "$0 -c 'env'", "$BASH -c env": the running shell, started again
            self.current.obfuscated = True
            return shell.end("name")
        if nxt == '"':  # bash's locale quoting $"...": a double-quoted string ("i$""d" is "id")
            return i + 1
        if nxt == "{":
            default = _DEFAULT_EXPANSION.match(text, i)
            if default is not None:
                # "${x:-id}", "${x:=$(env)}": an unset variable expands to the word after the operator,
                # which the shell reads (substitutions included) as if it stood there alone
                self.closers.append("}")
                if self.word:  # inside a word ("i${x:-d}") it hides the word's letters; alone it is a
                    self.current.obfuscated = True  # setting's default ("${EDITOR:-vi}"), as a bare word is
                    self._add("", glued=True)
                return default.end()
            end = text.find("}", i + 2, i + 66)  # bounded, like every look-ahead here
            if end < 0:
                self._add("$")
                return i + 1
            name = text[i + 2 : end]
            self._expansion(name.split(":", 1)[0].split("%", 1)[0].split("#", 1)[0])
            return end + 1
        if nxt and (nxt in "@*#?!-$" or nxt.isdigit()):
            self._add("", glued=True)  # special/positional parameter: empty in an injected command
            return i + 2
        j = i + 1
        while j < n and text[j] in _NAME_CHARS:
            j += 1
        if j == i + 1:
            self._add("$")
            return j
        self._expansion(text[i + 1 : j])
        return j

    def _expansion(self, name: str) -> None:
        if name.upper() == "IFS":
            self._end_word()  # $IFS is whitespace: the classic space filter bypass
            self.current.obfuscated = True
        elif self.word:
            # Glued to other characters ("cat$u", "c${x}at") an unknown variable is empty: evasion.
            self._add("", glued=True)
            self.current.obfuscated = True
        else:
            self._add("$" + name.lower())

    def _brace(self, i: int) -> int:
        """``{cat,/etc/passwd}`` expands to ``cat /etc/passwd``; any other brace is a group or text."""
        text = self.text
        end = text.find("}", i + 1, i + 258)  # bounded: an unclosed "{" must not rescan the rest
        body = text[i + 1 : end] if end > 0 else ""
        if body and "," in body and " " not in body:
            self._end_word()
            self.current.obfuscated = True  # {cat,/etc/passwd}: a command line without spaces
            for part in body.split(",")[:MAX_WORDS]:
                # an element's escapes and empty quotes join its letters: {\c''\a""\t,/etc/passwd} runs cat
                part = part.replace("\\", "").replace("''", "").replace('""', "")
                if part:  # an empty element expands to no word: "{,ip,a}" runs "ip a"
                    self._add(part)
                    self._end_word()
            return end + 1
        if i + 1 < len(text) and text[i + 1] in " \t\n":
            self._new_segment("{", i)
            return i + 1
        self._add("{")
        return i + 1


def split_commands(text: str, closing_quote: str = "") -> list[Segment]:
    """The simple commands of ``text`` read as a shell command line (at most ``MAX_SEGMENTS``).

    ``closing_quote``: the quote the application writes after the value, which closes one the value
    leaves open."""
    return _Splitter(text, closing_quote).run()
