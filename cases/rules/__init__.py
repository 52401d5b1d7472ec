"""The jurisdiction rules engine: pure functions over plain data, every amount a Figure.

No database and no Django: callers pass dates, Decimals, a profile (``get_profile``) and a
``RateTable``, and get back :class:`Figure` objects that carry their rule, profile version and
a sentence a person can check. Numbers live in the profiles (``profiles.py``), never in code.
"""

from .costs import (
    ClaimForCosts,
    CollectionCharges,
    collection_charges,
    collection_claim_size,
    collection_cost_cap,
)
from .explain import Figure, round_fraction, round_money
from .fees import (
    b2b_compensation,
    handover_fee,
    reminder_fee,
    warning_deadline,
    warning_deadline_date,
)
from .interest import day_count, interest_owed, interest_start
from .limitation import (
    ComponentLimitation,
    component_limitations,
    is_time_barred,
    limitation_date,
    limitation_warning_date,
)
from .profile import IncompleteProfile, JurisdictionProfile
from .profiles import DEFAULT_DK_RATES, PROFILES, UnknownProfile, get_profile
from .rates import MissingRate, RateEntry, RateTable, boundaries_between, half_year_start

__all__ = [
    "DEFAULT_DK_RATES",
    "PROFILES",
    "ClaimForCosts",
    "CollectionCharges",
    "ComponentLimitation",
    "Figure",
    "IncompleteProfile",
    "JurisdictionProfile",
    "MissingRate",
    "RateEntry",
    "RateTable",
    "UnknownProfile",
    "b2b_compensation",
    "boundaries_between",
    "collection_charges",
    "collection_claim_size",
    "collection_cost_cap",
    "component_limitations",
    "day_count",
    "get_profile",
    "half_year_start",
    "handover_fee",
    "interest_owed",
    "interest_start",
    "is_time_barred",
    "limitation_date",
    "limitation_warning_date",
    "reminder_fee",
    "round_fraction",
    "round_money",
    "warning_deadline",
    "warning_deadline_date",
]
