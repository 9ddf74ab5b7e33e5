import unicodedata

import pytest

from core.fold import fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đồng chí", "dong chi"),
        ("đường", "duong"),
        ("hoá học", "hoa hoc"),
        ("hóa học", "hoa hoc"),
        ("thuỷ lợi", "thuy loi"),
        ("thủy lợi", "thuy loi"),
        ("Công nghệ", "cong nghe"),          # ệ carries two marks
        ("KH&CN", "kh&cn"),
        ("SỞ KHOA HỌC VÀ CÔNG NGHỆ", "so khoa hoc va cong nghe"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_tone_placement_styles_fold_to_one_key():
    assert fold("hoà") == fold("hòa") and fold("Thuỷ") == fold("Thủy")


def test_nfd_input_folds_like_nfc():
    nfd = unicodedata.normalize("NFD", "Nghệ An")
    assert fold(nfd) == fold("Nghệ An") == "nghe an"


@pytest.mark.parametrize(
    "text", ["Đồng chí Vũ Việt Văn — 15/11/2021", "Ánh Nguyệt - Tú Hảo", "ǅ ﬁ İstanbul"]
)
def test_folding_keeps_length_so_offsets_map_back(text):
    nfc = unicodedata.normalize("NFC", text)
    assert len(fold(nfc)) == len(nfc)


def test_distinct_words_merge_only_by_marks():
    # Folding merges án/an (the known cost); it must not merge different base letters.
    assert fold("án") == fold("an")
    assert fold("đá") != fold("ba")
