"""The template filters the builder added: file sizes people can read, and long URLs that wrap between their parts."""
import pytest

from dashboard.templating import _breakable, _file_size


@pytest.mark.parametrize(("size", "shown"), [
    (0, "0 bytes"), (1, "1 byte"), (31, "31 bytes"), (1023, "1,023 bytes"), (1024, "1 KB"), (2458, "2.4 KB"),
    (150 * 1024, "150 KB"), (1258291, "1.2 MB"), (5 * 1024 ** 3, "5 GB"), (None, "—"),
])
def test_file_sizes(size, shown):
    assert _file_size(size) == shown


def test_urls_break_after_their_separators_and_stay_escaped():
    assert str(_breakable("https://a.example/x?q=<b>&y=1")) == (
        "https:/<wbr>/<wbr>a.<wbr>example/<wbr>x?<wbr>q=<wbr>&lt;b&gt;&amp;<wbr>y=<wbr>1")
    assert str(_breakable(None)) == ""
