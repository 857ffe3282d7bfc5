"""The marketplace's stores: code, name, marketplace id and the phone region (domain.md section 4).

Store codes are the marketplace's own (``UK``, not ISO ``GB``), so the phone region is mapped
explicitly rather than derived.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoreInfo:
    code: str
    name: str
    marketplace_id: str
    region: str  # default region for phonenumbers


STORES: tuple[StoreInfo, ...] = (
    StoreInfo("US", "United States", "ATVPDKIKX0DER", "US"),
    StoreInfo("CA", "Canada", "A2EUQ1WTGCTBG2", "CA"),
    StoreInfo("MX", "Mexico", "A1AM78C64UM0Y8", "MX"),
    StoreInfo("BR", "Brazil", "A2Q3Y263D00KWC", "BR"),
    StoreInfo("UK", "United Kingdom", "A1F83G8C2ARO7P", "GB"),
    StoreInfo("DE", "Germany", "A1PA6795UKMFR9", "DE"),
    StoreInfo("FR", "France", "A13V1IB3VIYZZH", "FR"),
    StoreInfo("IT", "Italy", "APJ6JRA9NG5V4", "IT"),
    StoreInfo("ES", "Spain", "A1RKKUPIHCS9HS", "ES"),
    StoreInfo("NL", "Netherlands", "A1805IZSGTT6HS", "NL"),
    StoreInfo("SE", "Sweden", "A2NODRKZP88ZB9", "SE"),
    StoreInfo("PL", "Poland", "A1C3SOZRARQ6R3", "PL"),
    StoreInfo("BE", "Belgium", "AMEN7PMS3EDWL", "BE"),
    StoreInfo("IE", "Ireland", "A28R8C7NBKEWEA", "IE"),
    StoreInfo("TR", "Turkey", "A33AVAJ2PDY3EV", "TR"),
    StoreInfo("EG", "Egypt", "ARBP9OOSHTCHU", "EG"),
    StoreInfo("SA", "Saudi Arabia", "A17E79C6D8DWNP", "SA"),
    StoreInfo("AE", "United Arab Emirates", "A2VIGQ35RCS4UG", "AE"),
    StoreInfo("IN", "India", "A21TJRUUN4KGV", "IN"),
    StoreInfo("ZA", "South Africa", "AE08WJ6YKNBMC", "ZA"),
    StoreInfo("JP", "Japan", "A1VC38T7YXB528", "JP"),
    StoreInfo("AU", "Australia", "A39IBJ37TRP1C6", "AU"),
    StoreInfo("SG", "Singapore", "A19VAU5U5O7RUS", "SG"),
)

BY_CODE: dict[str, StoreInfo] = {s.code: s for s in STORES}
BY_MARKETPLACE_ID: dict[str, StoreInfo] = {s.marketplace_id: s for s in STORES}

#: Stores where the program runs unless an operator enables more.
DEFAULT_ENABLED: frozenset[str] = frozenset({"US", "CA"})
