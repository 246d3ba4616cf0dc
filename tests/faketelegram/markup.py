"""Parse HTML and MarkdownV2 text into plain text and entities, failing where Telegram fails."""

from __future__ import annotations

import html
import re
from typing import Any

from .errors import ApiError, bad_request

_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}  # fmt: skip
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^>]*)?)>")
_ATTR = re.compile(r"""([a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);")
_MD_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MD_MARKS = {"__": "underline", "||": "spoiler", "*": "bold", "_": "italic", "~": "strikethrough"}


def utf16_len(text: str) -> int:
    """Return the length of text in UTF-16 code units, as Telegram counts offsets."""
    return len(text.encode("utf-16-le")) // 2


def _cant_parse(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


def parse(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text and the entities for text in parse_mode."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return _parse_html(text)
    if mode == "markdownv2":
        return _parse_markdown_v2(text)
    if mode == "markdown":
        return text, []
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")


def _parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, int, dict[str, Any]]] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "<":
            offset = len(source[:i].encode())
            match = _TAG.match(source, i)
            if not match:
                if ">" not in source[i:]:
                    raise _cant_parse(f"Unclosed start tag at byte offset {offset}")
                name = source[i + 1 : source.index(">", i)].split(" ")[0]
                raise _cant_parse(f'Unsupported start tag "{name}" at byte offset {offset}')
            closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if name not in _HTML_TAGS:
                raise _cant_parse(f'Unsupported start tag "{name}" at byte offset {offset}')
            if closing:
                if not stack or stack[-1][0] != name:
                    expected = f', expected "</{stack[-1][0]}>"' if stack else ""
                    raise _cant_parse(
                        f'Unmatched end tag at byte offset {offset}{expected}, found "</{name}>"'
                    )
                _, start, entity = stack.pop()
                length = utf16_len("".join(out)) - start
                if length:
                    entities.append({**entity, "offset": start, "length": length})
            else:
                entity = {"type": _HTML_TAGS[name], **_html_attrs(name, _attrs(attrs))}
                stack.append((name, utf16_len("".join(out)), entity))
            i = match.end()
        elif char == "&":
            match = _ENTITY.match(source, i)
            decoded = html.unescape(match.group(0)) if match else "&"
            out.append(decoded if match and decoded != match.group(0) else "&")
            i = match.end() if match and decoded != match.group(0) else i + 1
        else:
            out.append(char)
            i += 1
    if stack:
        raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _attrs(source: str) -> dict[str, str]:
    return {m[1]: html.unescape(m[2] or m[3] or m[4] or "") for m in _ATTR.finditer(source)}


def _html_attrs(tag: str, attrs: dict[str, str]) -> dict[str, Any]:
    if tag == "a":
        if "href" not in attrs:
            raise _cant_parse('Can\'t find "href" attribute of the "a" tag')
        return {"url": attrs["href"]}
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        raise _cant_parse('Tag "span" must have class "tg-spoiler"')
    if tag == "tg-emoji":
        return {"custom_emoji_id": attrs.get("emoji-id", "")}
    if tag == "pre" and "language" in attrs:
        return {"language": attrs["language"]}
    return {}


def _parse_markdown_v2(source: str) -> tuple[str, list[dict[str, Any]]]:
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    open_marks: list[tuple[str, int]] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source):
            out.append(source[i + 1])
            i += 2
            continue
        mark = next((m for m in _MD_MARKS if source.startswith(m, i)), None)
        if char == "`":
            end = source.find("`", i + 1)
            if end < 0:
                raise _cant_parse(f"Can't find end of Code entity at byte offset {i}")
            start = utf16_len("".join(out))
            out.append(source[i + 1 : end])
            entities.append(
                {"type": "code", "offset": start, "length": utf16_len(source[i + 1 : end])}
            )
            i = end + 1
        elif mark:
            if open_marks and open_marks[-1][0] == mark:
                _, start = open_marks.pop()
                length = utf16_len("".join(out)) - start
                if length:
                    entities.append({"type": _MD_MARKS[mark], "offset": start, "length": length})
            else:
                open_marks.append((mark, utf16_len("".join(out))))
            i += len(mark)
        elif char in _MD_RESERVED:
            raise _cant_parse(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        else:
            out.append(char)
            i += 1
    if open_marks:
        name = _MD_MARKS[open_marks[-1][0]].capitalize()
        raise _cant_parse(f"Can't find end of {name} entity at byte offset {len(source.encode())}")
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))
