"""Support programmes (the policy package's measures and the window's own) and model documents."""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from simple_history.models import HistoricalRecords

from support.querysets import DocumentQuerySet, ProgrammeQuerySet


class Phase(models.TextChoices):
    """The policy package's three phases of support."""

    AWARENESS = "awareness", "気づき"
    EXAMINE = "examine", "検討"
    IMPLEMENT = "implement", "実施"


class Runner(models.TextChoices):
    MHLW = "mhlw", "厚生労働省"
    WAM = "wam", "福祉医療機構"
    YOROZU = "yorozu", "よろず支援拠点"
    PREFECTURE = "prefecture", "都道府県"
    WINDOW = "window", "ワンストップ窓口（当窓口）"
    OTHER = "other", "その他"


class Gives(models.TextChoices):
    SUBSIDY = "subsidy", "補助・助成"
    LOAN = "loan", "融資"
    ADVICE = "advice", "相談・助言"
    INFO = "info", "情報・手続きの明確化"


class Programme(models.Model):
    """One support measure, mapped to the package's phases and the report's stages ①–⑥."""

    code = models.SlugField("コード", max_length=60, unique=True)
    name = models.CharField("名称", max_length=300)
    phases = models.JSONField("政策パッケージの段階", default=list)
    stages = models.JSONField("関係する段階（①〜⑥）", default=list)
    runner = models.CharField("実施主体", max_length=20, choices=Runner.choices)
    gives = models.CharField("支援の種類", max_length=20, choices=Gives.choices)
    summary = models.TextField("概要", blank=True)
    amount = models.CharField(
        "金額・補助率・条件",
        max_length=200,
        blank=True,
        help_text="空欄なら「公募要領で確認」と表示します。",
    )
    link = models.URLField("詳しい情報（URL）", blank=True)
    application_period = models.CharField("申請の時期", max_length=200, blank=True)
    source = models.CharField("出典", max_length=200, blank=True)
    published = models.BooleanField("公開", default=True)
    position = models.PositiveSmallIntegerField("順番", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgrammeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "支援策"
        verbose_name_plural = "支援策"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    def phase_labels(self) -> list[str]:
        labels = dict(Phase.choices)
        return [labels[p] for p in self.phases if p in labels]


class DocumentKind(models.TextChoices):
    ARTICLES = "articles", "定款・規約"
    FEES = "fees", "会費規程"
    AGREEMENT = "agreement", "協定書"
    WORKFLOW = "workflow", "事務局の業務フロー"
    CHECKLIST = "checklist", "申請チェックリスト"
    OTHER = "other", "その他"


class Visibility(models.TextChoices):
    PUBLIC = "public", "どなたでも"
    LOGIN = "login", "ログインした利用者のみ"


class Document(models.Model):
    """A model document (ひな形); its text lives in versions, the newest published one is served."""

    slug = models.SlugField("コード", max_length=60, unique=True)
    title = models.CharField("名称", max_length=200)
    kind = models.CharField("種類", max_length=20, choices=DocumentKind.choices)
    summary = models.TextField("概要", blank=True)
    stages = models.JSONField("関係する段階（①〜⑥）", default=list)
    themes = models.JSONField("関係するテーマ", default=list)
    # Codes of the window's model checklist items (guidance) this document helps to tick.
    checklist_codes = models.JSONField("関係するチェック項目", default=list, blank=True)
    visibility = models.CharField(
        "公開範囲", max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    published = models.BooleanField("公開", default=True)
    download_count = models.PositiveIntegerField("ダウンロード数", default=0)
    position = models.PositiveSmallIntegerField("順番", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DocumentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["download_count"])

    class Meta:
        verbose_name = "ひな形"
        verbose_name_plural = "ひな形"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


ALLOWED_EXTENSIONS = ["pdf", "docx", "xlsx", "txt", "md", "odt"]


class DocumentVersion(models.Model):
    """One published text of a document; earlier versions are kept and can still be read."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版")
    body = models.TextField("本文", blank=True)
    file = models.FileField(
        "ファイル",
        upload_to="documents/",
        blank=True,
        validators=[FileExtensionValidator(ALLOWED_EXTENSIONS)],
    )
    note = models.CharField("改訂の内容", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "ひな形の版"
        verbose_name_plural = "ひな形の版"
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document}（第{self.number}版）"
