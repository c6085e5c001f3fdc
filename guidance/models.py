"""Tables of the consortium workflow: consortia and their member corporations."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from partners.models import Corporation, Introduction, Theme


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


class Stage(models.IntegerChoices):
    SHARE = 1, "①連携の契機と課題の共有"
    TRUST = 2, "②信頼醸成・試験的連携"
    FORMALISE = 3, "③連携の公式化と目標策定"
    EXECUTE = 4, "④協働活動の実行"
    EVALUATE = 5, "⑤成果の検証と評価"
    DEEPEN = 6, "⑥改善と深化"


def step_of(stage: int) -> int:
    """STEP1 is stages ①②, STEP2 is ③, STEP3 is ④⑤⑥."""
    return 1 if stage <= 2 else 2 if stage == 3 else 3


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

    history = HistoricalRecords(m2m_fields=[themes])

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

    history = HistoricalRecords()

    class Meta:
        verbose_name = "参加法人"
        verbose_name_plural = "参加法人"
        ordering = ["consortium", "role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["consortium", "corporation"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.consortium}：{self.corporation}"
