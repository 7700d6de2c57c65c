import pytest

from classifier.founding import extract_founding_year
from classifier.lexicon import DIGITAL_PATTERNS, match_terms, matched_skills

PHRASINGS = [
    ("Die Firma wurde 1998 gegründet.", 1998),
    ("Gegründet 2021 von zwei Ingenieurinnen.", 2021),
    ("gegründet im Jahr 2019 in Bochum", 2019),
    ("Gründungsjahr: 2015", 2015),
    ("Gründungsjahr 1962 – seitdem in Familienhand", 1962),
    ("Seit 1969 verkaufen und reparieren wir Fahrzeuge.", 1969),
    ("Tradition seit 1890", 1890),
    ("Founded in 2018, we build software.", 2018),
    ("Established 2004 in Essen.", 2004),
    ("Est. 1911", 1911),
    ("Die Brüder gründeten den Betrieb 1987.", 1987),
    ("2014 als Ausgründung aus der TU Dortmund entstanden", 2014),
    ("Wir haben das Unternehmen 2022 gegründet, weil …", 2022),
    ("Heinrich eröffnete die Backstube 1921 an der Faßstraße.", 1921),
    ("Malermeister Jansen machte sich 1999 selbstständig.", 1999),
    ("Gründung: 03/2020, Eintragung ins Handelsregister folgte.", 2020),
    ("Since 1995 the family has run the hotel.", 1995),
    ("Die Kanzlei wurde 1983 gegründet und 2010 erweitert.", 1983),
    ("Gegründet am 15.03.2019 in Gelsenkirchen.", 2019),
    ("Gründungsdatum: 01.04.2017", 2017),
    ("Eintragung ins Handelsregister am 02.08.2021, Amtsgericht Bochum, HRB 19873.", 2021),
    ("Im Handelsregister eingetragen seit 2020 (HRB 31245).", 2020),
    ("Das Projekt wurde 2023 ins Leben gerufen und ist seit 2024 eine GmbH.", 2023),
    ("Launched in 2021, our app serves 40,000 users.", 2021),
    ("Unser Unternehmen seit 1952: Blumen Sievers.", 1952),
    ("Firmengründung 2016 durch Anna Kühn", 2016),
    ("Incorporated in 2020 as a GmbH in Essen.", 2020),
]


@pytest.mark.parametrize("text, year", PHRASINGS)
def test_founding_year_phrasings(text, year):
    found = extract_founding_year(text, reference_year=2026)
    assert found is not None and found.year == year
    assert str(year) in found.evidence


def test_relative_founding_is_approximate():
    found = extract_founding_year("Wir sind seit über 50 Jahren für Sie da.", reference_year=2026)
    assert found.year == 1976 and found.approximate


@pytest.mark.parametrize("text", ["Telefon 0231 2019 44", "© 2024 Firma GmbH",
                                  "Öffnungszeiten 8-18 Uhr", "Gegründet 2031"])
def test_no_founding_year(text):
    assert extract_founding_year(text, reference_year=2026) is None


SKILLS = {
    "Künstliche Intelligenz": "künstliche intelligenz",
    "Erfahrung mit KI-Modellen": "ki (standalone)",
    "maschinelles Lernen": "maschinelles lernen",
    "Machine Learning": "maschinelles lernen",
    "neuronale Netze": "neuronale netze",
    "Deep Learning": "deep learning",
    "Sprachverarbeitung (NLP)": "nlp / sprachverarbeitung",
    "Bildverarbeitung": "computer vision / bildverarbeitung",
    "Computer Vision": "computer vision / bildverarbeitung",
    "TensorFlow": "frameworks",
    "PyTorch": "frameworks",
    "LLM": "llm / generative ki",
    "generative KI": "llm / generative ki",
    "Reinforcement Learning": "reinforcement learning",
    "Spracherkennung": "speech",
    "Sentimentanalyse": "nlp / sprachverarbeitung",
    "maschinelle Übersetzung": "nlp / sprachverarbeitung",
    "Machine Vision": "computer vision / bildverarbeitung",
    "OpenCV": "computer vision / bildverarbeitung",
    "überwachtes und unüberwachtes Lernen": "ml methods",
    "Support Vector Machines": "ml methods",
    "Random Forests und Gradient Boosting": "ml methods",
    "Mustererkennung": "ml methods",
    "Latent Dirichlet Allocation": "ml methods",
    "Word2Vec": "frameworks",
    "Recommender Systems": "data science",
    "Predictive Modelling": "data science",
    "virtuelle Assistenten": "speech",
    "Autonomous Driving": "robotics / autonomy",
    "RAG-Pipelines": "llm / generative ki",
    "Natural Language Processing": "nlp / sprachverarbeitung",
}


@pytest.mark.parametrize("text, skill", SKILLS.items())
def test_taxonomy_finds_each_skill(text, skill):
    assert skill in matched_skills(f"Wir erwarten: {text}.")


@pytest.mark.parametrize("text", ["Kita Sonnenschein sucht Erzieher", "Studium am KIT",
                                  "Kiosk und Kinderkrankenpflege", "Python-Webentwicklung",
                                  "Kiel, Kinder, Kino", "Wir bieten Obst und Kaffee",
                                  "Paketdienst mit Zeitfenstern", "Förderung durch die RAG-Stiftung",
                                  "RAG Aktiengesellschaft, Essen", "Rechtsanwalt (LL.M.)",
                                  "Ausbildung zum NLP-Coach", "Die CNN berichtete",
                                  "Waikiki Beach Bar", "Kinderarzt, Klinik, Kirche"])
def test_taxonomy_false_friends(text):
    assert matched_skills(text) == []


def test_digital_lexicon_counts_categories():
    counts = match_terms("Unser Onlineshop und die App nutzen eine REST-API in der Cloud.",
                         DIGITAL_PATTERNS)
    assert {"online shop", "app", "api / integration", "saas / cloud"} <= set(counts)
    assert not match_terms("Wir backen Brot und Brötchen.", DIGITAL_PATTERNS)
