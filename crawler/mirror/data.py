"""The articles each mirrored site holds: real seed texts first, then deterministic fill.

Every site gets at least 25 articles so that its listing needs pagination. Scenario
``update`` is the same site a while later: 3 new articles on top and the 2 newest old ones
edited — what an incremental re-crawl must pick up.

The benchmarks (bench/) need bigger sites: ``DOST_MIRROR_ARTICLES=N`` (or ``python -m
crawler.mirror --articles N``) gives every site N articles. The first ``BASE_COUNT`` are the
usual ones; the others are older, a few hours apart, with bodies recombined clause by clause
from the pool, so that they are not near-copies of each other as the 3-paragraph fill-ins of
a 34-paragraph pool would be (which would make the archive's syndication clustering, not the
crawl, what a benchmark measures).
"""

from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from crawler.normalize.dates import VN_TZ

SEEDS = Path(__file__).with_name("seeds")
BASE_COUNT = 28
#: Articles per site for the benchmarks (see the module docstring); unset = BASE_COUNT.
ARTICLES_ENV = "DOST_MIRROR_ARTICLES"
# "gone": the base articles, but two were removed from the site (crawler/mirror/sites/base.py
# REMOVED): gone from every listing, one answers 404 and the other 410.
SCENARIOS = ("base", "update", "gone")


@dataclass(frozen=True)
class MirrorArticle:
    id: int
    slug: str
    title: str
    published: datetime
    category: str
    paragraphs: tuple[str, ...]
    summary: str = ""
    author: str = ""
    source: str = ""
    view_count: int = 0
    images: tuple[tuple[str, str], ...] = ()       # (path, caption)
    attachments: tuple[tuple[str, str], ...] = ()  # (file name, link text)
    extra: dict[str, str] = field(default_factory=dict)


def _seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def _paragraphs(text: str, start: str, stop: str) -> tuple[str, ...]:
    """The body paragraphs of a seed text between two marker lines (exclusive of stop)."""
    body = text[text.index(start):]
    body = body[:body.index(stop)] if stop in body else body
    return tuple(p.strip() for p in re.split(r"\n\s*\n", body) if p.strip())


@lru_cache(maxsize=1)
def seed_articles() -> dict[str, dict]:
    """The real articles of the seed pages, keyed by the site they stand for."""
    s0, s1, s2, s3, s4 = (_seed(n) for n in ("000", "001", "002", "003", "004"))
    return {
        # Seed 002: a province nobody has identified; read by the generic spider.
        "generic": dict(
            title="Nâng cao hiệu quả hoạt động lĩnh vực khoa học và công nghệ",
            published=datetime(2020, 1, 15, tzinfo=VN_TZ),
            paragraphs=_paragraphs(s2, "Chiều 15-1", "Trần Hằng"), author="Trần Hằng"),
        "vinhphuc": dict(
            title="Đồng chí Phó chủ tịch thường trực UBND tỉnh làm việc với Sở Khoa học và "
                  "Công nghệ Vĩnh Phúc",
            published=datetime(2021, 11, 15, tzinfo=VN_TZ),
            paragraphs=_paragraphs(s0, "Chiều ngày 12/11", "Thu Huyên"), author="Thu Huyên"),
        "quangninh": dict(
            title="\"Đưa cách mạng công nghiệp 4.0 tiến sâu vào các ngành, lĩnh lực\"",
            published=datetime(2020, 12, 14, 17, 29, tzinfo=VN_TZ),
            paragraphs=tuple(p for p in _paragraphs(s1, "Đây là nhiệm vụ", "Nguyên Ngọc")
                             if p.count("\n") == 0),
            author="Nguyên Ngọc",
            images=(("/So/sokhoahoccongnghe/PublishingImages/2020/12/hoi-nghi.jpg",
                     "Quang cảnh hội nghị."),)),
        "sonla_legacy": dict(
            title="Đồng chí Nguyễn Thành Công - Phó chủ tịch UBND tỉnh làm việc với Sở Khoa học "
                  "và Công nghệ",
            published=datetime(2023, 6, 6, tzinfo=VN_TZ),
            paragraphs=tuple(p for p in _paragraphs(s3, "Ngày 05/6/2023", "Ánh Nguyệt")
                             if len(p) > 80), author="Ánh Nguyệt - Tú Hảo", view_count=398),
        "phutho": dict(
            title="KH&CN Địa phương: Phát triển nhanh, bền vững dựa chủ yếu vào KH,CN&ĐMST",
            published=datetime(2024, 3, 16, tzinfo=VN_TZ),
            paragraphs=tuple(p for p in _paragraphs(s4, "Hội nghị Giám đốc", "Theo most.gov.vn")
                             if len(p) > 60),
            source="most.gov.vn", author="", view_count=31),
    }


@lru_cache(maxsize=1)
def _phutho_others() -> list[dict]:
    """The "BÀI VIẾT KHÁC" items of seed 004: real titles, lead paragraphs and dates."""
    text = _seed("004").split("BÀI VIẾT KHÁC", 1)[1]
    items = []
    for block in re.finditer(r"\n(?P<title>[^\n]+)\n(?P=title)\n\n(?P<lead>[^\n]+)\n\n"
                             r"Ngày (?P<d>\d\d)/(?P<m>\d\d)/(?P<y>\d{4})", text):
        items.append(dict(title=block["title"].strip(), lead=block["lead"].strip(),
                          published=datetime(int(block["y"]), int(block["m"]), int(block["d"]),
                                             tzinfo=VN_TZ)))
    return items


TITLE_BANK = (
    "Hội nghị triển khai nhiệm vụ khoa học và công nghệ năm {y}",
    "Nghiệm thu đề tài khoa học cấp tỉnh về ứng dụng công nghệ sinh học trong nông nghiệp",
    "Tập huấn nâng cao năng lực quản lý tiêu chuẩn, đo lường, chất lượng",
    "Kiểm tra an toàn bức xạ tại các cơ sở y tế trên địa bàn tỉnh",
    "Hỗ trợ doanh nghiệp xây dựng và phát triển tài sản trí tuệ",
    "Đánh giá chỉ số đổi mới sáng tạo cấp địa phương năm {y}",
    "Ngày hội khởi nghiệp đổi mới sáng tạo tỉnh lần thứ {n}",
    "Tuyển chọn tổ chức, cá nhân chủ trì nhiệm vụ khoa học và công nghệ cấp tỉnh",
    "Thanh tra chuyên ngành về đo lường đối với kinh doanh xăng dầu",
    "Chuyển đổi số trong hoạt động quản lý nhà nước về khoa học và công nghệ",
    "Truy xuất nguồn gốc sản phẩm OCOP: kết quả và hướng đi",
    "Bảo tồn và phát triển nguồn gen cây trồng bản địa",
    "Hội đồng tư vấn xét duyệt thuyết minh đề tài về thuỷ lợi nội đồng",
    "Ứng dụng hoá học xanh trong chế biến nông sản",
    "Hội thảo khoa học về phát triển thương hiệu sản phẩm chủ lực",
    "Công bố quyết định bổ nhiệm Phó Giám đốc Sở",
    "Sơ kết 6 tháng đầu năm {y} và triển khai nhiệm vụ 6 tháng cuối năm",
    "Đồng chí Giám đốc Sở làm việc với các đơn vị trực thuộc",
    "Phổ biến Luật Khoa học, Công nghệ và Đổi mới sáng tạo",
    "Hưởng ứng Ngày Khoa học và Công nghệ Việt Nam 18/5",
)
AUTHORS = ("Thu Huyên", "Minh Anh", "Trần Hằng", "Ngọc Lan - Văn Hùng", "Hoàng Yến", "PV")


@lru_cache(maxsize=1)
def _paragraph_pool() -> tuple[str, ...]:
    pool: list[str] = []
    # Seed 002 stays out of the pool: it belongs to the generic site alone (and adding it
    # would reshuffle every other site's fill-in articles).
    for site, art in seed_articles().items():
        if site == "generic":
            continue
        pool.extend(p for p in art["paragraphs"] if 120 < len(p) < 1500)
    return tuple(pool)


def article_count() -> int:
    """Articles per site: ``BASE_COUNT``, or ``DOST_MIRROR_ARTICLES`` when the benchmarks set it."""
    raw = os.environ.get(ARTICLES_ENV, "").strip()
    if not raw:
        return BASE_COUNT
    if not raw.isdigit() or int(raw) < BASE_COUNT:
        raise ValueError(f"{ARTICLES_ENV} must be a whole number of at least {BASE_COUNT}, "
                         f"not {raw!r}")
    return int(raw)


@lru_cache(maxsize=1)
def _clause_pool() -> tuple[str, ...]:
    """Every seed article paragraph (the pool, seed 002, Phú Thọ's other leads) cut at
    commas and sentence ends: about 360 clauses of four words or more."""
    paragraphs = (*_paragraph_pool(), *seed_articles()["generic"]["paragraphs"],
                  *(o["lead"] for o in _phutho_others()))
    clauses = (c.strip(" .;:") for p in paragraphs for c in re.split(r"[,.;:](?:\s|$)", p))
    return tuple(c for c in clauses if len(c.split()) >= 4)


def _recombined(rng: random.Random) -> tuple[str, ...]:
    """Three paragraphs of 2–4 sentences of 1–3 clauses drawn from the clause pool."""
    pool = _clause_pool()
    paragraphs = []
    for _ in range(3):
        sentences = (", ".join(rng.sample(pool, rng.randint(1, 3)))
                     for _ in range(rng.randint(2, 4)))
        paragraphs.append(" ".join(s[0].upper() + s[1:] + "." for s in sentences))
    return tuple(paragraphs)


def _slugify(title: str) -> str:
    from core.fold import fold

    return re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")[:90]


def build_articles(site: str, categories: tuple[str, ...], *, newest: datetime,
                   first_id: int, scenario: str = "base") -> list[MirrorArticle]:
    """Articles of ``site``, newest first; deterministic for a given site and scenario."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    rng = random.Random(site)
    pool = _paragraph_pool()
    arts: list[MirrorArticle] = []
    real = seed_articles().get(site)
    others = _phutho_others() if site == "phutho" else []
    when = newest
    count = article_count()
    for i in range(count):
        title = TITLE_BANK[i % len(TITLE_BANK)]
        if i < BASE_COUNT:
            when = when - timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 8))
            paragraphs = tuple(rng.sample(pool, 3))
        else:  # the benchmarks' extra articles (module docstring)
            when = when - timedelta(hours=rng.randint(2, 30))
            paragraphs = _recombined(rng)
            title += f" (đợt {i // len(TITLE_BANK)})"
        title = title.format(y=when.year, n=i + 1)
        art = MirrorArticle(
            id=first_id + count - i, slug="", title=title, published=when,
            category=categories[i % len(categories)], paragraphs=paragraphs,
            summary=paragraphs[0][:160].rsplit(" ", 1)[0] + "…",
            author=AUTHORS[i % len(AUTHORS)], view_count=rng.randint(20, 900))
        if i < len(others):
            o = others[i]
            art = replace(art, title=o["title"], published=o["published"],
                          paragraphs=(o["lead"], *paragraphs[1:]), summary=o["lead"])
        arts.append(art)
    if real:
        # The seed article sits among the others at its real date.
        arts[len(others)] = replace(arts[len(others)], **real, summary="")
    arts.sort(key=lambda a: a.published, reverse=True)
    arts = [replace(a, slug=_slugify(a.title)) for a in arts]
    if scenario == "update":
        arts = _updated(arts, categories, first_id + count - BASE_COUNT)
    return arts


def _updated(arts: list[MirrorArticle], categories: tuple[str, ...],
             first_id: int) -> list[MirrorArticle]:
    """3 new articles on top; the 2 newest old ones get a corrected title and a new line."""
    edited = [replace(a, title=a.title + " (cập nhật)",
                      paragraphs=(*a.paragraphs, "Bài viết được cập nhật thêm thông tin."))
              for a in arts[:2]]
    top = arts[0].published
    new = [MirrorArticle(
        id=first_id + BASE_COUNT + 1 + k, slug="",
        title=f"Tin mới số {k + 1}: hội nghị chuyển đổi số ngành khoa học và công nghệ",
        published=top + timedelta(days=k + 1), category=categories[k % len(categories)],
        paragraphs=(_paragraph_pool()[k], _paragraph_pool()[k + 3]), author="Minh Anh")
        for k in range(3)]
    new = [replace(a, slug=_slugify(a.title)) for a in new]
    return sorted(new + edited + arts[2:], key=lambda a: a.published, reverse=True)
