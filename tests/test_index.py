"""Normalisation, aggregation, ranks and index settings: hand-computed cases and properties."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.build import build_table
from indicators.normalise import distance_to_best, min_max, normalise, z_score
from indicators.settings import (
    IndexSettings,
    IndicatorSpec,
    SettingsError,
    load_settings,
    normalised,
)
from indicators.subindex import index_values, ranks, slug, weighted_mean
from tests.test_indicators import fill

EXAMPLE = Path(__file__).parents[1] / "indicators" / "index.example.toml"
nan = np.nan


def test_min_max_hand_computed():
    assert min_max(np.array([1.0, 3, 5])).tolist() == [0, 50, 100]
    assert min_max(np.array([1.0, 3, 5]), direction=-1).tolist() == [100, 50, 0]
    assert np.allclose(min_max(np.array([1.0, nan, 3])), [0, nan, 100], equal_nan=True)
    assert min_max(np.array([2.0, 2, 2])).tolist() == [50, 50, 50]


def test_z_score_hand_computed():
    sd = np.sqrt(8 / 3)                      # population s.d. of 1, 3, 5
    assert np.allclose(z_score(np.array([1.0, 3, 5])), [-2 / sd, 0, 2 / sd])
    assert np.allclose(z_score(np.array([1.0, 3, 5]), -1), [2 / sd, 0, -2 / sd])
    assert z_score(np.array([4.0, 4])).tolist() == [0, 0]


def test_distance_to_best_hand_computed():
    assert distance_to_best(np.array([1.0, 2, 4])).tolist() == [25, 50, 100]
    assert distance_to_best(np.array([1.0, 2, 4]), -1).tolist() == [100, 50, 25]
    assert distance_to_best(np.array([0.0, 0])).tolist() == [100, 100]
    with pytest.raises(ValueError, match="non-negative"):
        distance_to_best(np.array([-1.0, 2]))


def test_unknown_normalisation_is_refused():
    with pytest.raises(ValueError, match="unknown normalisation 'rank'"):
        normalise(np.array([1.0]), "rank")


def test_normalisation_is_per_replicate_row():
    stacked = np.array([[1.0, 2, 3], [10, 30, 20]])
    assert min_max(stacked).tolist() == [[0, 50, 100], [0, 100, 50]]


def test_weighted_mean_skips_missing_and_rescales():
    parts = np.array([[50.0, nan], [100, 0], [nan, nan]])
    result = weighted_mean(parts, np.array([0.75, 0.25]))
    assert result[:2].tolist() == [50, 75] and np.isnan(result[2])
    complete = weighted_mean(parts, np.array([0.75, 0.25]), complete=True)
    assert np.isnan(complete[0]) and complete[1] == 75


def test_ranks_hand_computed():
    assert ranks(np.array([3.0, 1, 2])).tolist() == [1, 3, 2]
    assert ranks(np.array([2.0, 2, 1])).tolist() == [1, 1, 3]
    assert np.allclose(ranks(np.array([nan, 5, 7])), [nan, 2, 1], equal_nan=True)


def test_index_hand_computed():
    setup = IndexSettings(indicators=(IndicatorSpec("a", "Unternehmen", 1, 1),
                                      IndicatorSpec("b", "Unternehmen", 1, 3),
                                      IndicatorSpec("c", "Beschäftigung", -1, 1)))
    values = {"a": np.array([0.0, 10, 5]), "b": np.array([1.0, 2, 3]),
              "c": np.array([4.0, 2, 0])}
    # a -> 0, 100, 50; b -> 0, 50, 100; c (less is better) -> 0, 50, 100
    out = index_values(values, setup)
    assert out["score_unternehmen"].tolist() == [0, 62.5, 87.5]       # .25 a + .75 b
    assert out["score_beschaeftigung"].tolist() == [0, 50, 100]
    assert out["index"].tolist() == [0, 56.25, 93.75]
    assert out["rank"].tolist() == [3, 2, 1] and out["rank_unternehmen"].tolist() == [3, 2, 1]


def test_slug():
    assert slug("Beschäftigung") == "beschaeftigung" and slug("Forschung & IT") == "forschung_it"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=60), st.sampled_from([1, -1]))
def test_min_max_stays_within_0_100(values, direction):
    out = min_max(np.array(values), direction)
    assert np.all((out >= 0) & (out <= 100))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=60, unique=True))
def test_ranks_of_distinct_scores_are_a_permutation(values):
    assert sorted(ranks(np.array(values)).tolist()) == list(range(1, len(values) + 1))


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=5), st.floats(0.01, 100), min_size=1))
def test_weights_sum_to_one_after_normalising(weights):
    assert sum(normalised(weights).values()) == pytest.approx(1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.floats(0, 1000), min_size=3, max_size=3), min_size=2, max_size=12),
       st.integers(0, 11), st.integers(0, 2), st.floats(0.01, 500),
       st.sampled_from(["minmax", "distance-to-best"]))
def test_raising_an_indicator_never_lowers_the_own_index(matrix, who, which, delta, method):
    setup = IndexSettings(indicators=(IndicatorSpec("x", "A"), IndicatorSpec("y", "A", 1, 2),
                                      IndicatorSpec("z", "B")), normalisation=method)
    data = np.array(matrix)
    who %= len(data)
    before = index_values({k: data[:, i] for i, k in enumerate("xyz")}, setup)["index"][who]
    data[who, which] += delta
    after = index_values({k: data[:, i] for i, k in enumerate("xyz")}, setup)["index"][who]
    assert after >= before - 1e-9


def test_example_configuration_gives_four_sub_indices(db):
    fill(db)
    setup = load_settings(EXAMPLE, replicates=50)
    assert setup.subindices == ["Unternehmen", "Beschäftigung", "Infrastruktur", "Forschung"]
    assert setup.weights_of("Unternehmen") == {"digital_share": 0.25,
                                              "mean_digital_affinity": 0.25,
                                              "startups_per_1000": 0.5}
    table = build_table(db, setup)
    rows = {r["name"]: r for r in table.rows}
    # Essen has official statistics but no companies: sub-index scores, no overall rank
    assert rows["Essen"]["score_unternehmen"] is None
    assert rows["Essen"]["score_infrastruktur"] is not None
    assert rows["Essen"]["index"] is None and rows["Essen"]["rank"] is None
    assert rows["Bochum"]["rank"] == 1 and rows["Bochum"]["score_forschung"] is not None
    assert [r["name"] for r in table.rows if r["rank"] is not None] == ["Bochum"]


def _write(tmp_path, text):
    path = tmp_path / "index.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, message", [
    ("colour = 'blue'\n", "unknown key"),
    ("normalisation = 'rank'\n", "normalisation must be one of"),
    ("[[indicator]]\nname = 'digital_share'\ndirection = 2\n", "direction must be 1 or -1"),
    ("[[indicator]]\nname = 'digital_share'\nweight = -1\n", "weight must be a number"),
    ("[[indicator]]\nname = 'patents'\n", "needs a subindex"),
    ("[[indicator]]\nsubindex = 'X'\n", "needs a name"),
    ("[bootstrap]\nrounds = 5\n", "knows replicates"),
    ("normalisation = \n", "cannot read the configuration"),
    ("external_csv = 'missing.csv'\n", "cannot read"),
    ("".join(f"[[indicator]]\nname = '{n}'\nweight = 0\n" for n in (
        "digital_share", "mean_digital_affinity", "startups_per_1000",
        "ai_hiring_company_share", "ai_job_ad_share")), "every indicator has weight 0"),
])
def test_bad_configuration_is_refused_clearly(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        load_settings(_write(tmp_path, text))


def test_indicator_without_data_is_refused(db, tmp_path):
    setup = load_settings(_write(tmp_path, "[[indicator]]\nname = 'patents'\nsubindex = 'F'\n"))
    with pytest.raises(SettingsError, match="patents not available"):
        build_table(db, setup)
