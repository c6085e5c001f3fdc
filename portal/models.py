"""Tables of the portal core: users with their role, and background report jobs."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from portal.validators import validate_corporate_number


class Role(models.TextChoices):
    STAFF = "staff", "相談窓口職員"
    MANAGER = "manager", "介護事業者（経営者・管理者）"
    OFFICIAL = "official", "都道府県職員"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("メールアドレスは必須です。")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)  # None gives an unusable password
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_superuser", False)
        extra.setdefault("is_staff", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_superuser=True, is_staff=True)
        extra.setdefault("role", Role.STAFF)
        extra.setdefault("full_name", "管理者")
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address and acts in one role."""

    email = models.EmailField("メールアドレス", max_length=254, unique=True)
    full_name = models.CharField("氏名", max_length=100)
    role = models.CharField("役割", max_length=20, choices=Role.choices)
    organization = models.CharField("所属", max_length=200, blank=True)
    # A manager acts for one care corporation, named by its 法人番号. The registry (partners/)
    # resolves the number to its Corporation; the core keeps only the number so it imports no app.
    corporation_number = models.CharField(
        "法人番号",
        max_length=13,
        blank=True,
        validators=[validate_corporate_number],
        help_text="介護事業者の利用者は、所属法人の13桁の法人番号を入力してください。",
    )
    is_active = models.BooleanField("有効", default=True)
    is_staff = models.BooleanField("管理サイトを使える", default=False)
    is_demo = models.BooleanField("デモ用アカウント", default=False, editable=False)
    invited_by = models.ForeignKey(
        "self",
        verbose_name="招待した人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    date_joined = models.DateTimeField("登録日時", default=timezone.now)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = "利用者"
        verbose_name_plural = "利用者"
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        if self.role == Role.MANAGER and not self.corporation_number:
            raise ValidationError(
                {"corporation_number": "介護事業者の利用者には所属法人の法人番号が必要です。"}
            )
        if self.role != Role.MANAGER and self.corporation_number:
            raise ValidationError(
                {"corporation_number": "法人番号は介護事業者の利用者にだけ設定できます。"}
            )

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name


class JobStatus(models.TextChoices):
    QUEUED = "queued", "待機中"
    RUNNING = "running", "作成中"
    DONE = "done", "完了"
    FAILED = "failed", "失敗"


def report_upload_to(instance: "ReportJob", filename: str) -> str:
    # One folder per job: a repeated render replaces its file instead of adding a second one.
    return f"reports/{instance.pk}/{filename}"


class ReportJob(models.Model):
    """One request for a generated file; the row makes a repeated task delivery harmless."""

    kind = models.CharField("種類", max_length=50)
    params = models.JSONField("条件", default=dict, blank=True)
    requested_by = models.ForeignKey(
        User, verbose_name="依頼者", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        "状態", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField("進捗（％）", default=0)
    attempts = models.PositiveSmallIntegerField("実行回数", default=0)
    created_at = models.DateTimeField("依頼日時", auto_now_add=True)
    started_at = models.DateTimeField("開始日時", null=True, blank=True)
    finished_at = models.DateTimeField("完了日時", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最終更新", null=True, blank=True)
    file = models.FileField("ファイル", upload_to=report_upload_to, blank=True)
    size = models.PositiveBigIntegerField("サイズ（バイト）", null=True, blank=True)
    content_hash = models.CharField("内容のハッシュ", max_length=64, blank=True)
    error = models.TextField("失敗の理由", blank=True)
    title = models.CharField("内容", max_length=300, blank=True)
    # Hash of the data the file is made from (see portal.jobs); equal hashes give equal files.
    fingerprint = models.CharField("元データのハッシュ", max_length=64, blank=True, db_index=True)
    reused = models.BooleanField("作成済みのファイルを再利用", default=False)
    attachment = models.FileField("表計算ファイル", upload_to=report_upload_to, blank=True)
    attachment_size = models.PositiveBigIntegerField(
        "表計算ファイルのサイズ", null=True, blank=True
    )

    class Meta:
        verbose_name = "レポート作成ジョブ"
        verbose_name_plural = "レポート作成ジョブ"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="reportjob_progress_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}（{self.get_status_display()}）"

    @property
    def kind_label(self) -> str:
        from portal.jobs import label_for

        return label_for(self.kind)

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class ArtifactStatus(models.TextChoices):
    RENDERING = "rendering", "作成中"
    DONE = "done", "作成済み"


class ReportArtifact(models.Model):
    """One rendered file per fingerprint: whoever creates the row renders, the others reuse it.

    The unique fingerprint is the lock that makes two identical requests at once render once; the
    renderer's heartbeat lets another job take over when the renderer died.
    """

    fingerprint = models.CharField("元データのハッシュ", max_length=64, unique=True)
    kind = models.CharField("種類", max_length=50)
    status = models.CharField(
        "状態", max_length=10, choices=ArtifactStatus.choices, default=ArtifactStatus.RENDERING
    )
    job = models.ForeignKey(
        ReportJob,
        verbose_name="作成したジョブ",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    heartbeat_at = models.DateTimeField("最終更新", default=timezone.now)
    file = models.CharField("ファイル", max_length=300, blank=True)
    size = models.PositiveBigIntegerField("サイズ（バイト）", null=True, blank=True)
    attachment = models.CharField("表計算ファイル", max_length=300, blank=True)
    attachment_size = models.PositiveBigIntegerField(
        "表計算ファイルのサイズ", null=True, blank=True
    )
    content_hash = models.CharField("内容のハッシュ", max_length=64, blank=True)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    class Meta:
        verbose_name = "作成済みレポート"
        verbose_name_plural = "作成済みレポート"

    def __str__(self) -> str:
        return f"{self.kind} {self.fingerprint[:12]}（{self.get_status_display()}）"
