"""Amazon Lex (v1 and v2) and Alexa Skills: what the user said and the slot values taken from it, the
raw slot text before resolution (Lex v1's ``slotDetails``) and the alternative readings Lex also sends
(v1's ``alternativeIntents``, v2's ``interpretations`` and speech ``transcriptions``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hullguard.firewall.triggers.base import PLAIN, Field, child, mapping, records, walk

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

LEX = "lex"
LEX_V2 = "lex-v2"
ALEXA = "alexa"


def identify(event: Mapping[str, Any]) -> str | None:
    if "currentIntent" in event and "bot" in event:
        return LEX
    if "sessionState" in event and "bot" in event and "inputTranscript" in event:
        return LEX_V2
    request = mapping(event.get("request"))
    has_session = "session" in event or "context" in event
    if has_session and isinstance(request.get("type"), str) and "requestId" in request and "version" in event:
        return ALEXA
    return None


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    if trigger == ALEXA:
        slots = mapping(mapping(mapping(event.get("request")).get("intent")).get("slots"))
        for name, slot in slots.items():
            yield (
                f"{child(prefix, 'request.intent.slots')}.{name}.value",
                mapping(slot).get("value"),
                PLAIN,
                record,
                "",
            )
        yield from walk(child(prefix, "session.attributes"), mapping(event.get("session")).get("attributes"), record)
        return
    yield (child(prefix, "inputTranscript"), event.get("inputTranscript"), PLAIN, record, "")
    yield from walk(child(prefix, "sessionAttributes"), event.get("sessionAttributes"), record)
    yield from walk(child(prefix, "requestAttributes"), event.get("requestAttributes"), record)
    if trigger == LEX:
        intent = mapping(event.get("currentIntent"))
        yield from walk(child(prefix, "currentIntent.slots"), intent.get("slots"), record)
        yield from walk(child(prefix, "currentIntent.slotDetails"), intent.get("slotDetails"), record)
        for i, alternative in enumerate(records(event.get("alternativeIntents"))):
            where = f"{child(prefix, 'alternativeIntents')}[{i}].slots"
            yield from walk(where, mapping(alternative).get("slots"), record)
        return
    state = mapping(event.get("sessionState"))
    yield from walk(child(prefix, "sessionState.intent.slots"), mapping(state.get("intent")).get("slots"), record)
    yield from walk(child(prefix, "sessionState.sessionAttributes"), state.get("sessionAttributes"), record)
    for i, reading in enumerate(records(event.get("interpretations"))):
        where = f"{child(prefix, 'interpretations')}[{i}].intent.slots"
        yield from walk(where, mapping(mapping(reading).get("intent")).get("slots"), record)
    for i, heard in enumerate(records(event.get("transcriptions"))):
        heard = mapping(heard)
        base = f"{child(prefix, 'transcriptions')}[{i}]"
        yield (f"{base}.transcription", heard.get("transcription"), PLAIN, record, "")
        yield from walk(f"{base}.resolvedSlots", heard.get("resolvedSlots"), record)
