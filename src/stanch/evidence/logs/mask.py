"""Mask the variable parts of a log message: the first, context-free pass of the miner.

A token is cut at delimiters (`= : , ( ) [ ] / …`) into segments. A segment is a
variable when its shape says so: it starts with a digit, carries an id-like run
(`blk_-42`, `rdd_2_1`, `attempt_1445_0020`), is a long hex string, a dotted host or
class name, or a path. Words with one digit inside (`SOCKS5`, `log4j`, `flush2DB`) stay
literal: they are usually part of the statement, not of the data.
"""

from __future__ import annotations

import re

WILDCARD = "<*>"
_DELIM = r"\s=:,;()\[\]{}\"'<>|/@#"
_SEG = rf"[^{_DELIM}]"
_VARIABLE = re.compile(
    rf"(?<![^{_DELIM}])(?:"
    + "|".join(
        (
            r"(?<!\S)(?:[a-z]+:)?/[^\s,;()\[\]\"']*",  # paths and URLs
            r"[A-Za-z][\w.-]*(?=:\d+(?![\w.-]))",  # the host of host:port
            rf"[-+]?\d{_SEG}*",  # starts with a digit: 42, 0x1f, 3.5s, 10.0.0.1
            # id-like (blk_-42, rdd_2_1, req-5f3a) or three digits anywhere (e5854eb7b8b09)
            rf"(?={_SEG}*?(?:[_-]-?\d|\d{_SEG}*?\d{_SEG}*?\d)){_SEG}+",
            # a hex id of 8+ characters with a digit and a letter, however few digits
            rf"(?={_SEG}*?(?<![A-Za-z0-9])(?=[a-fA-F]*\d)(?=\d*[a-fA-F])[0-9a-fA-F]{{8,}}"
            rf"(?![A-Za-z0-9])){_SEG}+",
            r"[A-Za-z][\w-]*(?:\.[\w-]+)*\.(?:com|net|org|edu|io|exe|hk|cn|us|de|uk)\b",
        )
    )
    + ")"
)
# Both start with the literal "<*>", so the engine skips to candidates at C speed.
_UNIT = re.compile(r"<\*> ?(?:[KMGT]?i?B|bytes|ms|us|ns|s|sec|secs|seconds|%)(?![\w-])")
_JOIN = re.compile(r"<\*>(?: ?\(<\*>\)|[\s,./:_-]*<\*>)+")
_CACHE_LIMIT = 200_000
_tokens: dict[str, str] = {}


_NUMBER_LIKE = re.compile(rf"[-+]?\d{_SEG}*")
_DIGIT = re.compile(r"\d")


def _token(token: str) -> str:
    if _NUMBER_LIKE.fullmatch(token):
        return WILDCARD  # the common case: 42, 0x1f, 10.0.0.1, 3.5s
    masked = _VARIABLE.sub(WILDCARD, token)
    if masked.count(WILDCARD) > 1:
        masked = _JOIN.sub(WILDCARD, masked)
    # Tokens with digits are mostly values that never repeat: caching them would only
    # push out the words that do.
    if len(_tokens) < _CACHE_LIMIT and not _DIGIT.search(token):
        _tokens[token] = masked
    return masked


def mask(message: str) -> str:
    """The message with every variable-looking segment replaced by `<*>`, runs merged.

    Works token by token (whitespace runs become one space): words repeat across
    lines, so most tokens are answered from a bounded cache.
    """
    get = _tokens.get
    masked = " ".join([get(t) or _token(t) for t in message.split()])
    if WILDCARD not in masked:
        return masked
    masked = _UNIT.sub(WILDCARD, masked).replace("<<*>", WILDCARD)
    return _JOIN.sub(WILDCARD, masked)
