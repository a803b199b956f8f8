"""Taint and pattern analysis on real-looking handlers (Python via ast, Node.js via tree-sitter)."""

from __future__ import annotations

import pytest

from hullguard.scanner.code.index import FunctionCode
from hullguard.scanner.code.node_flow import analyse_node
from hullguard.scanner.code.python_flow import analyse_python


def _python(source: str, handler: str = "handler") -> list[tuple[str, int]]:
    out = FunctionCode(file="app.py", language="python", handler=handler)
    analyse_python(source, handler, out)
    return [(f.kind, f.line) for f in out.flows]


def _node(source: str, handler: str = "handler") -> list[tuple[str, int]]:
    out = FunctionCode(file="index.js", language="node", handler=handler)
    analyse_node(source, handler, out)
    assert out.handler_found
    return [(f.kind, f.line) for f in out.flows]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # taint through a loop, a dict .get chain and an f-string, whatever the event parameter is called
        (
            "import os\ndef handler(evt, ctx):\n    for r in evt['Records']:\n"
            "        name = r.get('s3', {}).get('object', {}).get('key')\n        os.system(f'rm {name}')\n",
            [("command", 5)],
        ),
        # a sanitiser stops taint
        (
            "import subprocess\ndef handler(event, context):\n    n = int(event['n'])\n"
            "    subprocess.run('seq ' + str(n), shell=True)\n",
            [],
        ),
        # list arguments without a shell are not command injection
        ("import subprocess\ndef handler(event, context):\n    subprocess.run(['ls', event['dir']])\n", []),
        # parameterised SQL is fine, concatenated SQL is not
        (
            "def handler(event, context):\n    q = 'SELECT * FROM t WHERE id = %s'\n"
            "    cur.execute(q, (event['id'],))\n    cur.execute('DELETE FROM t WHERE id = ' + event['id'])\n",
            [("sql", 4)],
        ),
        # yaml.safe_load is safe, yaml.load with the default loader is not
        (
            "import yaml\ndef handler(event, context):\n    yaml.safe_load(event['body'])\n"
            "    return yaml.load(event['body'])\n",
            [("deserialization", 4)],
        ),
        # an import alias still reaches the sink
        (
            "from subprocess import check_output as run\ndef handler(event, context):\n"
            "    return run(event['cmd'], shell=True)\n",
            [("command", 3)],
        ),
        # constants are not taint
        ("import requests\ndef handler(event, context):\n    return requests.get('https://example.com').text\n", []),
        # server-side template injection, XXE and NoSQL injection
        (
            "import jinja2\ndef handler(event, context):\n    return jinja2.Template(event['tpl']).render()\n",
            [("code", 3)],
        ),
        (
            "from lxml import etree\ndef handler(event, context):\n    return etree.fromstring(event['body'])\n",
            [("deserialization", 3)],
        ),
        (
            "import json\ndef handler(event, context):\n    q = json.loads(event['body'])\n"
            "    return db.users.find_one(q)\n",
            [("sql", 4)],
        ),
        (
            "def handler(event, context):\n    return table.scan(FilterExpression='owner = ' + event['owner'])\n",
            [("sql", 2)],
        ),
        # the environment: one variable is fine, the whole environment is a leak
        (
            "import os, json\ndef handler(event, context):\n    print(os.environ['TABLE'])\n"
            "    return json.dumps(dict(os.environ))\n",
            [("env-leak", 4)],
        ),
    ],
)
def test_python_flows(source: str, expected: list[tuple[str, int]]) -> None:
    assert _python(source) == expected


def test_python_flows_in_another_handler_of_the_same_file_are_not_reported() -> None:
    source = (
        "import os\n\ndef safe(event, context):\n    return 1\n\n"
        "def unsafe(event, context):\n    os.system(event['x'])\n    print(os.environ)\n"
    )
    assert _python(source, "safe") == []
    assert _python(source, "unsafe") == [("command", 7), ("env-leak", 8)]


def test_python_syntax_error_is_a_problem_not_a_crash() -> None:
    out = FunctionCode(file="app.py", language="python", handler="handler")
    analyse_python("def handler(event, context):\n    print 'python 2'\n", "handler", out)
    assert out.flows == [] and "syntax error" in out.problems[0]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "const _ = require('lodash');\nexports.handler = async (event) => _.template(event.body)({});\n",
            [("code", 2)],
        ),
        (
            "exports.handler = async (event) => {\n  const filter = JSON.parse(event.body);\n"
            "  return users.findOne(filter);\n};\n",
            [("sql", 3)],
        ),
        (
            "const { exec } = require('child_process');\n"
            "module.exports.handler = async ({ queryStringParameters: q }) => {\n"
            "  exec(`ping -c 1 ${q.host}`);\n};\n",
            [("command", 3)],
        ),
        (
            "export const handler = async (event) => {\n  const body = JSON.parse(event.body);\n"
            "  return eval(body.expr);\n};\n",
            [("code", 3)],
        ),
        (
            "exports.handler = async function (event) {\n  const id = event.pathParameters.id;\n"
            "  await db.query('SELECT * FROM t WHERE id = ' + id);\n"
            "  await db.query('SELECT * FROM t WHERE id = $1', [id]);\n};\n",
            [("sql", 3)],
        ),
        (
            "const fs = require('fs');\nasync function handler(event) {\n"
            "  return fs.readFileSync('/var/task/' + event.file);\n}\nmodule.exports = { handler };\n",
            [("path", 3)],
        ),
        (
            "exports.handler = async (event) => {\n  const n = parseInt(event.n);\n"
            "  require('child_process').execSync('seq ' + n);\n};\n",
            [],
        ),
        (
            "exports.handler = async (event) => {\n  try { return work(event); }\n"
            "  catch (err) { return { statusCode: 500, body: err.stack }; }\n};\n",
            [("verbose-error", 3)],
        ),
    ],
)
def test_node_flows(source: str, expected: list[tuple[str, int]]) -> None:
    assert _node(source) == expected


def test_hand_decoded_jwt_is_unverified_unless_the_file_verifies() -> None:
    source = (
        "exports.handler = async (event) => {\n  const parts = event.headers.auth.split('.');\n"
        "  const claims = JSON.parse(Buffer.from(parts[1], 'base64').toString());\n  return claims;\n};\n"
    )
    assert ("jwt-unverified", 3) in _node(source)
    verified = source.replace("return claims;", "jwt.verify(event.headers.auth, key); return claims;")
    assert ("jwt-unverified", 3) not in _node(verified)
    python = (
        "import base64, json\ndef handler(event, context):\n    token = event['headers']['auth']\n"
        "    return json.loads(base64.urlsafe_b64decode(token.split('.')[1] + '=='))\n"
    )
    assert _python(python) == [("jwt-unverified", 4)]


def test_taint_follows_event_data_into_helpers_of_the_same_file() -> None:
    source = (
        "import base64, jsonpickle\n\ndef is_admin(evt):\n    parts = evt['headers']['auth'].split('.')\n"
        "    return jsonpickle.decode(base64.b64decode(parts[1]))\n\ndef run(cmd):\n    eval(cmd)\n\n"
        "def handler(event, context):\n    if is_admin(event):\n        run(event['body'])\n    run('1 + 1')\n"
    )
    flows = _python(source)
    assert ("deserialization", 5) in flows and ("code", 8) in flows and ("jwt-unverified", 5) in flows


def test_tmp_paths_held_in_variables_and_s3_downloads_count_as_writes() -> None:
    source = (
        "import boto3\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n"
        "    path = '/tmp/' + event['Records'][0]['s3']['object']['key']\n"
        "    s3.download_file('bucket', 'key', path)\n"
    )
    assert ("tmp-write", 6) in _python(source)
