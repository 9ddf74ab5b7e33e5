"""A hostile article, written straight into an archive as a tampered (or pre-sanitizer)
archive would hold it, and the checks that prove a page neutralised it.

Every payload tries to leave a trace a test can see in the DOM: the page title becomes
"OWNED", an element with id "pwned" appears, or <body> gets a ``data-pwned`` attribute. The
markers are assembled at run time ('OWN' + 'ED'), so they appear in a page only if a payload
actually ran — never as quoted text of the article.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import lxml.html

MARK_TITLE = "OWNED"
MARK_ID = "pwned"
MARK_ATTR = "data-pwned"
LEGIT_TEXT = "Đồng chí Giám đốc Sở Khoa học và Công nghệ kiểm tra an toàn thông tin"

_OWN = "document.title='OWN'+'ED'"
_ADD = ("var d=document.createElement('div');d.id='pw'+'ned';d.textContent='OWN'+'ED';"
        "document.body.appendChild(d)")
_BODY = "document.body.setAttribute('data-'+'pwned','1')"

HOSTILE_HTML = f"""
<p>{LEGIT_TEXT} trước khi lưu trữ bài viết.</p>
<script>{_OWN};{_ADD};{_BODY}</script>
<img src="anh-khong-co.png" alt="ảnh" onerror="{_OWN};{_ADD}">
<svg onload="{_BODY}"><script>{_OWN}</script></svg>
<iframe src="javascript:parent.{_OWN}"></iframe>
<iframe srcdoc="&lt;script&gt;parent.{_OWN}&lt;/script&gt;"></iframe>
<object data="javascript:{_OWN}"></object><embed src="javascript:{_OWN}">
<details open ontoggle="{_ADD}"><summary>Chi tiết</summary>nội dung</details>
<p onmouseover="{_OWN}" style="background:url('javascript:{_OWN}')">Di chuột vào đây.</p>
<a href="javascript:{_OWN}">Bấm vào đây</a> · <a href="JaVaScRiPt:{_OWN}">hoa</a> ·
<a href="&#106;avascript:{_OWN}">thực thể</a> · <a href=" java&#x09;script:{_OWN}">tab</a>
<form action="javascript:{_OWN}"><button formaction="javascript:{_OWN}">Gửi</button></form>
<math><mtext><a xlink:href="javascript:{_OWN}">math</a></mtext></math>
<meta http-equiv="refresh" content="0;url=javascript:{_OWN}">
<base href="javascript:{_OWN}//">
<style>body {{ display: none }}</style>
<p>Đoạn cuối: <strong>thủy lợi</strong> và <em>hoá học</em>.</p>
"""

HOSTILE_ROW: dict[str, Any] = {
    "url": "https://sokhcn.sonla.gov.vn/tin-tuc/bai-doc-hai",
    "canonical_url": "https://sokhcn.sonla.gov.vn/tin-tuc/bai-doc-hai",
    "site": "sonla",
    "province": "Sơn La",
    "province_current": "Sơn La",
    "category": "<b onmouseover=\"" + _OWN + "\">Tin hoạt động</b>",
    "title": "Bài viết độc hại <script>" + _OWN + "</script> kiểm tra an toàn",
    "summary": "Tóm tắt <img src=x onerror=\"" + _OWN + "\">",
    "published_at": "2025-07-15T08:00:00+07:00",
    "published_raw": "Ngày 15/7/2025 <script>" + _OWN + "</script>",
    "published_year": 2025,
    "author": "<i onclick=\"" + _OWN + "\">Trần Hằng</i>",
    "body_text": LEGIT_TEXT + " trước khi lưu trữ bài viết.\n\nĐoạn cuối: thủy lợi và hoá học.",
    "body_html": HOSTILE_HTML,
    "images": json.dumps([
        {"url": "javascript:" + _OWN, "caption": "<img src=x onerror=\"" + _OWN + "\">"},
        {"url": "https://sokhcn.sonla.gov.vn/anh/hop-le.jpg", "caption": "Ảnh hợp lệ"},
    ], ensure_ascii=False),
    "attachments": json.dumps([
        {"url": "javascript:" + _OWN, "name": "Tài liệu độc hại"},
        {"url": "data:text/html,<script>" + _OWN + "</script>", "name": "Tệp data:"},
        {"url": "https://sokhcn.sonla.gov.vn/van-ban/ke-hoach.pdf", "name": "Kế hoạch số 1"},
    ], ensure_ascii=False),
    "tags": "[]",
    "flags": json.dumps(["short_body"]),
    "content_hash": "hostile-" + "0" * 56,
    "fetched_at": "2025-07-15T09:00:00+07:00",
    "first_seen_at": "2025-07-15T09:00:00+07:00",
    "last_seen_at": "2025-07-15T09:00:00+07:00",
    "last_changed_at": "2025-07-15T09:00:00+07:00",
    "revision_count": 1,
    "extractor": "site",
}


def insert_hostile_article(db: str | Path, **overrides: Any) -> int:
    """Write the hostile article with plain sqlite3 (no sanitizer on the way); its id."""
    row = {**HOSTILE_ROW, **overrides}
    conn = sqlite3.connect(db)
    try:
        with conn:
            cur = conn.execute(
                f"INSERT INTO articles ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                list(row.values()))
            article_id = int(cur.lastrowid)  # the schema's triggers index it, both ways
    finally:
        conn.close()
    return article_id


def _attributes(doc: Any) -> list[tuple[Any, str, str]]:
    return [(el, name, value) for el in doc.iter() if isinstance(el.tag, str)
            for name, value in el.attrib.items()]


def traces_of_execution(html: str) -> list[str]:
    """What a payload that ran would have left in a (dumped) DOM."""
    doc = lxml.html.document_fromstring(html)
    found = []
    title = doc.findtext(".//title") or ""
    if MARK_TITLE in title:
        found.append(f"title changed to {title!r}")
    if doc.get_element_by_id(MARK_ID, None) is not None:
        found.append("element #pwned added")
    body = doc.find(".//body")
    if body is not None and MARK_ATTR in body.attrib:
        found.append("body attribute data-pwned set")
    if MARK_TITLE in doc.text_content():
        found.append("OWNED in the page text")
    return found


def dangerous_markup(html: str, *, container_xpath: str = "//body") -> list[str]:
    """Markup that could run: on* attributes, javascript:/data: URLs anywhere in the page;
    scripts, frames, plugins, forms, inline styles inside ``container_xpath`` (the article:
    Datasette's page around it carries its own script and styles)."""
    doc = lxml.html.document_fromstring(html)
    found = []
    for el, name, value in _attributes(doc):
        squashed = "".join(value.split()).lower()
        if name.lower().startswith("on"):
            found.append(f"<{el.tag} {name}=…>")
        if "javascript:" in squashed or squashed.startswith(("data:", "vbscript:")):
            found.append(f"<{el.tag} {name}={value[:40]!r}>")
    for container in doc.xpath(container_xpath):
        for el in container.iterdescendants():
            if not isinstance(el.tag, str):
                continue
            if el.tag.lower() in ("script", "iframe", "frame", "object", "embed", "form",
                                  "svg", "math", "meta", "base", "style", "link", "button",
                                  "input"):
                found.append(f"<{el.tag}> in the article")
            found += [f"<{el.tag} {n}=…> in the article" for n in el.attrib
                      if n.lower() in ("style", "srcdoc", "id", "class", "formaction")]
    return found
