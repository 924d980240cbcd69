"""Taking one demo application through the real services to the state the demo wants.

Each state is reached the way people reach it: the enterprise's administrator creates the draft,
chooses eligible services and attaches the invoices, the registration form and the contract, and
submits; the providers' managers confirm (or dispute) their lines; the bureau officer reviews,
returns, approves in full or in part, rejects and publicises; the finance officer pays.
"""

from decimal import Decimal

from core.money import to_yuan

from .. import services
from ..models import Application, ApplicationLine
from .documents import pdf_file, png_file

# The states of the demo mix, in the order the workflow passes them. "disputed" is returned by a
# provider, "returned" by the bureau; "resubmitted" was disputed, corrected and is now under review.
TARGETS = (
    "draft_empty",
    "draft_lines",
    "draft",
    "submitted",
    "disputed",
    "returned",
    "provider_confirmed",
    "resubmitted",
    "under_review",
    "rejected",
    "approved",
    "partly_approved",
    "publicised",
    "paid",
    "partly_paid",
)

NOTE = "本单位研发项目委托外单位大型仪器开展检测分析，费用已全额支付，现申请补助。"
DISPUTE = "经核对，该次服务的实际收费与申报金额不一致，请核实发票后重新申报。"
RETURN = "请补充研发项目合同或立项文件，并上传由服务单位盖章确认的检测登记单。"
REJECT = "申报的服务用于产品出厂检验，不属于研发活动，按申报指南不予补助。"
PARTLY = "服务记录 %(record)s 的发票抬头与申报单位不一致，该项不予补助，核减 %(amount)s 元。"
PARTLY_SHARE = "部分服务的检测登记单缺少服务单位盖章，按申报金额的 80% 核定。"
PROJECTS = ["稀土功能材料关键技术研究", "高性能钕铁硼磁体制备", "包头市科技计划项目", "企业新产品研发"]


class Claims:
    def __init__(self, rng, actors, records):
        self.rng, self.actors, self.records = rng, actors, records
        self.payments: dict[int, int] = {}  # per programme, for the payment references

    def make(self, programme, unit, target: str, *, lines, until, notice_on=None, paid_on=None, prefer_provider=None):
        """A new application of ``unit`` in ``programme`` for about ``lines`` (low, high) services,
        brought to ``target`` (see TARGETS)."""
        admin = self.actors.admin(unit)
        application = services.application_create(
            actor=admin, programme=programme, unit=unit, project_name=self.rng.choice(PROJECTS), note=NOTE
        )
        if target == "draft_empty":
            return application
        count = self.rng.randint(*lines)
        records = self.records.take(programme, unit, count, until=until, prefer_provider=prefer_provider)
        if not records:
            return application
        services.application_set_lines(actor=admin, application=application, record_ids=[r.pk for r in records])
        if target != "draft_lines":
            self._evidence(admin, application, records)
        providers = [r.instrument.unit_id for r in records]
        pending = prefer_provider.pk if prefer_provider and prefer_provider.pk in providers else providers[0]
        self._drive(application, target, notice_on=notice_on, paid_on=paid_on, pending=pending)
        application.refresh_from_db()
        return application

    def _evidence(self, admin, application, records):
        number = application.number
        for record in records[:2]:
            invoice = record.invoice_number or f"{number}-{record.pk}"
            services.evidence_add(
                actor=admin,
                application=application,
                kind="invoice",
                invoice_number=invoice,
                file=pdf_file(
                    f"invoice-{invoice}.pdf",
                    ["VAT invoice", f"No. {invoice}", f"Service record {record.pk}", f"Amount: {record.amount} CNY"],
                ),
            )
        services.evidence_add(
            actor=admin,
            application=application,
            kind="registration",
            file=png_file(
                "registration-form.png",
                ["Test registration form", f"Application {number}"]
                + [f"Record {r.pk}  {r.started_at:%Y-%m-%d}  {r.amount} CNY" for r in records],
            ),
        )
        if application.project_name:
            services.evidence_add(
                actor=admin,
                application=application,
                kind="contract",
                file=pdf_file("project-contract.pdf", ["R&D project contract", f"Application {number}"]),
            )

    def _lines(self, application):
        return list(application.lines.select_related("provider").order_by("pk"))

    def _confirm(self, application, *, keep_pending=None):
        for line in self._lines(application):
            if line.provider_id != keep_pending and line.provider_status != ApplicationLine.ProviderStatus.CONFIRMED:
                services.line_confirm(actor=self.actors.manager(line.provider), line=line)

    def _drive(self, application, target, *, notice_on, paid_on, pending):
        admin, bureau = self.actors.admin(application.unit), self.actors.bureau
        if target.startswith("draft"):
            return
        services.application_submit(actor=admin, application=application)
        lines = self._lines(application)
        if target == "submitted":
            # One provider (the preferred one: its manager's queue has something) has not answered
            # yet; the others have confirmed.
            self._confirm(application, keep_pending=pending)
            return
        if target in ("disputed", "resubmitted"):
            disputed = lines[-1]
            services.line_dispute(actor=self.actors.manager(disputed.provider), line=disputed, reason=DISPUTE)
            if target == "disputed" or len(lines) < 2:
                return
            kept = [line.service_record_id for line in lines if line.pk != disputed.pk]
            services.application_set_lines(actor=admin, application=application, record_ids=kept)
            services.application_submit(actor=admin, application=application)
        self._confirm(application)
        if target == "provider_confirmed":
            return
        if target == "returned":
            services.application_return(actor=bureau, application=application, reason=RETURN)
            return
        services.application_start_review(actor=bureau, application=application)
        if target in ("under_review", "resubmitted"):
            return
        if target == "rejected":
            services.application_reject(actor=bureau, application=application, reason=REJECT)
            return
        amount, reason = self._partly(application) if target.startswith("partly") else (None, "")
        services.application_approve(actor=bureau, application=application, amount=amount, reason=reason)
        if target in ("approved", "partly_approved"):
            return
        services.application_publicise(actor=bureau, application=application, today=notice_on)
        if target == "publicised":
            return
        number = self.payments[application.programme_id] = self.payments.get(application.programme_id, 0) + 1
        reference = f"国库集中支付 {application.programme.year}-{number:04d}"
        services.application_pay(actor=self.actors.finance, application=application, reference=reference, today=paid_on)

    def _partly(self, application) -> tuple[Decimal, str]:
        """Less than requested, with the reason: one service struck out, or 80% of the claim."""
        requested = Application.objects.get(pk=application.pk).requested_amount
        lines = self._lines(application)
        cut = lines[-1].subsidy
        if len(lines) > 1 and 0 < cut < requested:
            return requested - cut, PARTLY % {"record": lines[-1].service_record_id, "amount": cut}
        return to_yuan(requested * Decimal("0.8")), PARTLY_SHARE
