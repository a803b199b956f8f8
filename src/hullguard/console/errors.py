"""The one error type the collector and the pages raise for bad input: a status code and a sentence."""

from __future__ import annotations


class ConsoleError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
