"""Labelled attack and benign samples for the firewall benchmarks, placed in real Lambda event shapes.

Standard library only: the peer adapters import this module from their own virtualenvs, so every tool
inspects exactly the same events.

Attack payloads come from the public lists in the corpora folder (PayloadsAllTheThings "Intruder"
lists and modsec-learn's malicious query strings); benign samples are modsec-learn's real legitimate
query strings and the real-shaped sample events of ~40 trigger types. Each payload is placed in
several event shapes (query, JSON body, form body, header, SQS body, S3 key, DynamoDB attribute).
"""

from __future__ import annotations

import copy
import ipaddress
import json
import random
import re
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# corpora sub-folder -> attack class reported by the benchmark
ATTACK_LISTS: dict[str, str] = {
    "sql-injection": "sqli",
    "xss": "xss",
    "command-injection": "cmdi",
    "path-traversal": "path",
    "file-inclusion": "path",
    "xxe": "xxe",
    "ssti": "ssti",
    "nosql-injection": "nosql",
    "ldap-injection": "ldap",
}

# Lists, or lines, that are not an attack on their own wherever they arrive. Named here so the
# results say what was left out and why (the corpora README warns about exactly these).
EXCLUDED_LISTS: dict[str, str] = {
    "ldap-injection/LDAP_attributes.txt": "bare LDAP attribute names (cn, mail, uid): words, not filters",
    "file-inclusion/Web-files.txt": "bare public web file names (/robots.txt, /style.css): fetched by every browser",
}
# Lists whose entries span several lines, with the pattern that starts each entry.
MULTI_LINE_LISTS: dict[str, str] = {"xss/MarioXSSVectors.txt": r'(?=<div id="\d+">)'}
MIN_PAYLOAD_LENGTH = 3  # "*", "'" or "<" alone are characters, not attacks; counted as excluded lines

# A browser's request as API Gateway delivers it (the project's example event): 18 real-world headers.
BROWSER_EVENT = Path(__file__).resolve().parent.parent / "examples" / "events" / "apigw-benign.json"

SHAPES: tuple[str, ...] = ("query", "json-body", "form-body", "header", "sqs-body", "s3-key", "dynamodb")
LINES_PER_LIST = 1000  # longer lists (dotdotpwn: 21k lines of the same pattern) are sampled evenly


@dataclass(frozen=True, slots=True)
class Sample:
    sid: str
    label: str  # attack class, or "benign"
    source: str  # list file or benign set it came from
    payload: str  # the attack string (attacks) or the query string (benign)


def default_corpora() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"


def _sampled(lines: list[str]) -> list[str]:
    if len(lines) <= LINES_PER_LIST:
        return lines
    step = len(lines) / LINES_PER_LIST
    return [lines[int(i * step)] for i in range(LINES_PER_LIST)]


# Decides whether a payload-list line is an attack on its own: (class, "folder/file", line) -> the
# name of the excluded category, or None to keep the line.
Exclusion = Callable[[str, str, str], "str | None"]


def attack_samples(corpora: Path, exclude: Exclusion | None = None) -> tuple[list[Sample], dict[str, int]]:
    """Every usable attack line, and how many lines each exclusion removed (by list or category)."""
    samples: list[Sample] = []
    excluded: dict[str, int] = {}
    base = corpora / "attacks" / "payloadsallthethings"
    for folder, label in ATTACK_LISTS.items():
        for path in sorted((base / folder).iterdir()):
            rel = f"{folder}/{path.name}"
            raw = path.read_text(encoding="utf-8", errors="replace").splitlines()
            if rel in EXCLUDED_LISTS:
                excluded[rel] = len(raw)
                continue
            usable = []
            if rel in MULTI_LINE_LISTS:
                # html5sec vectors span several lines; a line alone is often a fragment that runs nothing.
                text = "\n".join(raw)
                vectors = [v.strip() for v in re.split(MULTI_LINE_LISTS[rel], text) if v.strip()]
                samples.extend(Sample(f"{rel}:{i}", label, rel, v) for i, v in enumerate(vectors))
                excluded[f"{rel}: {len(raw)} lines measured as {len(vectors)} multi-line vectors"] = 0
                continue
            for line in dict.fromkeys(ln.strip() for ln in raw):
                category = "shorter than 3 characters" if len(line) < MIN_PAYLOAD_LENGTH else None
                if category is None and exclude is not None:
                    category = exclude(label, rel, line)
                if category is None:
                    usable.append(line.replace("{FILE}", "etc/passwd"))  # fuzzer templates name their target
                else:
                    excluded[f"{label}: {category}"] = excluded.get(f"{label}: {category}", 0) + 1
            for i, line in enumerate(_sampled(usable)):
                samples.append(Sample(f"{rel}:{i}", label, rel, line))
    malicious = json.loads((corpora / "attacks" / "sqli-query-strings.json").read_text())
    for i, qs in enumerate(malicious):
        # modsec-learn lines are whole query strings: the attack is the decoded parameter value.
        for _key, value in urllib.parse.parse_qsl(qs, keep_blank_values=True)[:1]:
            samples.append(Sample(f"sqli-query-strings:{i}", "sqli", "sqli-query-strings.json", value))
    return samples, excluded


def save_samples(samples: list[Sample], path: Path) -> None:
    path.write_text(json.dumps([[s.sid, s.label, s.source, s.payload] for s in samples]))


def load_samples(path: Path) -> list[Sample]:
    return [Sample(*row) for row in json.loads(path.read_text())]


def benign_samples(corpora: Path) -> list[Sample]:
    queries = json.loads((corpora / "benign" / "query-strings.json").read_text())
    return [Sample(f"benign-query:{i}", "benign", "query-strings.json", q) for i, q in enumerate(queries)]


def sample_events(corpora: Path) -> dict[str, dict[str, object]]:
    events = {}
    for path in sorted((corpora / "events" / "powertools").glob("*.json")):
        events[path.stem] = json.loads(path.read_text())
    return events


# The real samples of HTTP triggers (API Gateway REST and HTTP APIs with their authorizers, ALB,
# function URLs), timed one by one besides the speed events: a summary over all of them shows how
# the ratio to libddwaf spreads over real request shapes, not only over the events chosen for the
# main table. A short budget each: there are a few dozen.
SAMPLE_PREFIX = "sample: "
_HTTP_SAMPLES = ("apiGateway", "apigateway", "alb", "lambdaFunctionUrl")


def http_sample_events(corpora: Path) -> dict[str, dict[str, object]]:
    """The real HTTP samples of ``sample_events``, named ``SAMPLE_PREFIX`` + file name."""
    return {
        SAMPLE_PREFIX + name: event
        for name, event in sample_events(corpora).items()
        if name.startswith(_HTTP_SAMPLES)
    }


def named_event(corpora: Path, name: str) -> dict[str, object] | None:
    """The first speed event, else real HTTP sample (``sample: albEvent``...), whose name contains
    ``name``: what ``instructions.py`` counts."""
    for label, event in speed_events(corpora, only=name).items():
        if name in label:
            return event
    return next((event for label, event in http_sample_events(corpora).items() if name in label), None)


def event_names(corpora: Path) -> list[str]:
    return [*speed_events(corpora), *http_sample_events(corpora)]


class Placer:
    """Puts a payload into a copy of a real sample event of the chosen shape."""

    def __init__(self, corpora: Path) -> None:
        events = corpora / "events" / "powertools"
        self._v1 = json.loads((events / "apiGatewayProxyEvent.json").read_text())
        self._v2 = json.loads((events / "apiGatewayProxyV2Event.json").read_text())
        self._sqs = json.loads((events / "sqsEvent.json").read_text())
        self._s3 = json.loads((events / "s3Event.json").read_text())
        self._ddb = json.loads((events / "dynamoStreamEvent.json").read_text())

    def attack(self, shape: str, payload: str) -> dict[str, object]:
        """The event a function would receive when an attacker sends ``payload`` through ``shape``."""
        if shape == "query":
            return self._v1_query({"id": payload})
        if shape == "json-body":
            return self._v2_body(json.dumps({"comment": payload, "rating": 5}), "application/json")
        if shape == "form-body":
            body = urllib.parse.urlencode({"name": "alice", "comment": payload})
            return self._v2_body(body, "application/x-www-form-urlencoded")
        if shape == "header":
            event = copy.deepcopy(self._v1)
            event["headers"]["X-Forwarded-Note"] = payload
            event["multiValueHeaders"]["X-Forwarded-Note"] = [payload]
            return event
        if shape == "sqs-body":
            event = copy.deepcopy(self._sqs)
            event["Records"] = event["Records"][:1]
            event["Records"][0]["body"] = json.dumps({"orderId": "A-1001", "note": payload})
            return event
        if shape == "s3-key":
            event = copy.deepcopy(self._s3)
            # S3 notifications carry the key URL-encoded, with '+' for space.
            event["Records"][0]["s3"]["object"]["key"] = "uploads/" + urllib.parse.quote_plus(
                payload, safe="/"
            )
            return event
        if shape == "dynamodb":
            event = copy.deepcopy(self._ddb)
            event["Records"] = event["Records"][:1]
            event["Records"][0]["dynamodb"]["NewImage"]["Message"] = {"S": payload}
            return event
        raise ValueError(f"unknown shape {shape}")

    def benign(self, shape: str, query_string: str) -> dict[str, object]:
        """A benign query string as a GET query, or its parameters as a JSON / SQS body."""
        params = dict(urllib.parse.parse_qsl(query_string, keep_blank_values=True))
        if shape == "query":
            return self._v1_query(params)
        if shape == "json-body":
            return self._v2_body(json.dumps(params), "application/json")
        if shape == "sqs-body":
            event = copy.deepcopy(self._sqs)
            event["Records"] = event["Records"][:1]
            event["Records"][0]["body"] = json.dumps(params)
            return event
        raise ValueError(f"no benign placement for shape {shape}")

    def request(
        self, method: str, path: str, headers: dict[str, str], query: str, body: str | None
    ) -> dict[str, object]:
        """A whole HTTP request (a raw query string, decoded as API Gateway decodes it) as the REST API
        sample event carrying it: for request corpora such as the Core Rule Set's tests."""
        event = copy.deepcopy(self._v1)
        single: dict[str, str] = {}
        multi: dict[str, list[str]] = {}
        for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
            single[name] = value
            multi.setdefault(name, []).append(value)
        decoded_path = urllib.parse.unquote(path)
        context = event["requestContext"]
        assert isinstance(context, dict)
        context.update({"httpMethod": method, "path": decoded_path, "resourcePath": "/{proxy+}"})
        event.update(
            {
                "resource": "/{proxy+}",
                "path": decoded_path,
                "httpMethod": method,
                "headers": dict(headers),
                "multiValueHeaders": {name: [value] for name, value in headers.items()},
                "queryStringParameters": single or None,
                "multiValueQueryStringParameters": multi or None,
                "pathParameters": {"proxy": decoded_path.lstrip("/")},
                "body": body or None,
                "isBase64Encoded": False,
            }
        )
        return event

    def _v1_query(self, params: dict[str, str]) -> dict[str, object]:
        event = copy.deepcopy(self._v1)
        event["queryStringParameters"] = dict(params) or None
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in params.items()} or None
        return event

    def _v2_body(self, body: str, content_type: str) -> dict[str, object]:
        event = copy.deepcopy(self._v2)
        event["requestContext"]["http"]["method"] = "POST"
        event["headers"]["content-type"] = content_type
        event["body"] = body
        event["isBase64Encoded"] = False
        return event


BENIGN_SHAPES: tuple[str, ...] = ("query", "json-body", "sqs-body")


def peer_view(event: dict[str, object]) -> dict[str, object]:
    """The event as an HTTP-shaped WAF sees it (libddwaf addresses).

    Peers do not know Lambda event shapes, so the benchmark does their decoding for them: query,
    headers, path and parsed body of HTTP events; for record events the decoded payload (SQS body,
    URL-decoded S3 key, DynamoDB string values) is handed over as the request body. This favours the
    peers, and is said so in the results.
    """
    view: dict[str, object] = {}
    if not isinstance(event, dict):  # e.g. AppSync batch resolvers receive a list
        return {"server.request.body": event}
    if "requestContext" in event and ("httpMethod" in event or "rawPath" in event):
        headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}  # type: ignore[union-attr]
        view["server.request.headers.no_cookies"] = headers
        query = event.get("multiValueQueryStringParameters") or event.get("queryStringParameters") or {}
        view["server.request.query"] = query
        path = event.get("path") or event.get("rawPath") or "/"
        raw_query = event.get("rawQueryString") or urllib.parse.urlencode(
            event.get("queryStringParameters") or {}  # type: ignore[arg-type]
        )
        view["server.request.uri.raw"] = f"{path}?{raw_query}" if raw_query else path
        if event.get("pathParameters"):
            view["server.request.path_params"] = event["pathParameters"]
        body = event.get("body")
        if isinstance(body, str) and body:
            ctype = str(headers.get("content-type", ""))
            if "json" in ctype:
                try:
                    view["server.request.body"] = json.loads(body)
                except ValueError:
                    view["server.request.body"] = body
            elif "x-www-form-urlencoded" in ctype:
                view["server.request.body"] = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
            else:
                view["server.request.body"] = body
        return view
    records = event.get("Records")
    body_parts: list[object] = []
    if isinstance(records, list):
        for record in records:
            if not isinstance(record, dict):
                continue
            if "body" in record:
                try:
                    body_parts.append(json.loads(record["body"]))
                except (ValueError, TypeError):
                    body_parts.append(record["body"])
            elif "s3" in record:
                key = record["s3"].get("object", {}).get("key", "")
                body_parts.append({"key": urllib.parse.unquote_plus(key)})
            elif "dynamodb" in record:
                image = record["dynamodb"].get("NewImage", {})
                body_parts.append(
                    {k: next(iter(v.values())) for k, v in image.items() if isinstance(v, dict)}
                )
    view["server.request.body"] = body_parts if body_parts else event
    return view


def string_leaves(data: object, limit: int = 10_000) -> Iterator[str]:
    """Every string in a JSON-like value (iteratively, bounded)."""
    stack = [data]
    seen = 0
    while stack and seen < limit:
        item = stack.pop()
        seen += 1
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def string_slots(tree: Any) -> list[tuple[Any, Any]]:
    """(container, key) of every string value in a JSON-like ``tree``, in a fixed order: where an attack
    can be planted (``container[key] = attack``)."""
    slots: list[tuple[Any, Any]] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            if isinstance(value, str):
                slots.append((node, key))
            elif isinstance(value, dict | list):
                stack.append(value)
    return slots


# ---- running a tool over the samples -------------------------------------------------------------

# An inspector returns the attack classes it found in an event (empty list = clean).
Inspector = Callable[[dict[str, object]], list[str]]


def run_detection(inspect: Inspector, corpora: Path, attacks: list[Sample]) -> dict[str, list[str]]:
    """Inspect every placed attack and benign event; key ``<sample id>@<shape>`` -> classes found."""
    placer = Placer(corpora)
    results: dict[str, list[str]] = {}
    for sample in attacks:
        for shape in SHAPES:
            results[f"{sample.sid}@{shape}"] = inspect(placer.attack(shape, sample.payload))
    for sample in benign_samples(corpora):
        for shape in BENIGN_SHAPES:
            results[f"{sample.sid}@{shape}"] = inspect(placer.benign(shape, sample.payload))
    for name, event in sample_events(corpora).items():
        results[f"benign-event:{name}@as-is"] = inspect(event)
    return results


_WORDS = [
    "order",
    "customer",
    "delivery",
    "invoice",
    "address",
    "street",
    "city",
    "payment",
    "status",
    "shipped",
    "pending",
    "note",
    "gift",
    "wrapping",
    "please",
    "leave",
    "at",
    "the",
    "door",
    "thank",
    "you",
    "size",
    "colour",
    "blue",
    "medium",
    "quantity",
    "price",
    "total",
    "discount",
]


def benign_body(size: int) -> str:
    """A realistic JSON document of about ``size`` bytes: an order with line items and free text."""

    def item(i: int) -> dict[str, object]:
        words = " ".join(_WORDS[(i + k) % len(_WORDS)] for k in range(12))
        return {"sku": f"SKU-{i:06d}", "qty": i % 5 + 1, "price": f"{(i * 7) % 100}.99", "note": words}

    per_item = len(json.dumps(item(0))) + 2
    count = max(1, (size - 40) // per_item)
    return json.dumps({"orderId": "A-1001", "items": [item(i) for i in range(count)]})


def speed_events(corpora: Path, only: str = "") -> dict[str, dict[str, object]]:
    """Benign events for timing: real samples, a typical 2 KB POST, and bodies of growing size (with
    ``only``, of the bodies just those whose name contains it: building 6 MB is slow under valgrind)."""
    placer = Placer(corpora)
    events: dict[str, dict[str, object]] = {
        "apigw-v1-sample (GET, 2.0 KB)": json.loads(
            (corpora / "events" / "powertools" / "apiGatewayProxyEvent.json").read_text()
        ),
        "apigw-v2-post-2kb (typical POST)": placer._v2_body(benign_body(600), "application/json"),
        # The same with one accented name: views that are not ASCII take the exact Python passes.
        "apigw-v2-post-2kb, one accented name": placer._v2_body(
            benign_body(600).replace("A-1001", "Jos\u00e9-1001"), "application/json"
        ),
        "sqs-sample": json.loads((corpora / "events" / "powertools" / "sqsEvent.json").read_text()),
        # A browser request as API Gateway delivers it: 18 real-world headers (user agent, accept-*,
        # CloudFront, X-Forwarded-For, trace id, referer), a JSON body with a name holding a quote.
        "apigw-v1-browser-post (3 KB, 18 headers)": json.loads(
            BROWSER_EVENT.read_text()
        ),
    }
    for label, size in (
        ("1 KB", 1024),
        ("64 KB", 64 * 1024),
        ("1 MB", 1024 * 1024),
        ("6 MB", 6 * 1024 * 1024),
    ):
        if only in f"body {label}":
            events[f"body {label}"] = placer._v2_body(benign_body(size), "application/json")
    return events


# A warm function's traffic: distinct requests one after another, each inspected once. The speed
# events above are each inspected over and over (header values remembered) or with the memo emptied
# every time (first sight); production is neither. Here what differs from request to request in real
# browser traffic is drawn anew for each one: the trace and CloudFront ids, the client's address, the
# request id, the page in the Referer, and the query string, one of the 5,000 real ones; the user agent
# is one of the real samples' (a function's callers use a few browsers). The first STREAM_WARMUP
# requests warm the inspector up and are not timed.
STREAM_NAME = "traffic stream"
STREAM_WARMUP = 300
STREAM_TIMED = 1000
_BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def traffic_stream(corpora: Path, count: int = STREAM_WARMUP + STREAM_TIMED) -> list[dict[str, object]]:
    """``count`` distinct browser GET requests to an API Gateway REST API (see above), the same list
    on every call (seeded)."""
    rng = random.Random(2024)
    template = json.loads(BROWSER_EVENT.read_text())
    agents = sorted(
        {
            str(value)
            for event in http_sample_events(corpora).values()
            for name, value in (event.get("headers") or {}).items()
            if name.lower() == "user-agent" and value
        }
        | {template["headers"]["User-Agent"]}
    )
    queries = json.loads((corpora / "benign" / "query-strings.json").read_text())
    pages = ["", "checkout", "cart", "products/shoes", "account/orders", "search", "help/returns"]
    stream = []
    for number in range(count):
        event = copy.deepcopy(template)
        event["httpMethod"] = event["requestContext"]["httpMethod"] = "GET"
        event["body"] = None
        client = _public_address(rng)
        headers = {
            **template["headers"],
            "User-Agent": rng.choice(agents),
            "Referer": f"https://shop.example.com/{rng.choice(pages)}",
            "X-Amz-Cf-Id": "".join(rng.choice(_BASE64URL) for _ in range(54)) + "==",
            "X-Amzn-Trace-Id": f"Root=1-{rng.getrandbits(32):08x}-{rng.getrandbits(96):024x}",
            "X-Forwarded-For": f"{client}, 130.176.{rng.randrange(256)}.{rng.randrange(1, 255)}",
        }
        del headers["Content-Type"]
        event["headers"] = headers
        event["multiValueHeaders"] = {name: [value] for name, value in headers.items()}
        params = dict(urllib.parse.parse_qsl(queries[number % len(queries)], keep_blank_values=True))
        event["queryStringParameters"] = params or None
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in params.items()} or None
        event["requestContext"]["requestId"] = str(_uuid(rng))
        event["requestContext"]["identity"] = {"sourceIp": client, "userAgent": headers["User-Agent"]}
        stream.append(event)
    return stream


def _public_address(rng: random.Random) -> str:
    while True:
        address = ipaddress.IPv4Address(rng.getrandbits(32))
        if address.is_global and not address.is_multicast:
            return str(address)


def _uuid(rng: random.Random) -> str:
    value = f"{rng.getrandbits(128):032x}"
    return f"{value[:8]}-{value[8:12]}-4{value[13:16]}-a{value[17:20]}-{value[20:]}"


def adversarial_events(corpora: Path) -> dict[str, dict[str, object]]:
    """Inputs built to make a naive inspector slow: must stay within a fixed budget."""
    placer = Placer(corpora)
    deep = "[" * 10_000 + "]" * 10_000
    many_keys = json.dumps({f"k{i}": "v" for i in range(100_000)})
    return {
        "redos-like 100k 'a' + '!'": placer.attack("json-body", "a" * 100_000 + "!"),
        "100k quotes": placer.attack("json-body", "'" * 100_000),
        "100k '<'": placer.attack("json-body", "<" * 100_000),
        "10k-deep JSON body": placer._v2_body(deep, "application/json"),
        "100k keys JSON body": placer._v2_body(many_keys, "application/json"),
        "deeply nested dict event": _nested_dict(5_000),
    }


def _nested_dict(depth: int) -> dict[str, object]:
    root: dict[str, object] = {}
    node = root
    for _ in range(depth):
        child: dict[str, object] = {}
        node["a"] = child
        node = child
    node["leaf"] = "value"
    return root
