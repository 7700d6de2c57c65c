"""Interpretable term lists: digital technologies/business models and an AI-skill taxonomy.

The AI-skill list follows the OECD keyword approach (Baruffaldi et al. 2020) and the skill
list of Acemoglu et al. (2022), translated and extended to German. Patterns use word
boundaries, and ambiguous short forms ("KI", "AI") are matched only as standalone tokens or
compounds ("KI-gestützt"), never inside words such as "Kita", "KIT" or "Kiosk".
"""

from __future__ import annotations

import re
from collections import Counter

_B = r"(?<![\w])"  # left word boundary that also works before umlauts
_E = r"(?![\w])"

DIGITAL_TERMS: dict[str, str] = {
    "online shop": r"online-?shops?|webshops?|e-?commerce|marktpl(?:a|ä)tze?|marketplaces?",
    "saas / cloud": r"saas|software as a service|cloud\w*|rechenzentr\w*|hosting|data ?cent(?:er|re)s?",
    "software": r"software\w*|softwareentwickl\w*|programmier\w*|entwickl\w+ (?:apps?|software)",
    "app": r"apps?|ios|android|web-?apps?|mobile apps?",
    "api / integration": r"apis?|schnittstellen?|rest-?apis?|edi|webservices?",
    "iot / industrie 4.0": r"iot|internet der dinge|industrie 4\.0|digitale[rn]? zwillinge?|"
                           r"sensorik|opc ua|vernetzte",
    "ai / data": r"(?-i:KI)|künstliche intelligenz|machine learning|maschinelle[sn]? lernen\w*|"
                 r"data science|datenanalyse\w*|data analytics|big data|algorithm\w*|prognose\w*",
    "digital services": r"digitali\w+|digitale[rn]? (?:dienst\w*|plattform\w*|lösung\w*)|"
                        r"plattform\w*|online-?portal\w*|kundenportal\w*|webportal\w*",
    "it security": r"it-?sicherheit|cyber\w*|penetrationstests?|security",
    "web / marketing": r"webdesign|webentwicklung|suchmaschinen\w*|seo|social[- ]media|"
                       r"online-?marketing|performance-?marketing",
}

AI_SKILLS: dict[str, str] = {
    "künstliche intelligenz": r"künstliche[rn]? intelligenz|artificial intelligence",
    # case-sensitive: lower-case "ki"/"ai" are name parts and typos, not the abbreviation
    "ki (standalone)": r"(?-i:KI|AI)(?:-\w+)?",
    "maschinelles lernen": r"maschinelle[sn]? lernen\w*|machine[- ]learning",
    "deep learning": r"deep[- ]learning",
    "neuronale netze": r"neuronale[rn]? netz\w*|neural networks?|convolutional neural networks?",
    # "NLP" alone is also neuro-linguistic programming in coaching ads
    "nlp / sprachverarbeitung": r"natural language processing|nlp(?![- ]?(?:coach|practitioner|"
                                r"master|trainer|ausbildung))|sprachverarbeitung|text mining|"
                                r"computerlinguistik|sentiment[- ]?analys\w+|stimmungsanalyse\w*|"
                                r"machine translation|maschinelle[n]? übersetzung\w*",
    "computer vision / bildverarbeitung": r"computer vision|machine vision|bildverarbeitung|"
                                          r"maschinelle[sn]? sehen|objekterkennung|bilderkennung|"
                                          r"image recognition|object recognition|opencv",
    # "RAG" alone is also the Ruhr coal company (RAG AG, RAG-Stiftung)
    "llm / generative ki": r"llms?|large language models?|große[n]? sprachmodell\w*|sprachmodell\w*|"
                           r"generative[rn]? (?:ki|ai)|gpt-?\d?|rag(?=[- ](?:pipelines?|systeme?|"
                           r"architektur\w*|anwendung\w*))|retrieval[- ]augmented generation|"
                           r"prompt engineering",
    "frameworks": r"tensorflow(?: lite)?|pytorch|keras|scikit-learn|hugging ?face|transformers|"
                  r"langchain|xgboost|spacy|mxnet|caffe|theano|mahout|libsvm|word2vec",
    "ml methods": r"(?:un)?überwachte[sn]? lernen|(?:un)?supervised learning|"
                  r"support vector machines?|random forests?|gradient boosting|kernel methods?|"
                  r"latent dirichlet allocation|latent semantic analysis|"
                  r"mustererkennung|pattern recognition",
    "reinforcement learning": r"reinforcement[- ]learning|bestärkende[sn]? lernen",
    "data science": r"data scien\w+|data mining|predictive analytics|predictive model\w*|"
                    r"prognosemodell\w*|anomalieerkennung|anomaly detection|empfehlungssystem\w*|"
                    r"recommender systems?",
    "speech": r"spracherkennung|speech recognition|sprachsynthese|chatbots?|sprachassistent\w*|"
              r"virtual agents?|virtuelle[rn]? assistent\w*",
    "robotics / autonomy": r"autonome[rn]? (?:navigation|fahren|systeme)|autonomous driving|robotik",
}


def _compile(lexicon: dict[str, str]) -> dict[str, re.Pattern]:
    return {name: re.compile(_B + f"(?:{pattern})" + _E, re.IGNORECASE)
            for name, pattern in lexicon.items()}


DIGITAL_PATTERNS = _compile(DIGITAL_TERMS)
AI_PATTERNS = _compile(AI_SKILLS)


def match_terms(text: str, patterns: dict[str, re.Pattern]) -> Counter:
    """Count matches per category of *patterns* in *text*."""
    return Counter({name: len(p.findall(text)) for name, p in patterns.items() if p.search(text)})


def matched_skills(text: str) -> list[str]:
    """The AI-skill categories an ad mentions (sorted, each once)."""
    return sorted(match_terms(text, AI_PATTERNS))
