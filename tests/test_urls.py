import pytest

from ruhrindex.urls import InvalidURL, normalise_url, registered_domain


@pytest.mark.parametrize("raw, expected", [
    ("www.Firma.de", "http://www.firma.de/"),
    ("HTTPS://Firma.de:443/", "https://firma.de/"),
    ("http://firma.de/about/", "http://firma.de/about"),
    ("müller.de", "http://xn--mller-kva.de/"),
    ("  https://shop.firma.co.uk/#top ", "https://shop.firma.co.uk/"),
    ("http://firma.de:8080", "http://firma.de:8080/"),
])
def test_normalise(raw, expected):
    assert normalise_url(raw) == expected


@pytest.mark.parametrize("raw", ["", "info@firma.de", "firma", "ftp://firma.de",
                                 "http://fir ma.de", "http://-firma.de", "n/a",
                                 "http://firma.unknowntld"])
def test_malformed(raw):
    with pytest.raises(InvalidURL):
        normalise_url(raw)


def test_registered_domain_ignores_www_scheme_and_subdomains():
    keys = {registered_domain(u) for u in ["http://www.firma.de/", "https://firma.de/x",
                                            "https://shop.firma.de"]}
    assert keys == {"firma.de"}
    assert registered_domain("https://www.firma.co.uk/") == "firma.co.uk"
    assert registered_domain("http://www.baeckerei.test/") == "baeckerei.test"
