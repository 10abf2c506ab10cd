"""`make screenshots` (tests/e2e/screenshots.py): each page saved whole at both widths."""

import struct

from .screenshots import WIDTHS, crawl, file_name, write_index


def png_width(path) -> int:
    return struct.unpack(">I", path.read_bytes()[16:20])[0]


def test_pages_are_named_after_their_path():
    assert file_name("/") == "accueil"
    assert file_name("/evenements/12/table-ronde/") == "evenements-12-table-ronde"


def test_the_crawl_saves_each_page_at_both_widths_and_indexes_them(page, tmp_path):
    files, problems = crawl(page, tmp_path / "anonyme", limit=3)

    assert problems == []
    assert len(files) == 3 and "/" in files
    for width in WIDTHS:
        shot = tmp_path / "anonyme" / f"accueil-{width}.png"
        assert png_width(shot) == width
    index = write_index(tmp_path, {"anonyme": files}).read_text()
    assert "anonyme/accueil-360.png" in index
