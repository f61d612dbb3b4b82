"""A template's optional HTML part: its body read as Markdown, with the placeholders' values escaped first.

markdown-it-py's "js-default" preset is CommonMark with raw HTML off (typed tags come out as text) and links
checked (no javascript:, vbscript:, file: or data: other than images), so neither the template's author nor a
visitor's name or summary can put markup of their own into the email.
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("js-default", {"breaks": True})  # a line break in the template is one in the email
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~&])")


def escape_markdown(value: str) -> str:
    """`value` read by Markdown as the text it is: "[a](b)" in a visitor's name is not a link."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", value)


def markdown_to_html(markdown: str) -> str:
    return _MARKDOWN.render(markdown)
