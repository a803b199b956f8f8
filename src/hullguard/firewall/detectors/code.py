"""Code injection detector: Log4Shell lookups, Java EL/SpEL/OGNL, Python, Node.js, PHP, eval sinks, spreadsheet
formulas (DDE) and LaTeX shell escapes.

Each rule is a list of constructs that only make sense as code reaching an interpreter (``__import__(``,
``T(java.lang.Runtime)``, ``require('child_process')``, ``passthru(``), every one anchored on a literal
token with bounded gaps so that matching is linear. Log4j lookups are resolved by ``code_log4j`` so
nested obfuscation (``${${lower:j}ndi:...}``) is judged on what Log4j would actually run.
"""

from __future__ import annotations

import re

from hullguard.events.schema import Severity
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext
from hullguard.firewall.detectors.code_log4j import find_lookup, is_dangerous
from hullguard.firewall.detectors.presearch import Presearch
from hullguard.firewall.detectors.sqli_tokens import regex_alternation

FAMILY = "code"
# What a value must hold for the rules below to be asked, built from rare characters so the engine
# rejects most strings in a few ns per character: code that runs is a call, an index, a lookup, a tag
# or a dunder, reads ".env" or names a class OGNL-style (@java.lang.Runtime@..., @ognl.OgnlContext@...).
# A bare name the rules know (os.system, OgnlContext) is no code without one of those. A lone "@" is
# not enough: it would send every e-mail address to the rules. "|'" starts the topic of a DDE call.
PREFILTER = (
    r"[({<#`\[]|@(?:java|ognl)\.|\$[{_]|__|\.env|\|'|constructor\.constructor"
    r"|java\.|javax\.|sun\.|xwork2|org\.omg\.|processbuilder"  # JDK classes named bare (see _JAVA_CLASS)
    r"|classloader|(?:print|echo)\s{1,4}\d{6}"  # (the printed sum without a bracket: see _PRINTED_SUM)
    r"|\\think\\"  # ThinkPHP's namespace in a route (_THINKPHP)
)
_PREFILTER = re.compile(PREFILTER, re.IGNORECASE)

_REMEDIATION = (
    "Never pass event data to an interpreter (eval/exec, template or expression engines, Log4j message "
    "lookups): treat it as data, validate it against an allow-list, and upgrade Log4j to 2.17.1+ with "
    "lookups disabled."
)


def _rule(num: int, title: str, severity: Severity, cwe: str, description: str, paranoia: int = 1) -> RuleInfo:
    return RuleInfo(f"HG-CODE-{num:03d}", FAMILY, title, severity, cwe, description, _REMEDIATION, paranoia)


RULES: tuple[RuleInfo, ...] = (
    _rule(1, "Log4Shell JNDI or Text4Shell lookup", Severity.CRITICAL, "CWE-917",
          "A Log4j ${jndi:ldap|rmi|dns:...} lookup, including nested obfuscation such as ${${lower:j}ndi:...}, "
          "${${::-j}ndi:...} and ${${env:X:-j}ndi:...}, that makes a vulnerable logger load remote code; "
          "Apache Commons Text's ${script:...}, ${url:...} and ${dns:...} lookups (Text4Shell), which run a "
          "script or reach the network when a vulnerable interpolator resolves them."),
    _rule(2, "Log4j lookup that leaks secrets", Severity.HIGH, "CWE-917",
          "A Log4j ${env:...}, ${sys:...}, ${java:...} lookup that copies environment variables (such as the "
          "function's AWS credentials) into logs or into a JNDI host name."),
    _rule(3, "Java expression language / OGNL code execution", Severity.CRITICAL, "CWE-917",
          "SpEL T(java.lang.Runtime), OGNL #_memberAccess / @java.lang.Runtime@, ProcessBuilder, "
          "Class.forName and ScriptEngineManager constructs injected into an EL or OGNL evaluator, Spring4Shell's "
          "class.module.classLoader parameter names, Groovy's \"id\".execute(), and the JDK "
          "classes such payloads name (java.lang.Runtime, java.io.FileInputStream, javax.script.*, "
          "com.sun.*), outside a stack trace."),
    _rule(4, "Python code execution", Severity.CRITICAL, "CWE-94",
          "__import__(...), os.system/popen, subprocess, __builtins__/__globals__ traversal and pickle/marshal "
          "loads: Python reaching eval/exec with attacker input."),
    _rule(5, "Node.js code execution", Severity.CRITICAL, "CWE-94",
          "require('child_process'), process.mainModule, process['env'], global.process, constructor.constructor, "
          "execSync/spawnSync and endless loops on a constant (while(true)) that block the event loop: JavaScript "
          "reaching eval, vm or Function with attacker input."),
    _rule(6, "PHP code execution", Severity.CRITICAL, "CWE-94",
          "<?php tags, phpinfo(), system/passthru/shell_exec/proc_open calls, functions called by a name held in "
          "data ($f('id'), $GLOBALS['x'](1), \"system\"('id')) and $_GET/$_POST superglobals in data that reaches "
          "eval, include or a template, and scanners' proofs of evaluation (exit(md5('marker')), a word spelled "
          "chr(122).chr(97).chr(112)), ThinkPHP's \\think\\app/invokefunction route and Drupal's render-array "
          "callback keys (#post_render, #lazy_builder) in a form."),
    _rule(7, "Dynamic code evaluation call", Severity.HIGH, "CWE-95",
          "eval(...), exec(...), new Function(...) or setTimeout('code') with a string argument, or Perl's "
          "@{[ ... ]} interpolation, classic ASP's eval request(...) and CreateObject(\"WScript.Shell\"): a sink "
          "that runs whatever text it is given, or the object it reaches a shell with; and what a scanner's probe has "
          "evaluated code print to prove it ran (';print 287630581954+4196403186331128;#', "
          "Response.Write(...) of such a sum)."),
    _rule(8, "Spreadsheet formula injection (CSV/DDE)", Severity.HIGH, "CWE-1236",
          "A Dynamic Data Exchange call (=cmd|' /C calc'!A0) or a formula that fetches or links out "
          "(=HYPERLINK, =IMPORTXML, =WEBSERVICE ...) in a value that an export may write into a CSV or "
          "spreadsheet: opening the file runs a command on the reader's machine or sends cells to the "
          "attacker."),
    _rule(9, "LaTeX shell escape", Severity.CRITICAL, "CWE-78",
          "\\write18{...} (with or without \\immediate) in text that a document pipeline renders with "
          "LaTeX: with shell escape enabled it runs the command on the rendering host."),
)

_G = r"\s{0,4}"  # a bounded gap where interpreters allow whitespace
_Q = r"['\"`]"
_BOUNDARY_BEFORE_LETTER = re.compile(r"\\b([a-z])")


def _compile_rule(pattern: str) -> Presearch:
    """``pattern`` with each ``\\bx`` (x a letter) spelled ``x(?<!\\wx)``: the same matches (a word
    boundary before a word character means no word character before it), but alternatives that start
    with a literal let Python's regex engine skip to the positions holding one of their first letters
    (the Python rule searches a Safari User-Agent about 7x faster)."""
    return Presearch(_BOUNDARY_BEFORE_LETTER.sub(lambda m: m.group(1) + r"(?<!\w" + m.group(1) + ")", pattern))


_JAVA = _compile_rule(
    rf"\bt{_G}\({_G}java\.|getruntime{_G}\(|processbuilder{_G}\(|@java\.lang\.|#_memberaccess|ognlcontext|#context{_G}(?:\[|\.{_G}get{_G}\()"
    rf"|@ognl\.|\.getclass{_G}\({_G}\){_G}\.{_G}(?:forname|getclassloader|getmethod)|class{_G}\.{_G}forname{_G}\("
    rf"|\.forname{_G}\({_G}{_Q}(?:java|javax|sun|com\.sun)\.|scriptenginemanager|getenginebyname{_G}\("
    rf"|freemarker\.template\.utility\.|elprocessor|[$#]\{{{_G}(?:pagecontext|applicationscope|sessionscope|requestscope"
    rf"|facescontext|initparam)\b|%\{{{_G}\({_G}#|\(#[a-z_]{{1,20}}=@"
    # Spring4Shell (CVE-2022-22965) and its 2010 ancestor: data binding walks a parameter's name to the
    # web application's class loader and rewrites the server's log settings into a web shell.
    r"|\bclass\.(?:module\.)?classloader\b",

)
# A JDK or library class that runs commands, reads or writes files, opens connections or loads code,
# named bare: what expression-language, OGNL and deserialization payloads carry, and what no form
# field holds (java.lang.String or an exception name is not among them). A stack trace names such
# classes in its frames ("at java.io.FileInputStream.open(FileInputStream.java:219)"): not asked.
_JAVA_CLASS = _compile_rule(
    r"\bjava\.lang\.(?:runtime|processbuilder|process|class|classloader|system|reflect|thread)\b|\bjava\.util\.scanner\b"
    r"|\bjava\.io\.(?!\w{0,40}(?:exception|error)\b)(?:\w{0,30}(?:stream|reader|writer)|file\w{0,20}|randomaccessfile|console)\b"
    r"|\bjava\.(?:[\w$]{1,40}\.){0,4}?(?:runtime|processbuilder)\b|\bprocessbuilder\.|\bjavax\.(?:script|naming|management)\."
    r"|\bjava\.(?:beans|rmi)\.|\bcom\.sun\.|\bsun\.misc\.unsafe|\bcom\.opensymphony\.xwork2|\borg\.omg\.corba"
    r"|\borg\.apache\.commons\.collections"
)
# Groovy runs a string as a command line: a string literal's .execute(), or a variable a "def" gave a
# literal (Elasticsearch's CVE-2015-1427 script, Jenkins' script console and pipeline sandbox escapes).
# A database cursor's execute() has a name before it, not a literal.
_GROOVY = re.compile(
    rf"{_Q}[^'\"`\n]{{1,200}}{_Q}{_G}\.{_G}execute{_G}\({_G}\)"
    rf"|\bdef\s{{1,4}}(\w{{1,40}}){_G}={_G}{_Q}[^'\"`\n]{{0,200}}{_Q}[^\n]{{0,200}}?\b\1{_G}\.{_G}execute{_G}\("
)
_STACK_FRAME = re.compile(r"\.java:\d{1,6}\)")
_PYTHON = _compile_rule(
    rf"__import__{_G}\(|\bos{_G}\.{_G}(?:system|popen|exec[lv]p?e?|spawn[lv]p?e?|fork|kill|remove|unlink|rmdir"
    rf"|listdir|environ|getenv|putenv|chmod|chown|setuid|dup2)\b|subprocess{_G}\.{_G}(?:popen|call|run|check_"
    rf"|getoutput|getstatusoutput)|__builtins__|__globals__|__subclasses__|__mro__|__getattribute__|__reduce__"
    rf"|__class__{_G}\.{_G}__|\bpickle{_G}\.{_G}loads?\b|\bmarshal{_G}\.{_G}loads\b|importlib|getattr{_G}\({_G}__"
    rf"|\bsys{_G}\.{_G}modules\b|\bpty{_G}\.{_G}spawn|\bsocket{_G}\.{_G}socket{_G}\("
    # os's calls renamed on import in a one-line script ("from os import environ as e;", "import os as o;"):
    # a pasted module's imports ("from subprocess import Popen, PIPE") rename nothing or end their line
    rf"|\bfrom\s{{1,4}}(?:os|subprocess|pty|posix)\s{{1,4}}import\s{{1,4}}(?:system|popen|environ|getenv|exec\w{{0,3}}"
    rf"|spawn\w{{0,3}}|check_output|getoutput|run|call)\s{{1,4}}as\s{{1,4}}\w{{1,20}}{_G};"
    rf"|\bimport\s{{1,4}}(?:os|subprocess|pty|posix)\s{{1,4}}as\s{{1,4}}\w{{1,20}}{_G};"
    # an absolute path split into pieces, so that no path appears whole: open('/etc' '/passwd')
    rf"|\bopen{_G}\({_G}\(?{_G}{_Q}/[^'\"`\n]{{0,40}}{_Q}{_G}\+?{_G}{_Q}"
    # ... or built by code: a string's method, bytes.fromhex, chr() codes, a join
    rf"|\bopen{_G}\({_G}\(?{_G}(?:{_Q}/[^'\"`\n]{{0,60}}{_Q}{_G}\.{_G}(?:replace|decode|translate|swapcase|lower|upper"
    rf"|[lr]?strip|removeprefix|removesuffix){_G}\(|bytes{_G}\.{_G}fromhex|chr{_G}\(\d{{1,3}}\){_G}\+{_G}chr{_G}\()"
    # gadgets that read a file or run source: license's file list, the interactive interpreter
    rf"|_printer__filenames|interactiveinterpreter|\.runsource{_G}\("
    # a reversed or %-formatted path, os's own module under its POSIX name, os's members fetched by name
    rf"|\bopen{_G}\({_G}(?:{_Q}[^'\"`\n]{{0,60}}{_Q}{_G}\[{_G}:{_G}:{_G}-|{_Q}/[^'\"`\n]{{0,60}}{_Q}{_G}%)"
    rf"|\bposix{_G}\.{_G}(?:system|popen|environ|exec\w{{0,3}}|spawn\w{{0,3}})\b"
    rf"|\bgetattr{_G}\({_G}(?:os|posix|subprocess|sys|builtins|__builtins__){_G},",

)
_NODE = _compile_rule(
    rf"child_process|process{_G}\.{_G}(?:mainmodule|binding|dlopen|kill|exit|env\b)"
    rf"|(?:global|globalthis|root){_G}\.{_G}process\b|require{_G}\({_G}{_Q}(?:child_process|fs|net|vm|os"
    rf"|http|https|dgram|cluster|worker_threads|module|process){_Q}|constructor{_G}\.{_G}constructor"
    rf"|\[{_G}{_Q}constructor{_Q}{_G}\]{_G}\[{_G}{_Q}constructor|(?:exec|spawn|execfile|fork)sync{_G}\("
    rf"|\bvm{_G}\.{_G}runin(?:new|this)?context|function{_G}\({_G}\){_G}\{{{_G}return{_G}(?:process|this)\b"
    rf"|\bprocess{_G}\[{_G}{_Q}(?:env|mainmodule|binding|dlopen){_Q}"
    # The same objects reached around the dotted names: optional chaining (process?.env), a computed key
    # (global['process'], process[String.fromCharCode(...)]), Reflect.get(globalThis,'process'), a scope
    # (with(process)) or a parameter bound to it ((({env})=>env.X)(process))
    rf"|\bprocess{_G}\??\.{_G}(?:mainmodule|binding|dlopen|getbuiltinmodule|env\b)|constructor{_G}\?\.{_G}constructor"
    rf"|(?:global|globalthis|root){_G}\[{_G}{_Q}process{_Q}|\bprocess{_G}\[{_G}(?:string{_G}\.|buffer{_G}\.|\[|atob)"
    rf"|reflect{_G}\.{_G}get{_G}\({_G}(?:global|globalthis|self|window){_G},|\bwith{_G}\({_G}process{_G}\)"
    rf"|\brequire{_G}\({_G}(?:string{_G}\.{_G}fromcharcode|buffer{_G}\.{_G}from|atob{_G}\(|\[|/[\w-]{{1,30}}/{_G}\."
    rf"|{_Q}[\w-]{{1,30}}{_Q}{_G}\.{_G}[a-z]{{3,20}}{_G}\()"
    # process handed on as a value (destructured, spread, passed, assigned) or indexed by a built key:
    # ({env}=process), Reflect.get(process,'env'), {...process}, Object.assign({},process), p=process;
    # process['e'.concat('nv')], process['e'+'nv']
    rf"|(?:[=,]|\.\.\.|[\w$]\(){_G}process{_G}[),;}}\]]"
    rf"|\bprocess{_G}\[{_G}(?:{_Q}[\w$]{{0,20}}{_Q}{_G}[.+]|/)"
    rf"|\){_G}\({_G}process{_G}\)"
    # a module name split to hide it: require('f'+'s'), require('child_'+'process')
    rf"|\brequire{_G}\({_G}{_Q}[a-z_]{{1,20}}{_Q}{_G}\+"
    # An endless loop on a constant (while(true), while(!0), while(!![])) handed to eval blocks the
    # single-threaded event loop: every later request to the instance times out.
    # ("while (true)" with a blank needs a body or ";" after it: "worth a while (true)" is prose.)
    rf"|\bwhile(?:\(|\s{{1,4}}\((?=[^)]{{0,40}}\){_G}[;{{]))"
    rf"{_G}(?:true|!{{1,2}}{_G}(?:false|[-+]?0|null|undefined|nan|''|\"\"|``|\{{{_G}\}}|\[{_G}\])"
    rf"|[-+]?(?:infinity|1)|new{_G}date|this|string){_G}\)",

)
_PHP_RUNS = (
    "system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec|assert|create_function|call_user_func(?:_array)?"
    "|file_get_contents|file_put_contents|fopen|readfile|show_source"
    "|highlight_file|base64_decode|str_rot13|gzinflate|gzuncompress|move_uploaded_file|unserialize|preg_replace"
    "|fsockopen|pfsockopen|stream_socket_client"  # a reverse shell's connection back to its caller
)
_PHP_INCLUDES = "include(?:_once)?|require(?:_once)?"
_PHP_CALLS = f"{_PHP_RUNS}|{_PHP_INCLUDES}"
# PHP includes a file by its path, name or URL ('../x.php', 'config.inc', 'http://...'); a bare package
# name in quotes is Node.js's require('express') or require('@aws-sdk/client-s3') (its dangerous modules
# are _NODE's), which READMEs and code samples in webhooks and issue texts are full of.
_MODULE_NAME = r"@?[a-z0-9][a-z0-9_-]{0,80}(?:/[a-z0-9_-]{1,80})?"
# PHP allows line comments between a function's name and its "(" ("system //x<LF> ('id')", "exec #x<LF>
# (...)"); block comments are folded away before detectors run (``decoders/fold.py``).
_PHP_LINE_COMMENTS = rf"(?:(?://|#)[^\n]{{0,80}}\n{_G}){{0,3}}"
# What a proof of evaluation wraps its marker in (the gates of its pattern: "die" and "exit" are in words).
_PROOF_FUNCTIONS = ("md5", "sha1", "crc32", "strrev", "base64_encode", "str_rot13", "str_repeat")
_PHP = _compile_rule(
    rf"<\?{_G}php|<\?\s{{1,4}}(?:echo|print|system|passthru|eval)\b|<\?={_G}[$a-z`]|\bphp(?:info|version){_G}\({_G}\)|\b(?:{_PHP_RUNS}){_G}{_PHP_LINE_COMMENTS}\({_G}(?:{_Q}|\$|chr{_G}\(|base64_decode"
    rf"|str_rot13|gzinflate|strrev|hex2bin|strto(?:lower|upper)|implode|join|sprintf|(?:raw)?urldecode"
    rf"|convert_uudecode|\()|\b(?:{_PHP_INCLUDES}){_G}{_PHP_LINE_COMMENTS}\({_G}(?:{_Q}(?!{_MODULE_NAME}{_Q})|\$"
    rf"|chr{_G}\(|base64_decode|str_rot13|gzinflate)|\$_(?:get|post|request|cookie|server|files|env){_G}\[|\$\{{{_G}{_Q}_(?:get|post|request|cookie|server|files|env){_Q}{_G}\}}{_G}\["
    # the environment (the function's credentials), and a command function handed to a callback by name
    rf"|\bgetenv{_G}\({_G}(?:\(|hex2bin|base64_decode|strrev|str_rot13|chr{_G}\()"
    rf"|\b(?:echo|print|print_r|var_dump|var_export|json_encode|die|exit){_G}\(?{_G}getenv{_G}\("
    rf"|\b(?:array_map|array_filter|array_walk|call_user_func(?:_array)?|usort|uasort|register_shutdown_function"
    rf"|iterator_apply|reflectionfunction){_G}\({_G}(?:{_Q}(?:system|passthru|shell_exec|exec|popen|proc_open|assert)"
    rf"{_Q}|\(?{_G}{_Q}[a-z_]{{1,16}}{_Q}{_G}\.|\(?{_G}(?:hex2bin|base64_decode|strrev|str_rot13){_G}\()"
    # the whole server environment printed (the function's credentials in it), a file read into an array
    rf"|\b(?:print_r|var_dump|var_export|json_encode|serialize|implode){_G}\({_G}\$_(?:server|env)\b"
    rf"|\bimplode{_G}\({_G}file{_G}\(|\$\{{{_G}@{_G}[a-z_]{{1,40}}{_G}\("
    # A scanner's proof of evaluation: the script ends with the hash of a marker it looks for in the
    # response ("';exit(md5('x'));//"), or prints a word spelled as character codes ("chr(122).chr(97)...").
    rf"|\b(?:die|exit){_G}\({_G}(?:{'|'.join(_PROOF_FUNCTIONS)}){_G}\("
    rf"|\b(?:echo|print)(?:{_G}\(|\s){_G}(?:{'|'.join(_PROOF_FUNCTIONS)}){_G}\("
    r"|\bchr\(\d{1,3}\)\.chr\(\d{1,3}\)\.chr\(",

)
# PHP calls a function whose name is data: a variable or variable variable, an indexed array or
# $GLOBALS entry, ${'name'}, Class::$name, or a quoted name ("system"("id"), ('system')('id')): how
# web shells and filter bypasses call system() without spelling "system(" (comments allowed before "(").
_PHP_COMMENT = rf"(?:/\*[^*]{{0,40}}\*/{_G})?"
_PHP_INDEX = rf"{_G}{_PHP_COMMENT}\[[^\]\n]{{1,60}}\]"
_PHP_DYNAMIC = re.compile(
    rf"\$(?:(?:\${{1,8}}[a-z_]\w{{0,40}}|\{{{_G}['\"@$_][^}}\n]{{0,60}}\}})(?:{_PHP_INDEX}){{1,4}}|\{{{_G}['\"@$_][^}}\n]{{0,60}}\}}"
    rf"|[a-z_]\w{{0,40}}(?:{_PHP_INDEX}){{1,4}}){_G}{_PHP_COMMENT}\("
    # $f(...) and $$f(...): a call only when an argument list starts (a quote, a variable, ")" or a number
    # that ends there): "$c0X(1bD#" and "!$$sA(Aj+" are random passwords.
    rf"|\${{1,8}}[a-z_]\w{{0,40}}{_G}{_PHP_COMMENT}\({_G}(?:[$'\")]|\d{{1,20}}{_G}[,)])|::\$[a-z_]\w{{0,40}}{_G}\("
)
_PHP_QUOTED_NAMES = (
    "system", "exec", "passthru", "shell_exec", "popen", "proc_open", "pcntl_exec", "assert", "phpinfo",
)
# ("system")('id'), (system)(id) - a bare name is a string constant in PHP 7 - or [system][0](ls). No
# blank before the call: "run the \"system\" (menu)" is prose.
_PHP_QUOTED_NAME = "(?:" + "|".join(_PHP_QUOTED_NAMES) + ")"
_PHP_QUOTED_CALL = re.compile(
    rf"(?:['\"]{_PHP_QUOTED_NAME}['\"]\)?|\({_G}{_PHP_QUOTED_NAME}{_G}\))\("
    rf"|\[{_G}{_PHP_QUOTED_NAME}{_G}\]{_G}\[{_G}0{_G}\]{_G}\("
)
_EVAL = _compile_rule(
    rf"@\{{{_G}\[[^\]\n]{{1,200}}\]{_G}\}}"  # Perl runs the code in @{[ ... ]} inside an interpolated string
    rf"|\b(?:eval|exec|execscript){_G}\({_G}(?:{_Q}|\$|[a-z_$][\w$.]{{0,40}}{_G}\(|atob|unescape|string\.fromcharcode"
    rf"|base64|request|\[)|new{_G}function{_G}\({_G}{_Q}|\bfunction{_G}\({_G}{_Q}[^'\"`]{{0,80}}{_Q}{_G}\)"
    # Function('return process') whatever the string becomes, and eval called indirectly: (0,eval)(...)
    rf"|\bfunction{_G}\({_G}{_Q}{_G}return\b|\bfunction{_G}\({_G}(?:\(|unescape{_G}\(|atob{_G}\("
    rf"|decodeuricomponent{_G}\(|string{_G}\.{_G}fromc|buffer{_G}\.)|\bfunction{_G}\({_G}{_Q}[^'\"`]{{0,80}}{_Q}{_G}\.{_G}[a-z]{{1,20}}{_G}\("
    rf"|\({_G}0{_G},{_G}eval{_G}\){_G}\("
    rf"|set(?:timeout|interval){_G}\({_G}{_Q}",

)
# A proof of evaluation in any language that prints: a sum of two long random numbers, printed by a
# statement that opens the value or follows a break-out (";print 287630581954+4196403186331128;#").
# Numbers that long are a marker, not arithmetic anyone prints ("echo 100+200").
_PRINTED_SUM = _compile_rule(
    rf"(?:^|[;'\"]){_G}(?:print|echo|response{_G}\.{_G}write){_G}\(?{_G}\d{{6,20}}{_G}[-+*]{_G}\d{{6,20}}"
)
# Classic ASP: VBScript's eval/execute of a request field (the one-line web shell <%eval request("x")%>,
# here without its tags), and the COM objects through which ASP code reaches a shell, the file system
# or the network.
_ASP = _compile_rule(
    rf"\b(?:eval|execute|executeglobal)\s{{1,4}}request{_G}(?:\({_G}{_Q}|\.{_G}(?:form|querystring|item|cookies)\b)"
    rf"|\bcreateobject{_G}\({_G}{_Q}(?:wscript\.shell|shell\.application|scripting\.filesystemobject"
    rf"|wscript\.network|adodb\.stream|msxml2\.serverxmlhttp){_Q}"
)
# DDE: application|'topic'!item (or DDE("app";"topic";"item")) after a formula sign or operator.
# Formulas that reach the network after a formula sign (IMAGE only with a URL: "image(2).png" is a
# file name). A "+1 (555) 010" phone number or "@alice" has neither.
_DDE = re.compile(
    rf"(?:^|[=+\-@*(,;\s])[a-z][\w.]{{0,40}}\|'[^'\n]{{0,200}}'{_G}!"
    rf"|(?:^|[=+\-@*(,;\s])dde{_G}\({_G}\"[^\"\n]{{1,80}}\"{_G}[;,]"
)
_NETWORK_FORMULA = re.compile(
    rf"[=+\-@]{_G}(?:hyperlink|importxml|importdata|importhtml|importfeed|importrange|webservice|filterxml){_G}\("
    rf"|[=+\-@]{_G}image{_G}\({_G}[\"']?(?:https?:)?//"
)
# ThinkPHP 5's routing calls any class method a request names (CVE-2018-20062, CVE-2019-9082): a route
# through its own namespace, "\think\app/invokefunction", "\think\Container/invokefunction".
_THINKPHP = re.compile(r"\\think\\(?:app|container|request|template\\driver|view\\driver|module|db|config)\b")
# Drupal's render arrays call the callbacks their "#" properties name (Drupalgeddon 2, CVE-2018-7600):
# a form key or JSON key that is one of them comes from no form of the site.
_DRUPAL_RENDER_KEY = re.compile(
    r"#(?:post_render|pre_render|lazy_builder|access_callback|value_callback|element_validate|after_build"
    r"|process|submit)\b"
)
_LATEX_SHELL = re.compile(r"\\(?:immediate[\s]{0,4}\\)?write18\b")
# The function names of _PHP_CALLS without their optional suffixes: a PHP call names one of them.
_PHP_NAMES = tuple(re.sub(r"\(\?:[^)]*\)\?", "", name) for name in _PHP_CALLS.split("|"))
# Each rule runs only when one of its gate substrings is present: a few str.find passes are far cheaper
# than a large alternation, and most strings that pass the PREFILTER (a "(" in a user agent) have none.
# The last element, when set, names values the rule does not ask about at all.
_CHECKS: tuple[tuple[str, tuple[str, ...], Presearch | re.Pattern[str], re.Pattern[str] | None], ...] = (
    ("HG-CODE-003", ("java", "runtime", "processbuilder", "ognl", "#_", "#context", "forname", "scriptengine",
                     "getenginebyname", "freemarker", "elprocessor", "scope", "context", "initparam", "%{", "(#",
                     "getclass", "classloader"), _JAVA, None),
    ("HG-CODE-003", ("java.", "javax.", "sun.", "processbuilder", "xwork2", "org.omg", "apache.commons"), _JAVA_CLASS,
     _STACK_FRAME),
    ("HG-CODE-003", (".execute",), _GROOVY, None),
    ("HG-CODE-004", ("__", "os", "subprocess", "pickle", "marshal", "importlib", "sys", "pty", "socket", "open",
                     "interactiveinterpreter", "runsource", "getattr"),
     _PYTHON, None),
    ("HG-CODE-005", ("process", "require", "constructor", "sync", "vm", "function", "while", "reflect"), _NODE, None),
    ("HG-CODE-006", ("<?", "phpinfo", "phpversion", "$_", "${", *_PROOF_FUNCTIONS, ").chr(", *_PHP_NAMES, "getenv",
                     "array_", "call_user_func", "usort", "uasort", "register_shutdown", "iterator_apply",
                     "reflectionfunction", "print_r", "var_dump", "var_export", "json_encode", "serialize",
                     "implode"), _PHP, None),
    ("HG-CODE-006", ("$",), _PHP_DYNAMIC, None),
    ("HG-CODE-006", ("\\think\\",), _THINKPHP, None),
    ("HG-CODE-006", _PHP_QUOTED_NAMES, _PHP_QUOTED_CALL, None),
    ("HG-CODE-007", ("eval", "exec", "function", "settimeout", "setinterval", "@{"), _EVAL, None),
    ("HG-CODE-007", ("print", "echo", "write"), _PRINTED_SUM, None),
    ("HG-CODE-007", ("eval", "execute", "createobject"), _ASP, None),
    ("HG-CODE-008", ("|'", "dde"), _DDE, None),
    ("HG-CODE-008", ("hyperlink", "import", "webservice", "filterxml", "image"), _NETWORK_FORMULA, None),
    ("HG-CODE-009", ("write18",), _LATEX_SHELL, None),
)
# Most values that pass the PREFILTER hold no gate of any rule (a User-Agent, an e-mail address): one
# search for all gates at once (a prefix tree of fixed strings, linear) answers them, instead of about
# 70 substring tests in a generator. A value with no gate runs no rule, so it gets the same answer.
_ANY_GATE = re.compile(regex_alternation(sorted({gate for check in _CHECKS for gate in check[1]})))


def scan(text: str, ctx: ScanContext) -> Detection | None:
    if not _PREFILTER.search(text):  # the engine has checked it, and calls ``scan_unfiltered``
        return None
    return scan_unfiltered(text, ctx)


def scan_unfiltered(text: str, ctx: ScanContext) -> Detection | None:
    """``scan`` without the PREFILTER check (a necessary condition, which the engine has made)."""
    if "${" in text:
        lookup = find_lookup(text)
        if lookup is not None:
            resolved, position = lookup
            dangerous = is_dangerous(resolved[2:].strip().lower())
            rule_id = "HG-CODE-001" if dangerous else "HG-CODE-002"
            return Detection(rule_id, f"log4j lookup {resolved[:80]!r}", position, position + 2)
    low = text.lower()  # the rule patterns are lower-case literals: case-sensitive matching is 2x faster
    if ctx.is_key and "#" in low and (match := _DRUPAL_RENDER_KEY.search(low)):
        return Detection("HG-CODE-006", f"Drupal render callback key {match.group(0)!r}", match.start(), match.end())
    if _ANY_GATE.search(low) is None:
        return None
    for rule_id, gates, pattern, unless in _CHECKS:
        if not any(gate in low for gate in gates) or (unless is not None and unless.search(low)):
            continue
        match = pattern.search(low)
        if match:
            return Detection(rule_id, f"code construct {match.group(0)[:60]!r}", match.start(), match.end())
    return None
