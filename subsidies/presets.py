"""City presets for new programmes (DOMAIN.md §6). They only fill the form: every value stays a
setting of the programme, editable by the bureau. Amounts in yuan, rates as fractions."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from bookings.models import ServiceWay

from .models import Mode, SettlementCycle, TierCondition

ALL_WAYS = [ServiceWay.USER_OPERATES, ServiceWay.GUIDED, ServiceWay.COMMISSION, ServiceWay.REMOTE]
EXCLUDED = ["certification", "enforcement", "commercial", "medical"]

PRESETS = {
    # Qingdao: enterprises registered in the city doing R&D; 10% of fees, 20% for high-tech firms;
    # 500,000 yuan per enterprise per year; providers 10% of external fees up to 2,000,000 a year;
    # instruments from Qingdao's own large-instrument line of 200,000 yuan; yearly settlement.
    "qingdao": {
        "label": _("Qingdao (reimbursement)"),
        "fields": {
            "mode": Mode.REIMBURSEMENT,
            "base_rate": Decimal("0.1000"),
            "cap_per_application": None,
            "cap_per_enterprise": Decimal("500000.00"),
            "cap_counts_group": True,
            "provider_reward_rate": Decimal("0.1000"),
            "provider_reward_cap": Decimal("2000000.00"),
            "eligible_unit_types": ["enterprise"],
            "eligible_scales": [],
            "eligible_service_ways": ALL_WAYS,
            "excluded_purposes": EXCLUDED,
            "min_instrument_value": Decimal("200000.00"),
            "providers_in_region": True,
            "region_city": "青岛市",
            "settlement_cycle": SettlementCycle.YEARLY,
            "notice_days": 7,
        },
        "tiers": [(TierCondition.HIGH_TECH, Decimal("0.2000"))],
    },
    # Chongqing: city-registered legal persons; 10%, 20% for members on the programme's list, 30%
    # for services of plan projects, the highest tier only; 50,000 yuan per application; no
    # provider reward; settled twice a year.
    "chongqing": {
        "label": _("Chongqing (reimbursement)"),
        "fields": {
            "mode": Mode.REIMBURSEMENT,
            "base_rate": Decimal("0.1000"),
            "cap_per_application": Decimal("50000.00"),
            "cap_per_enterprise": None,
            "cap_counts_group": True,
            "provider_reward_rate": None,
            "provider_reward_cap": None,
            "eligible_unit_types": [],
            "eligible_scales": [],
            "eligible_service_ways": ALL_WAYS,
            "excluded_purposes": EXCLUDED,
            "min_instrument_value": Decimal("0.00"),
            "providers_in_region": True,
            "region_city": "重庆市",
            "settlement_cycle": SettlementCycle.HALF_YEARLY,
            "notice_days": 7,
        },
        "tiers": [(TierCondition.LISTED, Decimal("0.2000")), (TierCondition.PLAN_PROJECT, Decimal("0.3000"))],
    },
    # Shanghai voucher (创新券): city-registered tech SMEs; the voucher pays 50% of the fee; 500,000
    # yuan per enterprise per year (100,000 per team: teams are not modelled yet); redeemed
    # quarterly; a year's validity.
    "shanghai": {
        "label": _("Shanghai (innovation voucher)"),
        "fields": {
            "mode": Mode.VOUCHER,
            "base_rate": Decimal("0.5000"),
            "cap_per_application": None,
            "cap_per_enterprise": Decimal("500000.00"),
            "cap_counts_group": True,
            "provider_reward_rate": None,
            "provider_reward_cap": None,
            "eligible_unit_types": ["enterprise"],
            "eligible_scales": ["medium", "small", "micro"],
            "eligible_service_ways": ALL_WAYS,
            "excluded_purposes": EXCLUDED,
            "min_instrument_value": Decimal("300000.00"),
            "providers_in_region": True,
            "region_city": "上海市",
            "settlement_cycle": SettlementCycle.QUARTERLY,
            "notice_days": 7,
            "voucher_validity_days": 365,
        },
        "tiers": [],
    },
    # Shandong voucher: SMEs; 40% of the fee (60% in the regions the province names: a higher
    # rate for the programme's own list); 500,000 yuan a year; redeemed monthly.
    "shandong": {
        "label": _("Shandong (innovation voucher)"),
        "fields": {
            "mode": Mode.VOUCHER,
            "base_rate": Decimal("0.4000"),
            "cap_per_application": None,
            "cap_per_enterprise": Decimal("500000.00"),
            "cap_counts_group": True,
            "provider_reward_rate": None,
            "provider_reward_cap": None,
            "eligible_unit_types": ["enterprise"],
            "eligible_scales": ["medium", "small", "micro"],
            "eligible_service_ways": ALL_WAYS,
            "excluded_purposes": EXCLUDED,
            "min_instrument_value": Decimal("0.00"),
            "providers_in_region": True,
            "region_city": "",
            "settlement_cycle": SettlementCycle.MONTHLY,
            "notice_days": 7,
            "voucher_validity_days": 365,
        },
        "tiers": [(TierCondition.LISTED, Decimal("0.6000"))],
    },
}


def preset_choices():
    return [(key, preset["label"]) for key, preset in PRESETS.items()]
