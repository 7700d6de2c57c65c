"""What goes into the index and how: indicators, directions, weights, normalisation, bootstrap.

Defaults give the two web-measured sub-indices with equal weights. A TOML file (see
``indicators/index.example.toml``) changes weights or directions, drops indicators (weight 0)
and adds indicators from official statistics, read from a CSV keyed by AGS, in further
sub-indices such as "Infrastruktur" or "Forschung".
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from indicators.aggregate import MIN_REACHED
from indicators.agscsv import read_ags_table
from indicators.normalise import METHODS

COMPANIES, EMPLOYMENT = "Unternehmen", "Beschäftigung"


@dataclass(frozen=True)
class IndicatorSpec:
    name: str
    subindex: str
    direction: int = 1          # +1: more is better, -1: less is better
    weight: float = 1.0         # relative weight inside its sub-index


DEFAULT_INDICATORS = (
    IndicatorSpec("digital_share", COMPANIES),
    IndicatorSpec("mean_digital_affinity", COMPANIES),
    IndicatorSpec("startups_per_1000", COMPANIES),
    IndicatorSpec("ai_hiring_company_share", EMPLOYMENT),
    IndicatorSpec("ai_job_ad_share", EMPLOYMENT),
)


@dataclass(frozen=True)
class IndexSettings:
    indicators: tuple[IndicatorSpec, ...] = DEFAULT_INDICATORS
    subindex_weights: dict[str, float] = field(default_factory=dict)  # missing: 1
    normalisation: str = "minmax"
    min_reached: int = MIN_REACHED
    replicates: int = 1000
    seed: int = 0
    classifier_probabilities: bool = False
    confidence: float = 0.9
    external: dict[str, dict[str, float]] = field(default_factory=dict)
    external_source: str = ""
    source: str = "defaults"

    @property
    def subindices(self) -> list[str]:
        """Sub-index names in order of first appearance."""
        return list(dict.fromkeys(s.subindex for s in self.indicators))

    def weights_of(self, subindex: str) -> dict[str, float]:
        """Indicator weights inside *subindex*, normalised to sum to one."""
        raw = {s.name: s.weight for s in self.indicators if s.subindex == subindex}
        return normalised(raw)

    def overall_weights(self) -> dict[str, float]:
        return normalised({s: self.subindex_weights.get(s, 1.0) for s in self.subindices})


class SettingsError(ValueError):
    """The index configuration is unusable; the message names the key and the file."""


def normalised(weights: dict[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    if total <= 0:
        raise SettingsError(f"weights must sum to more than 0: {weights}")
    return {k: w / total for k, w in weights.items()}


def _indicator(entry: dict, where: str, default: IndicatorSpec | None) -> IndicatorSpec:
    unknown = set(entry) - {"name", "subindex", "direction", "weight"}
    if unknown:
        raise SettingsError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if default is None and "subindex" not in entry:
        raise SettingsError(f"{where}: new indicator {entry['name']!r} needs a subindex")
    spec = replace(default or IndicatorSpec(entry["name"], entry["subindex"]),
                   **{k: v for k, v in entry.items() if k != "name"})
    if spec.direction not in (1, -1):
        raise SettingsError(f"{where}: direction must be 1 or -1, not {spec.direction!r}")
    if not isinstance(spec.weight, int | float) or spec.weight < 0:
        raise SettingsError(f"{where}: weight must be a number >= 0, not {spec.weight!r}")
    return spec


def load_settings(path: Path | None = None, **overrides) -> IndexSettings:
    """Settings from a TOML file (or the defaults), then non-None *overrides* (CLI options)."""
    settings = IndexSettings()
    if path is not None:
        settings = _from_toml(Path(path))
    given = {k: v for k, v in overrides.items() if v is not None}
    settings = replace(settings, **given)
    if settings.normalisation not in METHODS:
        raise SettingsError(f"normalisation must be one of {', '.join(METHODS)}, "
                            f"not {settings.normalisation!r}")
    if settings.replicates < 0 or not 0 < settings.confidence < 1:
        raise SettingsError("replicates must be >= 0 and confidence between 0 and 1")
    return settings


def _from_toml(path: Path) -> IndexSettings:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read the configuration ({exc})") from None
    allowed = {"normalisation", "min_reached", "external_csv", "bootstrap", "subindices",
               "indicator"}
    if set(data) - allowed:
        raise SettingsError(f"{path}: unknown key(s) {', '.join(sorted(set(data) - allowed))}")
    specs = {s.name: s for s in DEFAULT_INDICATORS}
    for n, entry in enumerate(data.get("indicator", []), start=1):
        where = f"{path}: [[indicator]] #{n}"
        if not isinstance(entry, dict) or "name" not in entry:
            raise SettingsError(f"{where}: needs a name")
        specs[entry["name"]] = _indicator(entry, where, specs.get(entry["name"]))
    boot = data.get("bootstrap", {})
    if set(boot) - {"replicates", "seed", "classifier_probabilities", "confidence"}:
        raise SettingsError(f"{path}: [bootstrap] knows replicates, seed, "
                            "classifier_probabilities, confidence")
    external, source = {}, ""
    if "external_csv" in data:
        source = str((path.parent / data["external_csv"]).resolve())
        external = read_ags_table(Path(source))
    active = tuple(s for s in specs.values() if s.weight > 0)
    if not active:
        raise SettingsError(f"{path}: every indicator has weight 0")
    return IndexSettings(
        indicators=active, subindex_weights=dict(data.get("subindices", {})),
        normalisation=data.get("normalisation", "minmax"),
        min_reached=int(data.get("min_reached", MIN_REACHED)), external=external,
        external_source=source, source=str(path), **boot)
