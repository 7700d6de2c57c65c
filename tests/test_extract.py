"""Page extraction: text, title, date and language from one parse, robust to hostile HTML."""

import pytest

from crawler.extract import extract

IMPRESSUM = """<html lang="de"><head>
<title> Impressum –  Bäckerei Sonnenschein</title>
<meta property="article:published_time" content="2025-03-04">
</head><body><nav><a href="/">Start</a> <a href="/kontakt">Kontakt</a></nav>
<h1>Impressum</h1>
<p>Bäckerei Sonnenschein GmbH, Kortumstraße 12, 44787 Bochum. Geschäftsführer: Peter Müller.
Handelsregister HRB 1234, Amtsgericht Bochum. Wir backen seit 1952 Brot und Brötchen für die
Menschen im Ruhrgebiet, mit Mehl aus der Region und viel Geduld für den Sauerteig.</p>
</body></html>"""


def test_text_title_date_and_language_of_a_page():
    page = extract(IMPRESSUM, "http://www.sonnenschein.test/impressum")
    assert page.title == "Impressum – Bäckerei Sonnenschein"
    assert page.date == "2025-03-04"
    assert page.lang == "de"
    assert "Kortumstraße 12" in page.text and "Sauerteig" in page.text
    assert "Kontakt" not in page.text  # navigation is not main text


def test_og_title_wins_and_english_is_recognised():
    html = ("<html><head><title>Home | Acme</title><meta property='og:title' content='Acme Robotics'>"
            "</head><body><article><p>We build inspection robots for sewer pipes and sell the "
            "analysis software as a subscription to utilities across Europe.</p></article>"
            "</body></html>")
    page = extract(html)
    assert page.title == "Acme Robotics" and page.lang == "en" and page.date is None


@pytest.mark.parametrize("html", ["", "<html>", "\x00\x01\x02" * 100, "<p>" * 5000,
                                  "<html><head><title></title></head><body></body></html>"])
def test_hostile_or_empty_html_gives_a_result_not_an_error(html):
    page = extract(html, "http://x.test/")
    assert isinstance(page.text, str) and page.title in (None, "")
