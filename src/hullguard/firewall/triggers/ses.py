"""Amazon SES receipt rules: every header of the received mail is chosen by its sender, and so are the
recipients' addresses (any local part reaches a domain with a catch-all rule)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers.base import KEY, PLAIN, Field, child, first, mapping, plain_name, records, walk

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

SES = "ses"


def identify(event: Mapping[str, Any]) -> str | None:
    return SES if "ses" in first(event.get("Records")) else None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    for i, item in enumerate(records(event.get("Records"))):
        ses = mapping(mapping(item).get("ses"))
        mail = mapping(ses.get("mail"))
        base = f"{child(prefix, 'Records')}[{i}].ses.mail"
        yield (f"{base}.source", mail.get("source"), PLAIN, i, "")
        yield from walk(f"{base}.destination", mail.get("destination"), i)
        recipients = mapping(ses.get("receipt")).get("recipients")
        yield from walk(f"{child(prefix, 'Records')}[{i}].ses.receipt.recipients", recipients, i)
        yield from walk(f"{base}.commonHeaders", mail.get("commonHeaders"), i)
        for h, entry in enumerate(records(mail.get("headers"))):
            header = mapping(entry)
            name = header.get("name")
            if isinstance(name, str) and not plain_name(name):  # a name is the sender's too ("X-Mailer")
                yield (f"{base}.headers[{h}].name", name, KEY, i, "")
            yield (f"{base}.headers[{h}].value", header.get("value"), PLAIN, i, "")
