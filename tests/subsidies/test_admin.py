"""The bureau's subsidy screens in the admin: the review queue and its filters, the application page,
each decision through its admin view (one by one and in bulk), programmes from presets and their
guard on committed money, provider rewards, and the read-only ledger."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin as django_admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from subsidies import services
from subsidies.models import (
    Application,
    ApplicationLine,
    CapCounter,
    Evidence,
    LedgerEntry,
    Programme,
    ProviderReward,
    TierRule,
)
from tests.factories import UserFactory

from .factories import confirmed_application, paid_record

pytestmark = pytest.mark.django_db
S = Application.Status
QUEUE = reverse("admin:subsidies_application_changelist")


@pytest.fixture
def apply(programme, enterprise, admin, tem, provider_manager):
    """A confirmed application of the enterprise with services of these fees (10%: the subsidy)."""
    counter = {"n": 0}

    def make(*fees, unit=enterprise, who=admin):
        counter["n"] += 1
        records = [
            paid_record(instrument=tem, unit=unit, amount=fee, days_ago=20 + counter["n"] + i)
            for i, fee in enumerate(fees)
        ]
        return confirmed_application(
            programme=programme,
            admin=who,
            unit=unit,
            records=records,
            provider_manager=provider_manager,
            invoice=f"FP-{counter['n']}",
        )

    return make


@pytest.fixture
def application(apply):
    return apply("12000.00", "8000.00")  # requests 2,000.00


def decide(application, name):
    return reverse("admin:subsidies_application_decide", args=[application.pk, name])


def change(application):
    return reverse("admin:subsidies_application_change", args=[application.pk])


def shown(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def status(application):
    application.refresh_from_db()
    return application.status


# --- The queue ------------------------------------------------------------------------------------


def test_the_filtered_queue_takes_the_same_queries_for_1_and_20_applications(client, officer, apply, programme):
    client.force_login(officer)
    url = f"{QUEUE}?programme__id__exact={programme.pk}&status__exact={S.PROVIDER_CONFIRMED}&amount=lt10k"
    first = apply("3000.00")
    client.get(url)  # warm the caches (content types, sessions)

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    one, html = measure()
    assert first.number in html
    others = [apply("3000.00") for _ in range(19)]
    twenty, html = measure()
    assert all(a.number in html for a in others)
    assert one == twenty


def test_the_queue_filters_by_programme_status_district_scale_and_amount(client, officer, apply, enterprise):
    small = apply("12000.00")  # 1,200.00
    large = apply("2000000.00")  # 200,000.00 (the enterprise cap is 500,000)
    client.force_login(officer)

    def numbers(**params):
        html = client.get(QUEUE, params).content.decode()
        return {a.number for a in (small, large) if f">{a.number}<" in html}

    assert numbers() == {small.number, large.number}
    assert numbers(amount="lt10k") == {small.number}
    assert numbers(amount="gt100k") == {large.number}
    assert numbers(amount="10k-100k") == set()
    assert numbers(unit__district__id__exact=enterprise.district_id) == {small.number, large.number}
    assert numbers(unit__scale__exact="large") == set()
    assert numbers(unit__scale__exact="small") == {small.number, large.number}
    assert numbers(status__exact=S.APPROVED) == set()
    assert numbers(q=enterprise.credit_code) == {small.number, large.number}
    assert numbers(q="不存在的企业") == set()


def test_awaiting_a_decision_comes_first(client, officer, apply):
    decided = apply("1000.00")
    services.application_approve(actor=officer, application=decided)
    waiting = apply("1000.00")
    client.force_login(officer)
    html = client.get(QUEUE).content.decode()
    assert html.index(f">{waiting.number}<") < html.index(f">{decided.number}<")


def test_nothing_is_added_changed_or_deleted_by_hand(client, officer, application, admin_user):
    for user in (officer, admin_user):
        client.force_login(user)
        assert client.get(reverse("admin:subsidies_application_add")).status_code == 403
        html = client.get(change(application)).content.decode()
        assert 'name="_save"' not in html
        assert client.post(reverse("admin:subsidies_application_delete", args=[application.pk])).status_code == 403
    assert not django_admin.site.is_registered(ApplicationLine)
    assert not django_admin.site.is_registered(Evidence)


# --- The application's page ---------------------------------------------------------------------------


def png_upload(name="registration.png"):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def test_the_page_shows_services_evidence_arithmetic_caps_warnings_and_history(client, officer, application, tem):
    image = Evidence(application=application, kind="registration", original_name="登记表.png", size=100)
    image.content_type = "image/png"
    image.file.save("registration.png", png_upload(), save=True)
    client.force_login(officer)
    html = client.get(change(application)).content.decode()
    assert tem.name in html and "12,000.00" in html and "8,000.00" in html and "10%" in html
    assert "2,000.00" in html  # the subsidy as it stands
    pdf = application.evidence.get(kind="invoice")
    assert f'href="{reverse("subsidies:evidence_file", args=[pdf.pk])}"' in html
    assert f'<img src="{reverse("subsidies:evidence_file", args=[image.pk])}"' in html
    assert 'id="remaining-budget">1,000,000.00' in html
    assert 'id="remaining-cap">500,000.00' in html
    assert 'data-code="no_booking"' in html  # the factories' services have no booking
    assert 'data-code="related_phone"' in html  # and every factory unit has the same phone number
    history = html[html.index('id="history"') :]
    history = history[: history.index("</fieldset>")]
    # the stored reason "provider_confirmed: …" reads in the page's language (core.transitions.history_note)
    assert "provider_confirmed" not in history
    assert "服务单位已确认" in history or "Confirmed by the providers" in history
    # what a confirmed application can have decided now
    for name in ("start_review", "approve", "approve_part", "return", "reject"):
        assert f'id="decision-{name}"' in html
    for name in ("publicise", "pay", "claw_back", "reduce"):
        assert f'id="decision-{name}"' not in html


def test_the_queue_counts_each_rows_warnings(client, officer, application):
    client.force_login(officer)
    response = client.get(QUEUE)
    [row] = response.context["cl"].result_list
    assert row.warning_count == 2  # no booking, one phone number


# --- Decisions one by one ---------------------------------------------------------------------------


def test_start_the_review_then_approve_in_full(client, officer, application, programme):
    client.force_login(officer)
    assert application.number in client.get(decide(application, "start_review")).content.decode()
    response = client.post(decide(application, "start_review"), {"confirm": "1"})
    assert response.status_code == 302 and status(application) == S.UNDER_REVIEW
    response = client.post(decide(application, "approve"), {"confirm": "1"}, follow=True)
    assert status(application) == S.APPROVED and application.approved_amount == Decimal("2000.00")
    programme.refresh_from_db()
    assert programme.committed == Decimal("2000.00")
    html = response.content.decode()
    assert 'id="remaining-budget">998,000.00' in html and officer.name in html  # the history names who


def test_an_approval_over_the_budget_is_refused_naming_the_limit(client, officer, application, programme):
    Programme.objects.filter(pk=programme.pk).update(budget=Decimal("1500.00"))
    client.force_login(officer)
    response = client.post(decide(application, "approve"), {"confirm": "1"}, follow=True)
    assert status(application) == S.PROVIDER_CONFIRMED
    [message] = shown(response)
    assert "1,500.00" in message and "500.00" in message  # the budget, and by how much
    assert response.redirect_chain[-1][0] == change(application)
    assert not LedgerEntry.objects.exists()


def test_an_approval_over_the_enterprise_cap_is_refused_naming_the_cap(client, officer, application, programme):
    Programme.objects.filter(pk=programme.pk).update(cap_per_enterprise=Decimal("1200.00"))
    client.force_login(officer)
    response = client.post(decide(application, "approve"), {"confirm": "1"}, follow=True)
    assert status(application) == S.PROVIDER_CONFIRMED
    assert any("1,200.00" in m and "800.00" in m for m in shown(response))


def test_a_smaller_amount_needs_a_reason(client, officer, application, programme):
    client.force_login(officer)
    url = decide(application, "approve_part")
    response = client.post(url, {"amount": "1500.00", "reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert status(application) == S.PROVIDER_CONFIRMED
    response = client.post(url, {"amount": "2500.00", "reason": "超额"})
    assert response.context["form"].errors["amount"]  # more than requested
    client.post(url, {"amount": "1500.00", "reason": "一张发票金额不符"})
    assert status(application) == S.PARTLY_APPROVED
    assert (application.approved_amount, application.decision_reason) == (Decimal("1500.00"), "一张发票金额不符")
    programme.refresh_from_db()
    assert programme.committed == Decimal("1500.00")


def test_return_and_reject_need_a_reason(client, officer, apply):
    returned, rejected = apply("1000.00"), apply("1000.00")
    client.force_login(officer)
    response = client.post(decide(returned, "return"), {"reason": ""})
    assert response.context["form"].errors["reason"] and status(returned) == S.PROVIDER_CONFIRMED
    client.post(decide(returned, "return"), {"reason": "请补充项目合同"})
    assert status(returned) == S.RETURNED and returned.decision_reason == "请补充项目合同"
    client.post(decide(rejected, "reject"), {"reason": "非研发用途"})
    assert status(rejected) == S.REJECTED


def test_reduce_publicise_pay_and_claw_back(client, payer, application, programme):
    client.force_login(payer)
    client.post(decide(application, "approve"), {"confirm": "1"})
    client.post(decide(application, "reduce"), {"amount": "1800.00", "reason": "核减"})
    assert status(application) == S.PARTLY_APPROVED and application.approved_amount == Decimal("1800.00")
    client.post(decide(application, "publicise"), {"confirm": "1"})
    assert status(application) == S.PUBLICISED and application.notice_from == timezone.localdate()

    response = client.post(decide(application, "pay"), {"reference": "CW-2026-001"}, follow=True)
    assert status(application) == S.PUBLICISED  # the notice is still running
    assert any(str(application.notice_until) in m for m in shown(response))
    response = client.post(decide(application, "pay"), {"reference": ""})
    assert response.context["form"].errors["reference"]

    today = timezone.localdate()
    Application.objects.filter(pk=application.pk).update(
        notice_from=today - timedelta(days=10), notice_until=today - timedelta(days=4)
    )
    client.post(decide(application, "pay"), {"reference": "CW-2026-001"})
    assert status(application) == S.PAID and application.payment_reference == "CW-2026-001"
    html = client.get(change(application)).content.decode()
    assert 'id="decision-claw_back"' in html and 'id="decision-pay"' not in html
    client.post(decide(application, "claw_back"), {"reason": "发票系伪造"})
    assert status(application) == S.CLAWED_BACK
    programme.refresh_from_db()
    assert programme.committed == Decimal("0.00") and services.ledger_check(programme) == []


def test_only_holders_of_the_pay_permission_see_and_use_mark_paid(client, officer, application):
    services.application_approve(actor=officer, application=application)
    services.application_publicise(actor=officer, application=application)
    client.force_login(officer)
    html = client.get(change(application)).content.decode()
    assert 'id="decision-pay"' not in html and 'id="decision-reduce"' in html
    assert client.get(decide(application, "pay")).status_code == 403
    assert client.post(decide(application, "pay"), {"reference": "CW-1"}).status_code == 403
    assert status(application) == S.PUBLICISED
    actions = client.get(QUEUE).context["action_form"].fields["action"].choices
    assert "pay_selected" not in {name for name, _ in actions}
    assert "approve_selected" in {name for name, _ in actions}


def test_staff_outside_the_bureau_decide_nothing(client, application):
    clerk = UserFactory(is_staff=True)
    client.force_login(clerk)
    assert client.get(QUEUE).status_code == 403
    assert client.post(decide(application, "approve"), {"confirm": "1"}).status_code == 403
    assert status(application) == S.PROVIDER_CONFIRMED


# --- Decisions in bulk ------------------------------------------------------------------------------


def bulk(client, action, applications, **data):
    return client.post(
        QUEUE, {"action": action, ACTION_CHECKBOX_NAME: [a.pk for a in applications], **data}, follow=True
    )


def test_bulk_approval_goes_on_after_a_refusal(client, officer, apply, programme):
    first, too_much, third = apply("10000.00"), apply("20000.00"), apply("5000.00")
    Programme.objects.filter(pk=programme.pk).update(budget=Decimal("2000.00"))  # 1,000 + 2,000 + 500 asked
    client.force_login(officer)
    response = bulk(client, "approve_selected", [first, too_much, third])
    assert (status(first), status(too_much), status(third)) == (S.APPROVED, S.PROVIDER_CONFIRMED, S.APPROVED)
    errors = [m for m in response.context["messages"] if m.level_tag == "error"]
    assert len(errors) == 1 and too_much.number in str(errors[0]) and "2,000.00" in str(errors[0])


def test_bulk_return_and_reject_ask_for_one_reason(client, officer, apply):
    a, b = apply("1000.00"), apply("1000.00")
    client.force_login(officer)
    response = bulk(client, "reject_selected", [a, b])
    assert response.status_code == 200 and "reason" in response.context["form"].fields
    assert status(a) == S.PROVIDER_CONFIRMED
    response = bulk(client, "reject_selected", [a, b], confirm="1", reason="")
    assert response.context["form"].errors["reason"]
    bulk(client, "reject_selected", [a, b], confirm="1", reason="材料不全")
    assert (status(a), status(b)) == (S.REJECTED, S.REJECTED) and a.decision_reason == "材料不全"
    c = apply("1000.00")
    bulk(client, "return_selected", [c], confirm="1", reason="请补充发票")
    assert status(c) == S.RETURNED


def test_bulk_publicise_and_mark_paid_with_one_reference(client, payer, apply):
    a, b = apply("1000.00"), apply("1000.00")
    client.force_login(payer)
    bulk(client, "approve_selected", [a, b])
    bulk(client, "publicise_selected", [a, b])
    assert (status(a), status(b)) == (S.PUBLICISED, S.PUBLICISED)
    today = timezone.localdate()
    Application.objects.filter(pk=a.pk).update(notice_until=today - timedelta(days=1))
    response = bulk(client, "pay_selected", [a, b])
    assert "reference" in response.context["form"].fields
    response = bulk(client, "pay_selected", [a, b], confirm="1", reference="CW-2026-009")
    assert (status(a), status(b)) == (S.PAID, S.PUBLICISED)  # b's notice is still running
    assert a.payment_reference == "CW-2026-009"
    assert any(b.number in m for m in shown(response))


# --- Programmes --------------------------------------------------------------------------------------


def programme_data(programme, **changes) -> dict:
    data = {
        "name": programme.name,
        "mode": programme.mode,
        "year": programme.year,
        "services_from": programme.services_from.isoformat(),
        "services_until": programme.services_until.isoformat(),
        "applies_from": programme.applies_from.isoformat(),
        "applies_until": programme.applies_until.isoformat(),
        "budget": str(programme.budget),
        "base_rate": str(programme.base_rate),
        "cap_per_application": str(programme.cap_per_application or ""),
        "cap_per_enterprise": str(programme.cap_per_enterprise or ""),
        "provider_reward_rate": str(programme.provider_reward_rate or ""),
        "provider_reward_cap": str(programme.provider_reward_cap or ""),
        "eligible_unit_types": programme.eligible_unit_types,
        "eligible_scales": programme.eligible_scales,
        "eligible_service_ways": programme.eligible_service_ways,
        "excluded_purposes": programme.excluded_purposes,
        "min_instrument_value": str(programme.min_instrument_value),
        "region_city": programme.region_city,
        "settlement_cycle": programme.settlement_cycle,
        "notice_days": programme.notice_days,
        "tiers-TOTAL_FORMS": "0",
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "1000",
    }
    for flag in ("cap_counts_group", "providers_in_region"):
        if getattr(programme, flag):
            data[flag] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_programme_form_refuses_a_budget_below_what_is_committed(client, officer, application, programme):
    services.application_approve(actor=officer, application=application)  # 2,000.00 committed
    client.force_login(officer)
    url = reverse("admin:subsidies_programme_change", args=[programme.pk])
    html = client.get(url).content.decode()
    assert "2,000.00" in html or "2000.00" in html  # committed, read-only
    response = client.post(url, programme_data(programme, budget="1000.00", cap_per_enterprise="1500.00"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "2,000.00" in errors["budget"][0] and "2,000.00" in errors["cap_per_enterprise"][0]
    programme.refresh_from_db()
    assert programme.budget == Decimal("1000000.00")

    response = client.post(url, programme_data(programme, budget="3000.00", cap_per_enterprise="2500.00"))
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.budget, programme.cap_per_enterprise) == (Decimal("3000.00"), Decimal("2500.00"))
    assert CapCounter.objects.get(programme=programme).cap == Decimal("2500.00")  # the counter follows


def test_a_preset_prefills_the_add_form_and_every_value_stays_editable(client, officer):
    client.force_login(officer)
    changelist = client.get(reverse("admin:subsidies_programme_changelist")).content.decode()
    assert 'id="preset-qingdao"' in changelist and 'id="preset-chongqing"' in changelist
    add = reverse("admin:subsidies_programme_add")
    response = client.get(add, {"preset": "qingdao"})
    form = response.context["adminform"].form
    assert form.initial["cap_per_enterprise"] == Decimal("500000.00")
    assert form.initial["min_instrument_value"] == Decimal("200000.00")
    assert form.initial["eligible_unit_types"] == ["enterprise"]
    html = response.content.decode()
    assert 'name="eligible_unit_types" value="enterprise"' in html and "checked" in html
    [tiers] = response.context["inline_admin_formsets"]
    assert [f.initial for f in tiers.formset.forms] == [{"condition": "high_tech", "rate": Decimal("0.2000")}]

    chongqing = client.get(add, {"preset": "chongqing"}).context["adminform"].form
    assert chongqing.initial["cap_per_application"] == Decimal("50000.00")
    assert chongqing.initial["settlement_cycle"] == "half_yearly"

    today = timezone.localdate()
    draft = Programme(
        name="青岛市大型仪器共享补助",
        year=today.year,
        services_from=today.replace(month=1, day=1),
        services_until=today.replace(month=12, day=31),
        applies_from=today,
        applies_until=today + timedelta(days=60),
        budget=Decimal("3000000.00"),
        base_rate=Decimal("0.1500"),  # changed from the preset's 10%
        cap_per_enterprise=Decimal("400000.00"),
        eligible_unit_types=["enterprise"],
        eligible_service_ways=["commission", "remote"],
        excluded_purposes=["certification", "medical"],
        min_instrument_value=Decimal("200000.00"),
        region_city="青岛市",
    )
    data = programme_data(
        draft,
        **{
            "tiers-TOTAL_FORMS": "1",
            "tiers-0-condition": "high_tech",
            "tiers-0-rate": "0.2500",
        },
    )
    response = client.post(f"{add}?preset=qingdao", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Programme.objects.get(name="青岛市大型仪器共享补助")
    assert created.base_rate == Decimal("0.1500") and created.eligible_service_ways == ["commission", "remote"]
    assert created.excluded_purposes == ["certification", "medical"]
    assert list(TierRule.objects.filter(programme=created).values_list("condition", "rate")) == [
        ("high_tech", Decimal("0.2500"))
    ]
    assert created.history.first().history_user == officer


# --- Provider rewards -------------------------------------------------------------------------------


def test_compute_and_decide_provider_rewards(client, payer, application, programme, provider):
    services.application_approve(actor=payer, application=application)
    client.force_login(payer)
    client.post(
        reverse("admin:subsidies_programme_changelist"),
        {"action": "compute_rewards", ACTION_CHECKBOX_NAME: [programme.pk]},
    )
    reward = ProviderReward.objects.get(programme=programme, unit=provider)
    assert reward.computed_amount == Decimal("2000.00")
    html = client.get(reverse("admin:subsidies_providerreward_changelist")).content.decode()
    assert provider.name in html and "20000.00" in html

    url = lambda name: reverse("admin:subsidies_providerreward_decide", args=[reward.pk, name])  # noqa: E731
    response = client.post(url("approve_part"), {"amount": "1800.00", "reason": ""})
    assert response.context["form"].errors["reason"]
    client.post(url("approve_part"), {"amount": "1800.00", "reason": "评分扣减"})
    reward.refresh_from_db()
    assert (reward.status, reward.approved_amount) == (ProviderReward.Status.PARTLY_APPROVED, Decimal("1800.00"))
    client.post(url("publicise"), {"confirm": "1"})
    ProviderReward.objects.filter(pk=reward.pk).update(notice_until=timezone.localdate() - timedelta(days=1))
    client.post(url("pay"), {"reference": "CW-R-1"})
    reward.refresh_from_db()
    assert reward.status == ProviderReward.Status.PAID and reward.payment_reference == "CW-R-1"
    client.post(url("claw_back"), {"reason": "重复申报"})
    reward.refresh_from_db()
    assert reward.status == ProviderReward.Status.CLAWED_BACK


def test_the_programme_page_computes_rewards_and_exports(client, officer, application, programme):
    services.application_approve(actor=officer, application=application)
    client.force_login(officer)
    html = client.get(reverse("admin:subsidies_programme_change", args=[programme.pk])).content.decode()
    assert 'id="compute-rewards"' in html and 'id="export-approved"' in html
    response = client.post(reverse("admin:subsidies_programme_rewards", args=[programme.pk]), follow=True)
    assert ProviderReward.objects.filter(programme=programme).count() == 1
    assert response.redirect_chain[-1][0].startswith(reverse("admin:subsidies_providerreward_changelist"))
    export = client.get(reverse("admin:subsidies_programme_export", args=[programme.pk, "approved"]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("admin:subsidies_programme_export", args=[programme.pk, "other"])).status_code == 403


# --- The ledger ---------------------------------------------------------------------------------------


def test_the_ledger_and_the_counters_are_read_only_for_everyone(client, officer, admin_user, application):
    services.application_approve(actor=officer, application=application)
    entry, counter = LedgerEntry.objects.get(), CapCounter.objects.get()
    for user in (officer, admin_user):
        client.force_login(user)
        for model, obj in (("ledgerentry", entry), ("capcounter", counter)):
            changelist = reverse(f"admin:subsidies_{model}_changelist")
            response = client.get(changelist, {"programme__id__exact": application.programme_id})
            assert response.status_code == 200
            assert client.get(reverse(f"admin:subsidies_{model}_add")).status_code == 403
            html = client.get(reverse(f"admin:subsidies_{model}_change", args=[obj.pk])).content.decode()
            assert 'name="_save"' not in html
            assert client.post(reverse(f"admin:subsidies_{model}_delete", args=[obj.pk])).status_code == 403
    assert (
        client.get(reverse("admin:subsidies_ledgerentry_changelist"), {"kind__exact": "commitment"}).status_code == 200
    )
