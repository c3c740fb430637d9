"""Read an HTML page as a person would: the text inside an element, found by its id or class."""

from __future__ import annotations

from html.parser import HTMLParser

# elements that never have an end tag
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Texts(HTMLParser):
    def __init__(self, *, id_: str | None, class_: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.id_, self.class_ = id_, class_
        self.found: list[list[str]] = []
        self._open: list[tuple[int, list[str]]] = []  # (depth at which it opened, its texts)
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if (self.id_ is not None and values.get("id") == self.id_) or (self.class_ is not None and self.class_ in classes):
            texts: list[str] = []
            self.found.append(texts)
            self._open.append((self._depth, texts))
        if tag not in _VOID:
            self._depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        self._depth -= 1
        while self._open and self._open[-1][0] >= self._depth:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for _, texts in self._open:
            texts.append(data)


def texts(page: str, *, id: str | None = None, class_: str | None = None) -> list[str]:  # noqa: A002
    """The text of every element with that id or class, whitespace collapsed."""
    parser = _Texts(id_=id, class_=class_)
    parser.feed(page)
    parser.close()
    # each piece of text on its own, as a reader sees separate elements apart
    return [" ".join(" ".join(parts).split()) for parts in parser.found]


def text(page: str, *, id: str) -> str:
    """The text of the one element with that id."""
    found = texts(page, id=id)
    assert len(found) == 1, f"{len(found)} elements with id {id!r}"
    return found[0]
