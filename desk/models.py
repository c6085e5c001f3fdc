"""Consultations (whatever the channel), their notes and outcomes, and providers' requests for an
introduction. Every table keeps its history (django-simple-history): consultations hold personal
data, so who changed what is always on record until the retention purge removes the row."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from desk.querysets import ConsultationQuerySet, IntroductionRequestQuerySet
from portal.validators import validate_corporate_number


class Channel(models.TextChoices):
    FORM = "form", "フォーム"
    PHONE = "phone", "電話"
    WALK_IN = "walk_in", "来所"
    VISIT = "visit", "訪問"
    EMAIL = "email", "メール"
    SUBMEETING = "submeeting", "分科会"


class Status(models.TextChoices):
    RECEIVED = "received", "受付"
    IN_PROGRESS = "in_progress", "対応中"
    DONE = "done", "完了"
    ON_HOLD = "on_hold", "保留"


# 受付 → 対応中 → 完了, and 保留 from (and back to) an open state.
STATUS_MOVES: dict[str, tuple[str, ...]] = {
    Status.RECEIVED: (Status.IN_PROGRESS, Status.ON_HOLD, Status.DONE),
    Status.IN_PROGRESS: (Status.DONE, Status.ON_HOLD),
    Status.ON_HOLD: (Status.IN_PROGRESS, Status.DONE),
    Status.DONE: (Status.IN_PROGRESS,),
}
OPEN_STATUSES = (Status.RECEIVED, Status.IN_PROGRESS, Status.ON_HOLD)


class Consultation(models.Model):
    channel = models.CharField("受付方法", max_length=12, choices=Channel.choices)
    topics = models.ManyToManyField(
        "partners.Challenge", verbose_name="相談の内容（経営課題）", blank=True
    )
    corporation = models.ForeignKey(
        "partners.Corporation",
        verbose_name="法人（台帳）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultations",
    )
    corporation_name = models.CharField("法人名・事業所名", max_length=200, blank=True)
    corporation_number = models.CharField(
        "法人番号", max_length=13, blank=True, validators=[validate_corporate_number]
    )
    contact_name = models.CharField("相談者の氏名", max_length=100, blank=True)
    email = models.EmailField("メールアドレス", max_length=254, blank=True)
    phone = models.CharField("電話番号", max_length=30, blank=True)
    summary = models.CharField("件名", max_length=200)
    message = models.TextField("相談の内容", blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="担当者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        "状態", max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    follow_up_on = models.DateField("次の対応日", null=True, blank=True)
    received_at = models.DateTimeField("受付日時", default=timezone.now, db_index=True)
    closed_at = models.DateTimeField("完了日時", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="記録した人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set once the form's confirmation and the staff notice went out: a second delivery of the
    # task sends nothing.
    mailed_at = models.DateTimeField("通知メール送信日時", null=True, blank=True, editable=False)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    history = HistoricalRecords(m2m_fields=[topics])
    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = "相談"
        verbose_name_plural = "相談"
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["status", "follow_up_on"])]

    def __str__(self) -> str:
        return self.summary

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return STATUS_MOVES[self.status]

    @property
    def is_overdue(self) -> bool:
        return (
            self.follow_up_on is not None
            and self.status in OPEN_STATUSES
            and self.follow_up_on < timezone.localdate()
        )


class NoteKind(models.TextChoices):
    NOTE = "note", "メモ"
    CALL = "call", "電話"
    MEETING = "meeting", "面談・訪問"
    EMAIL = "email", "メール"
    STATUS = "status", "状態の変更"


class ConsultationNote(models.Model):
    """One entry of a consultation's timeline."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField("種類", max_length=10, choices=NoteKind.choices, default=NoteKind.NOTE)
    text = models.TextField("内容")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("日時", default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "相談の記録"
        verbose_name_plural = "相談の記録"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class OutcomeKind(models.TextChoices):
    INTRODUCTION = "introduction", "紹介"
    REFERRAL = "referral", "専門家の紹介"
    CONSORTIUM = "consortium", "協働体"
    SUBMEETING = "submeeting", "分科会（サブ会議）"


class Outcome(models.Model):
    """What a consultation led to: exactly one linked introduction, referral, consortium or
    sub-meeting."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="outcomes"
    )
    kind = models.CharField("つながった先", max_length=12, choices=OutcomeKind.choices)
    introduction = models.ForeignKey(
        "partners.Introduction", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    referral = models.ForeignKey(
        "guidance.Referral", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    consortium = models.ForeignKey(
        "guidance.Consortium", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    submeeting = models.ForeignKey(
        "partners.SubMeeting", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("日時", default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "相談の成果"
        verbose_name_plural = "相談の成果"
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="outcome_links_its_kind",
                condition=(
                    models.Q(kind="introduction", introduction__isnull=False)
                    | models.Q(kind="referral", referral__isnull=False)
                    | models.Q(kind="consortium", consortium__isnull=False)
                    | models.Q(kind="submeeting", submeeting__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.target}"

    @property
    def target(self):
        return getattr(self, self.kind)


class RequestStatus(models.TextChoices):
    PENDING = "pending", "窓口で確認中"
    ACCEPTED = "accepted", "紹介を提案しました"
    DECLINED = "declined", "見送り"


class IntroductionRequest(models.Model):
    """A manager asks the window to introduce their corporation to candidates of their match page.
    Staff accept (the window proposes an introduction with those parties) or decline with a
    reason the manager reads."""

    corporation = models.ForeignKey(
        "partners.Corporation",
        verbose_name="依頼した法人",
        on_delete=models.CASCADE,
        related_name="introduction_requests",
    )
    candidates = models.ManyToManyField(
        "partners.Corporation", verbose_name="紹介を希望する法人", related_name="+"
    )
    message = models.TextField("窓口への伝言", blank=True)
    consultation = models.OneToOneField(
        Consultation,
        verbose_name="相談",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="introduction_request",
    )
    status = models.CharField(
        "状態", max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    reason = models.TextField("見送りの理由", blank=True)
    introduction = models.ForeignKey(
        "partners.Introduction",
        verbose_name="提案した紹介",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("依頼日時", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("判断日時", null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[candidates])
    objects = IntroductionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "紹介の依頼"
        verbose_name_plural = "紹介の依頼"
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.corporation}からの紹介の依頼"
