"""The index options shared by `ruhrindex indicators export` and `ruhrindex report`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from indicators.agscsv import AgsTableError, read_ags_table
from indicators.build import IndexTable, build_table
from indicators.geo import BoundaryError, load_boundaries
from indicators.normalise import METHODS
from indicators.settings import SettingsError, load_settings

_OPTIONS = [
    click.option("--config", type=click.Path(exists=True, dir_okay=False),
                 help="TOML file with weights, directions, external indicators "
                      "(see indicators/index.example.toml)."),
    click.option("--normalisation", type=click.Choice(list(METHODS)),
                 help="Override the normalisation (default: minmax, 0-100)."),
    click.option("--denominators", type=click.Path(exists=True, dir_okay=False),
                 help="CSV keyed by 'ags' with e.g. employees; adds per-10,000 rates."),
    click.option("--boundaries", type=click.Path(exists=True, dir_okay=False),
                 help="GeoJSON polygons (WGS84) with an AGS property, instead of centroids."),
    click.option("--replicates", type=click.IntRange(min=0),
                 help="Bootstrap replicates for the intervals (default 1000; 0: none)."),
    click.option("--seed", type=int, help="Bootstrap seed (default 0)."),
    click.option("--classifier-probabilities", is_flag=True, default=None,
                 help="Also redraw each classifier decision from its probability."),
]


def index_options(command: Callable) -> Callable:
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


def table_from_options(db, config, normalisation, denominators, boundaries, replicates, seed,
                       classifier_probabilities) -> tuple[IndexTable, dict | None]:
    """The finished table and the boundary polygons (or None); bad input -> ClickException."""
    try:
        settings = load_settings(Path(config) if config else None, normalisation=normalisation,
                                 replicates=replicates, seed=seed,
                                 classifier_probabilities=classifier_probabilities)
        rates = read_ags_table(Path(denominators)) if denominators else None
        shapes = load_boundaries(Path(boundaries)) if boundaries else None
        return build_table(db, settings, rates, str(denominators or "")), shapes
    except (SettingsError, AgsTableError, BoundaryError) as exc:
        raise click.ClickException(str(exc)) from None
