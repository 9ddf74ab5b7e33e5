"""Both FTS indexes: folded (accents, đ, tone placement ignored) and exact."""

import pytest

from storage import QueryError
from storage.search import make_snippet, prepare_query, query_terms

BODIES = {
    "a1": ("Đồng chí Giám đốc Sở làm việc", "Đồng chí Giám đốc Sở KH&CN làm việc về hoá học."),
    "a2": ("Hội thảo hóa học ứng dụng", "Hội thảo về hóa học và thủy lợi tại Sơn La."),
    "a3": ("Thuỷ lợi nội đồng", "Dự án thuỷ lợi nội đồng ở Phú Thọ, nguồn most.gov.vn."),
}


@pytest.fixture
def filled(archive, make_article):
    for i, (slug, (title, body)) in enumerate(BODIES.items()):
        url = f"https://sokhcn.sonla.gov.vn/{slug}"
        archive.upsert_article(make_article(
            url=url, canonical_url=url, title=title, body_text=body,
            published_at=f"2023-0{i + 1}-15T08:00:00+07:00"))
    return archive


def titles(hits):
    return sorted(h.title for h in hits)


def test_unaccented_query_finds_accented_text(filled):
    assert titles(filled.search("dong chi")) == ["Đồng chí Giám đốc Sở làm việc"]


@pytest.mark.parametrize("query", ["hoa hoc", "hoá học", "hóa học", "HOÁ HỌC"])
def test_tone_placement_does_not_matter_in_folded_search(filled, query):
    assert titles(filled.search(query)) == ["Hội thảo hóa học ứng dụng",
                                            "Đồng chí Giám đốc Sở làm việc"]


@pytest.mark.parametrize("query", ["thuy loi", "thủy lợi", "thuỷ lợi"])
def test_thuy_loi_every_spelling(filled, query):
    assert len(filled.search(query)) == 2


def test_exact_search_keeps_accents_apart(filled):
    assert titles(filled.search("hoá", exact=True)) == ["Đồng chí Giám đốc Sở làm việc"]
    assert titles(filled.search("hóa", exact=True)) == ["Hội thảo hóa học ứng dụng"]
    assert filled.search("dong chi", exact=True) == []


def test_accented_query_ranks_exact_matches_first(filled):
    hits = filled.search("hóa học")
    assert hits[0].title == "Hội thảo hóa học ứng dụng" and hits[0].exact
    assert not hits[1].exact


def test_filters_and_limit(filled):
    assert len(filled.search("thuy loi", date_from="2023-03-01")) == 1
    assert len(filled.search("thuy loi", date_to="2023-02-15")) == 1  # whole day included
    assert len(filled.search("thuy loi", site="other")) == 0
    assert len(filled.search("thuy loi", limit=1)) == 1


def test_joined_words_and_operators(filled):
    assert len(filled.search("KH&CN")) == 1
    assert len(filled.search("most.gov.vn")) == 1
    assert len(filled.search("dong OR thuy")) == 3
    assert len(filled.search('"hoa hoc" NOT thuy')) == 1
    assert len(filled.search("thu*")) == 2   # thủy and thuỷ; "thảo" is not a "thu" prefix
    assert len(filled.search("title:dong")) == 2  # "Đồng chí…" and "…nội đồng"
    assert len(filled.search("NEAR(hoa loi, 5)")) == 1


def test_snippet_marks_original_accented_words(filled):
    hit = filled.search("dong chi")[0]
    assert "**Đồng chí**" not in hit.snippet  # terms are marked one by one
    assert "**Đồng** **chí**" in hit.snippet


@pytest.mark.parametrize(
    "query",
    ['"unclosed', "a OR", "NEAR(", "'; DROP TABLE articles; --", "1=1 --", "AND", "title:", ""],
)
def test_unrunnable_queries_are_query_errors(filled, query):
    with pytest.raises(QueryError):
        filled.search(query)
    assert filled.db["articles"].count == 3  # and nothing happened to the data


def test_prepare_query_folds_terms_not_operators():
    assert prepare_query("Đồng OR Chí", folded=True) == "dong OR chi"
    assert prepare_query("KH&CN*", folded=True) == '"kh&cn"*'
    assert prepare_query("Đồng", folded=False) == "Đồng"


def test_make_snippet_window_and_terms():
    text = "Mở đầu. " * 40 + "Đoạn có Thủy lợi ở giữa." + " Kết thúc." * 40
    snip = make_snippet(text, query_terms("thuy loi"), width=80)
    assert "**Thủy** **lợi**" in snip and snip.startswith("…") and snip.endswith("…")
    assert len(snip) < 120
