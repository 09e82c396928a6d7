"""HTML loader: h1-h6 give the heading path; tables become row lines; scripts are dropped."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from assistant.core.models import Section
from assistant.documents import metadata
from assistant.documents.sections import SectionBuilder
from assistant.documents.text import table_rows_as_text

_BLOCKS = {"p", "li", "pre", "blockquote", "dt", "dd", "caption", "address", "figcaption"}
_SKIP = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
# A page saved from an intranet (SharePoint, Confluence, a wiki) wraps the document in the site's
# menus, banner and footer: its first heading was the site's name ("Acme Intranet"), taken for
# the document's title, and every menu item was indexed. The document is the page's <main>
# (or role="main", or its one <article>); without either, only menus are left out (a
# hand-written page's <header> may hold the document's own title and number).
_MENU_ROLES = {"navigation", "search"}


def _text(node: Tag) -> str:
    return re.sub(r"\s+", " ", node.get_text(" ", strip=True)).strip()


def _table_rows(table: Tag) -> tuple[list[list[str]], list[list[str]]]:
    """The table's rows (cell texts), and the same rows as ``Label: value`` pairs when its
    headers run along the rows rather than over the columns: every row a ``<th>`` label first,
    each label followed by its ``<td>`` values (a document's header block, "Document No |
    QP-13", or "Owner | Transport Manager | Approved by | Quality Manager"); else no pairs."""
    rows: list[list[str]] = []
    pairs: list[list[str]] = []
    labelled = True
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells = tr.find_all(["th", "td"], recursive=False)
        texts = [_text(c) for c in cells]
        if not any(texts):
            continue
        rows.append(texts)
        kinds = [c.name for c in cells]
        labelled = labelled and kinds[0] == "th" and "td" in kinds
        if not labelled:
            continue
        row: list[str] = []
        for kind, text in zip(kinds, texts, strict=True):
            if kind == "th":
                row.append(f"{text}:")
            elif text:
                row[-1] += f" {text}" if row[-1].endswith(":") else f", {text}"
        pairs.append([p for p in row if not p.endswith(":")])
    return rows, (pairs if labelled and len(rows) >= 2 else [])


def _content(body: Tag) -> Tag:
    """The part of the page that is the document (module comment above ``_MENU_ROLES``)."""
    main = body.find("main") or body.find(role="main")
    articles = body.find_all("article")
    if isinstance(main, Tag):
        return main
    if len(articles) == 1:
        return articles[0]
    for tag in body.find_all(lambda t: t.name == "nav" or t.get("role") in _MENU_ROLES):
        tag.decompose()
    return body


def parse_html(text: str, fallback_title: str) -> tuple[metadata.DocMeta, list[Section]]:
    soup = BeautifulSoup(text, "html.parser")
    meta = metadata.DocMeta()
    title_tag = soup.find("title")
    page_title = _text(title_tag) if title_tag else ""
    for tag in soup.find_all(_SKIP):
        tag.decompose()
    builder = SectionBuilder()
    first_heading, first_level = "", 0
    page = soup.body or soup
    body = _content(page)
    if body is not page:
        # The page's own <header> outside <main> may hold its document-control table (number,
        # revision: brightwater's register); read for those only, as its text may be a site's.
        for header in page.find_all("header"):
            if not header.find_parent("main"):
                for table in header.find_all("table"):
                    meta = meta.merge(metadata.from_table(_table_rows(table)[0]))

    def walk(node: Tag) -> None:
        nonlocal meta, first_heading, first_level
        for child in node.children:
            if isinstance(child, NavigableString):
                s = str(child).strip()
                if s and child.parent is node and node.name not in _BLOCKS:
                    builder.add_line(re.sub(r"\s+", " ", s))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if re.fullmatch(r"h[1-6]", name):
                title = _text(child)
                if title:
                    if not first_heading:
                        first_heading, first_level = title, int(name[1])
                    builder.heading(int(name[1]), title)
            elif name == "table":
                rows, pairs = _table_rows(child)
                if builder.heading_count <= 3:
                    meta = metadata.with_early_table(meta, rows)
                # Read as a header row over columns, a labelled block said "Document No:
                # Revision; QP-13: 5".
                lines = ["; ".join(r) for r in pairs if r] or table_rows_as_text(rows)
                builder.add_block(lines)
            elif name in _BLOCKS:
                line = _text(child)
                if line:
                    builder.add_line(line)
                    builder.add_line("")
            elif name == "br":
                builder.add_line("")
            else:
                walk(child)

    walk(body)
    # A page whose <main> opens with a section (h2 "Category 1 providers") keeps its own title
    # in <title> and in a <header> outside <main>: the section is not the document's title.
    if page_title and first_level > 1:
        meta = meta.merge(metadata.from_heading(page_title))
    if first_heading:
        meta = meta.merge(metadata.from_heading(first_heading))
    meta = meta.merge(metadata.DocMeta(title=page_title or fallback_title))
    return meta, builder.sections()
