"""Tables of the consortium workflow: consortia and their member corporations."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from guidance.querysets import ConsortiumQuerySet, MeasurementQuerySet, MembershipQuerySet
from partners.models import Corporation, Introduction, Municipality, Theme
from portal.taxonomy import STAGE_MARKS, STAGES, step_of


class ConsortiumForm(models.TextChoices):
    CLOSE = "close", "緊密な連携"
    LOOSE = "loose", "緩やかな連携"


class LegalForm(models.TextChoices):
    NONE = "none", "法人格なし（協議会・任意団体など）"
    ALLIANCE = "alliance", "社会福祉連携推進法人"
    ASSOCIATION = "association", "一般社団法人"
    COOPERATIVE = "cooperative", "事業協同組合"
    MERGER = "merger", "合併・事業譲渡"
    OTHER = "other", "その他"


def _stage_label(number: int) -> str:
    return f"{STAGE_MARKS[number - 1]}{STAGES[number - 1][1]}"


class Stage(models.IntegerChoices):
    """①連携の契機と課題の共有 … ⑥改善と深化, named as in the case library (portal.taxonomy)."""

    SHARE = 1, _stage_label(1)
    TRUST = 2, _stage_label(2)
    FORMALISE = 3, _stage_label(3)
    EXECUTE = 4, _stage_label(4)
    EVALUATE = 5, _stage_label(5)
    DEEPEN = 6, _stage_label(6)


class ConsortiumStatus(models.TextChoices):
    ACTIVE = "active", "活動中"
    PAUSED = "paused", "休止中"
    CLOSED = "closed", "終了"


class Consortium(models.Model):
    name = models.CharField("名称", max_length=200)
    form = models.CharField(
        "目指す形", max_length=10, choices=ConsortiumForm.choices, default=ConsortiumForm.LOOSE
    )
    legal_form = models.CharField(
        "法人格", max_length=20, choices=LegalForm.choices, default=LegalForm.NONE
    )
    area = models.CharField("地域", max_length=200, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name="主な市区町村",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    themes = models.ManyToManyField(Theme, verbose_name="協働の内容", blank=True)
    stage = models.PositiveSmallIntegerField("段階", choices=Stage.choices, default=Stage.SHARE)
    started_on = models.DateField("開始日", null=True, blank=True)
    target_on = models.DateField("目標日", null=True, blank=True)
    status = models.CharField(
        "状態", max_length=10, choices=ConsortiumStatus.choices, default=ConsortiumStatus.ACTIVE
    )
    introduction = models.ForeignKey(
        Introduction,
        verbose_name="もとになった紹介",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consortia",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The last time anything happened (a checklist tick, a measurement, an activity): stalled
    # consortia are those without activity for a configurable number of days.
    last_activity_at = models.DateTimeField("最後の活動", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[themes], excluded_fields=["last_activity_at"])

    objects = ConsortiumQuerySet.as_manager()

    class Meta:
        verbose_name = "協働体"
        verbose_name_plural = "協働体"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def step(self) -> int:
        return step_of(self.stage)


class MemberRole(models.TextChoices):
    PROMOTER = "promoter", "推進役"
    SECRETARIAT = "secretariat", "事務局"
    MEMBER = "member", "参加法人"


class MembershipState(models.TextChoices):
    """A corporation joins by invitation: it is a member only once the invitation is accepted."""

    INVITED = "invited", "招待中"
    ACCEPTED = "accepted", "参加"
    DECLINED = "declined", "辞退"


class AnswerChannel(models.TextChoices):
    """How an invited corporation's answer reached the portal: the values of
    partners.models.AnswerChannel (introductions), plus the corporation's own answer."""

    SELF = "self", "法人の管理者が回答"
    PHONE = "phone", "電話"
    EMAIL = "email", "メール"
    MEETING = "meeting", "面談"


class Membership(models.Model):
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="memberships")
    corporation = models.ForeignKey(
        Corporation, verbose_name="法人", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(
        "役割", max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    joined_on = models.DateField("参加日", null=True, blank=True)
    left_on = models.DateField("脱退日", null=True, blank=True)
    # Rows created before invitations existed (and the demo seed) are accepted members.
    state = models.CharField(
        "状態", max_length=10, choices=MembershipState.choices, default=MembershipState.ACCEPTED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField("招待日時", null=True, blank=True)
    answered_on = models.DateField("回答日", null=True, blank=True)
    answer_channel = models.CharField(
        "受付方法", max_length=10, choices=AnswerChannel.choices, blank=True
    )
    answer_note = models.TextField("回答のメモ", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "参加法人"
        verbose_name_plural = "参加法人"
        ordering = ["consortium", "role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["consortium", "corporation"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.consortium}：{self.corporation}"

    @property
    def is_active(self) -> bool:
        return self.state == MembershipState.ACCEPTED and self.left_on is None


# --- Checklists -------------------------------------------------------------------------------------
class Variant(models.TextChoices):
    BOTH = "both", "共通"
    CLOSE = "close", "緊密な連携のみ"
    LOOSE = "loose", "緩やかな連携のみ"


class OwnerRole(models.TextChoices):
    ALL = "all", "全員"
    PROMOTER = "promoter", "推進役"
    SECRETARIAT = "secretariat", "事務局"
    MEMBER = "member", "参加法人"
    EXTERNAL = "external", "外部の専門家など"


class ChecklistTemplate(models.Model):
    """The window's model checklist for one stage; staff edit it. A consortium copies the items
    that fit its form when it is created, so later edits never change an existing consortium."""

    stage = models.PositiveSmallIntegerField("段階", choices=Stage.choices)
    code = models.SlugField("コード", max_length=60, unique=True)
    title = models.CharField("確認すること", max_length=120)
    guidance = models.TextField("進め方のヒント", blank=True)
    variant = models.CharField("対象", max_length=10, choices=Variant.choices, default=Variant.BOTH)
    required = models.BooleanField("STEPを進める条件", default=False)
    role = models.CharField(
        "主な担い手", max_length=20, choices=OwnerRole.choices, default=OwnerRole.ALL
    )
    source = models.CharField("出典", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField("順番", default=0)
    active = models.BooleanField("使用中", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "段階のチェックリスト（ひな形）"
        verbose_name_plural = "段階のチェックリスト（ひな形）"
        ordering = ["stage", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    def fits(self, form: str) -> bool:
        return self.variant in (Variant.BOTH, form)


class ItemStatus(models.TextChoices):
    TODO = "todo", "未着手"
    DOING = "doing", "進行中"
    DONE = "done", "完了"
    NOT_APPLICABLE = "na", "対象外"


def evidence_upload_to(instance: "ChecklistItem", filename: str) -> str:
    return f"evidence/{instance.consortium_id}/{instance.pk or 'new'}/{filename}"


class ChecklistItem(models.Model):
    """A consortium's own copy of a checklist item, with its status, owner, due date and evidence."""

    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="checklist_items"
    )
    template = models.ForeignKey(
        ChecklistTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stage = models.PositiveSmallIntegerField("段階", choices=Stage.choices)
    title = models.CharField("確認すること", max_length=120)
    guidance = models.TextField("進め方のヒント", blank=True)
    required = models.BooleanField("STEPを進める条件", default=False)
    role = models.CharField(
        "主な担い手", max_length=20, choices=OwnerRole.choices, default=OwnerRole.ALL
    )
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        "状態", max_length=10, choices=ItemStatus.choices, default=ItemStatus.TODO
    )
    owner = models.CharField("担当", max_length=100, blank=True)
    due_on = models.DateField("期限", null=True, blank=True)
    note = models.TextField("メモ", blank=True)
    evidence_url = models.URLField("根拠資料のURL", blank=True)
    evidence_file = models.FileField("根拠資料のファイル", upload_to=evidence_upload_to, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "チェック項目"
        verbose_name_plural = "チェック項目"
        ordering = ["stage", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_settled(self) -> bool:
        return self.status in (ItemStatus.DONE, ItemStatus.NOT_APPLICABLE)


class StageMove(models.Model):
    """Every change of stage: who, when, why, and whether a gate was overridden."""

    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="moves")
    from_stage = models.PositiveSmallIntegerField("前の段階", choices=Stage.choices)
    to_stage = models.PositiveSmallIntegerField("新しい段階", choices=Stage.choices)
    reason = models.TextField("理由", blank=True)
    overridden = models.BooleanField("条件を満たさずに進めた", default=False)
    missing = models.TextField("満たしていなかった項目", blank=True)
    # The exact items an override skipped ({"id", "stage", "title"} each), kept even if an item
    # is later renamed or deleted.
    skipped = models.JSONField("飛ばした必須項目", default=list, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("日時", auto_now_add=True)

    class Meta:
        verbose_name = "段階の移動"
        verbose_name_plural = "段階の移動"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display()}"


# --- Goals and KPIs ---------------------------------------------------------------------------------
class Goal(models.Model):
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField("目標", max_length=200)
    theme = models.ForeignKey(
        Theme, verbose_name="テーマ", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "目標"
        verbose_name_plural = "目標"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


# Units that count things: a measurement in one of them cannot be negative.
COUNT_UNITS = frozenset(
    [
        "人",
        "名",
        "件",
        "回",
        "法人",
        "事業所",
        "施設",
        "か所",
        "箇所",
        "時間",
        "日",
        "人日",
        "台",
        "本",
    ]
)


class Kpi(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField("指標", max_length=120)
    unit = models.CharField("単位", max_length=30, blank=True)
    baseline = models.DecimalField("基準値", max_digits=14, decimal_places=2)
    target = models.DecimalField("目標値", max_digits=14, decimal_places=2)
    due_on = models.DateField("達成期限", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "KPI"
        verbose_name_plural = "KPI"
        ordering = ["goal", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def counts_things(self) -> bool:
        """人, 件, 回 … (also 人/年, 件（月間）): values of such a KPI are never negative."""
        unit = self.unit.strip()
        for sep in ("/", "／", "（", "("):
            unit = unit.split(sep, 1)[0].strip()
        return unit in COUNT_UNITS


class Measurement(models.Model):
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField("測定日")
    value = models.DecimalField("値", max_digits=14, decimal_places=2)
    note = models.CharField("メモ", max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = "測定値"
        verbose_name_plural = "測定値"
        ordering = ["kpi", "measured_on", "pk"]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.value}"


# --- Next actions and activity ----------------------------------------------------------------------
class ActionStatus(models.TextChoices):
    OPEN = "open", "未完了"
    DONE = "done", "完了"


class Action(models.Model):
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField("次にやること", max_length=200)
    owner = models.CharField("担当", max_length=100, blank=True)
    # The person who owns it, among the consortium's people (members' managers, its staff owner);
    # reminders go to them. The free text above stays for an owner who has no account.
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="担当者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField("期限", null=True, blank=True)
    status = models.CharField(
        "状態", max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField("完了日時", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "次のアクション"
        verbose_name_plural = "次のアクション"
        ordering = ["status", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class ActivityKind(models.TextChoices):
    MEETING = "meeting", "会議"
    DECISION = "decision", "決定"
    DOCUMENT = "document", "資料"
    NOTE = "note", "記録"


class Activity(models.Model):
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField("種類", max_length=10, choices=ActivityKind.choices)
    title = models.CharField("件名", max_length=200)
    happened_on = models.DateField("日付")
    note = models.TextField("内容", blank=True)
    url = models.URLField("資料のURL", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Entries can be corrected and deleted; the history keeps what they said and who changed them.
    history = HistoricalRecords()

    class Meta:
        verbose_name = "活動の記録"
        verbose_name_plural = "活動の記録"
        ordering = ["-happened_on", "-pk"]

    def __str__(self) -> str:
        return self.title


# --- External partners and experts (support programmes live in support/) ---------------------------------------------
class PartnerKind(models.TextChoices):
    EXPERT = "expert", "専門家"
    CONSULTANT = "consultant", "コンサルタント"
    ACADEMIC = "academic", "大学・研究者"
    AGENCY = "agency", "行政・支援機関"
    OTHER = "other", "その他"


class ExternalPartner(models.Model):
    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="external_partners"
    )
    name = models.CharField("名称・氏名", max_length=200)
    kind = models.CharField("種類", max_length=20, choices=PartnerKind.choices)
    role = models.CharField("役割", max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "外部の協力者"
        verbose_name_plural = "外部の協力者"

    def __str__(self) -> str:
        return self.name


class ExpertKind(models.Model):
    """弁護士, 公認会計士, ... with what they help with and at which stages (fixtures/guidance)."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField("種類", max_length=60)
    helps_with = models.TextField("相談できること", blank=True)
    stages = models.JSONField("関係する段階", default=list)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "専門家の種類"
        verbose_name_plural = "専門家の種類"
        ordering = ["position"]

    def __str__(self) -> str:
        return self.label


class Expert(models.Model):
    """The window's directory of experts and support bodies it can call (staff-maintained)."""

    name = models.CharField("名称・氏名", max_length=200)
    kind = models.ForeignKey(ExpertKind, verbose_name="種類", on_delete=models.PROTECT)
    organization = models.CharField("所属", max_length=200, blank=True)
    region = models.CharField("対応地域", max_length=200, blank=True)
    fields = models.ManyToManyField(Theme, verbose_name="得意分野", blank=True)
    contact = models.CharField("連絡先", max_length=200, blank=True)
    note = models.TextField("メモ", blank=True)
    active = models.BooleanField("紹介可能", default=True)

    history = HistoricalRecords(m2m_fields=[fields])

    class Meta:
        verbose_name = "専門家"
        verbose_name_plural = "専門家"
        ordering = ["kind__position", "name"]

    def __str__(self) -> str:
        return self.name


class ReferralStatus(models.TextChoices):
    REQUESTED = "requested", "依頼あり"
    ARRANGED = "arranged", "手配済み"
    DONE = "done", "完了"


class Referral(models.Model):
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="referrals")
    kind = models.ForeignKey(ExpertKind, verbose_name="相談したい専門家", on_delete=models.PROTECT)
    expert = models.ForeignKey(
        Expert, verbose_name="紹介した専門家", null=True, blank=True, on_delete=models.SET_NULL
    )
    stage = models.PositiveSmallIntegerField("段階", choices=Stage.choices)
    request = models.TextField("相談したいこと")
    status = models.CharField(
        "状態", max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "専門家の紹介依頼"
        verbose_name_plural = "専門家の紹介依頼"
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.consortium}：{self.kind}"
