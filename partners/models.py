"""Tables of the provider registry: municipalities, corporations, establishments, import runs."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from partners.querysets import (
    CorporationQuerySet,
    EstablishmentQuerySet,
    IntroductionQuerySet,
    SubMeetingQuerySet,
)
from portal.validators import (
    validate_corporate_number,
    validate_establishment_number,
    validate_municipality_code,
)


class Municipality(models.Model):
    """A municipality with its 全国地方公共団体コード (6 digits including the check digit)."""

    code = models.CharField(
        "団体コード", max_length=6, primary_key=True, validators=[validate_municipality_code]
    )
    prefecture_name = models.CharField("都道府県名", max_length=10)
    name = models.CharField("市区町村名", max_length=60)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "市区町村"
        verbose_name_plural = "市区町村"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.prefecture_name}{self.name}"

    @property
    def prefecture_code(self) -> str:
        return self.code[:2]


class CorporationKind(models.TextChoices):
    SOCIAL_WELFARE = "social_welfare", "社会福祉法人"
    MEDICAL = "medical", "医療法人"
    FOR_PROFIT = "for_profit", "営利法人"
    NPO = "npo", "NPO法人"
    ASSOCIATION = "association", "一般社団・財団法人"
    COOPERATIVE = "cooperative", "協同組合"
    PUBLIC = "public", "地方公共団体等"
    OTHER = "other", "その他"


class SizeBand(models.TextChoices):
    NONE = "0", "事業所なし"
    ONE = "1", "1拠点"
    SMALL = "2-4", "2～4拠点"
    MEDIUM = "5-9", "5～9拠点"
    LARGE = "10-", "10拠点以上"

    @classmethod
    def for_sites(cls, sites: int) -> "SizeBand":
        if sites <= 0:
            return cls.NONE
        if sites == 1:
            return cls.ONE
        if sites <= 4:
            return cls.SMALL
        if sites <= 9:
            return cls.MEDIUM
        return cls.LARGE


# Columns of Corporation derived from its establishments (services.corporations_refresh_size);
# they change with every import and are left out of the history.
DERIVED_FIELDS = [
    "site_count",
    "capacity_total",
    "size_band",
    "latitude",
    "longitude",
    "municipality",
    "service_types",
]
# Columns derived from the name and the establishments' names and places (partners/names.py).
TEXT_FIELDS = ["search_text", "sort_key"]


class Corporation(models.Model):
    """A care corporation, keyed by its 法人番号 (13 digits with the National Tax Agency's check)."""

    number = models.CharField(
        "法人番号", max_length=13, unique=True, validators=[validate_corporate_number]
    )
    name = models.CharField("法人名", max_length=200)
    kana = models.CharField("法人名カナ", max_length=200, blank=True)
    kind = models.CharField(
        "法人の種類", max_length=20, choices=CorporationKind.choices, default=CorporationKind.OTHER
    )
    address = models.CharField("所在地", max_length=300, blank=True)
    # Derived from the establishments after every import (see services.corporations_refresh_size).
    site_count = models.PositiveIntegerField("事業所数", default=0, editable=False)
    capacity_total = models.PositiveIntegerField(
        "定員の合計", null=True, blank=True, editable=False
    )
    size_band = models.CharField(
        "規模", max_length=10, choices=SizeBand.choices, default=SizeBand.NONE, editable=False
    )
    # Where the corporation works and what it offers, derived like the size so that matching
    # reads one row per corporation instead of aggregating establishments on every request.
    latitude = models.FloatField("緯度（事業所の中心）", null=True, blank=True, editable=False)
    longitude = models.FloatField("経度（事業所の中心）", null=True, blank=True, editable=False)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name="主な市区町村",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    service_types = models.JSONField("サービスの種類", default=list, editable=False)
    # Both derived from the name and the establishments (partners/names.py), by the same refresh.
    search_text = models.TextField(editable=False, default="")
    sort_key = models.CharField(
        "五十音順の読み", max_length=200, blank=True, default="", editable=False
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    history = HistoricalRecords(excluded_fields=[*TEXT_FIELDS, *DERIVED_FIELDS])
    objects = CorporationQuerySet.as_manager()

    class Meta:
        verbose_name = "法人"
        verbose_name_plural = "法人"
        ordering = ["number"]
        indexes = [
            models.Index(fields=["size_band"]),
            models.Index(fields=["latitude", "longitude"]),
            models.Index(fields=["sort_key", "number"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def services_label(self) -> str:
        return "、".join(self.service_types)


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "順番待ち"
    RUNNING = "running", "取り込み中"
    DONE = "done", "完了"
    FAILED = "failed", "失敗（ファイルを読めません）"
    # Stopped part-way (Ctrl-C, an error, a killed worker): the rows so far are saved and a rerun of
    # the same file completes it.
    INTERRUPTED = "interrupted", "中断"


class ImportRun(models.Model):
    """One import of one file: who, when, what file, and what it changed."""

    kind = models.CharField("種類", max_length=30, default="establishments")
    file_name = models.CharField("ファイル名", max_length=255)
    file_hash = models.CharField("SHA-256", max_length=64)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="実行した人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField("開始日時", auto_now_add=True)
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)
    status = models.CharField(
        "状態", max_length=20, choices=ImportStatus.choices, default=ImportStatus.RUNNING
    )
    rows = models.PositiveIntegerField("読んだ行", default=0)
    created = models.PositiveIntegerField("新規", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("変更なし", default=0)
    rejected = models.PositiveIntegerField("取り込めなかった行", default=0)
    # Rows of other prefectures: counted, not checked.
    skipped = models.PositiveIntegerField("対象外の都道府県の行", default=0)
    closed = models.PositiveIntegerField("最新データに掲載なしとした事業所", default=0)
    reopened = models.PositiveIntegerField("再び掲載された事業所", default=0)
    warnings = models.PositiveIntegerField("警告", default=0)
    # Warnings and rejected rows, one file (a column 種別 tells them apart).
    rejects_file = models.CharField("取り込めなかった行のファイル", max_length=500, blank=True)
    message = models.TextField("メッセージ", blank=True)
    progress = models.PositiveSmallIntegerField("進み具合（%）", default=0)
    # The date the national data describes (its 6月末/12月末), not the day the file was provided.
    as_of = models.DateField("データ時点", null=True, blank=True)
    prefecture = models.CharField("対象の都道府県", max_length=10, blank=True)  # blank: all
    # The files are complete national files of their service types: the absent are closed.
    snapshot = models.BooleanField("全件データとして取り込む", default=False)
    # One entry per CSV read (a file or a ZIP member): {"name", "rows", "done"} and, for one
    # left out, "skipped" with the reason; an upload's stored files also have "path".
    sources = models.JSONField("ファイルごとの進み具合", default=list, blank=True)
    # Written at the start and after every batch: a running import whose heartbeat went stale was
    # stopped without a chance to say so (a killed process) and is marked interrupted.
    heartbeat_at = models.DateTimeField("最後に進んだ日時", null=True, blank=True)
    # A file uploaded in the browser waits here until the worker imports it.
    upload = models.FileField(
        "アップロードされたファイル", upload_to="imports/uploads/", blank=True
    )

    class Meta:
        verbose_name = "取り込みの記録"
        verbose_name_plural = "取り込みの記録"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.started_at:%Y-%m-%d %H:%M}）"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.INTERRUPTED)

    @property
    def summary(self) -> str:
        return (
            f"created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}, skipped {self.skipped}, "
            f"closed {self.closed}, reopened {self.reopened}, warnings {self.warnings}"
        )

    @property
    def rows_total(self) -> int:
        return sum(s.get("rows", 0) for s in self.sources if not s.get("skipped"))


class Establishment(models.Model):
    """One service of one establishment: the same 事業所番号 appears once per service type."""

    number = models.CharField(
        "事業所番号", max_length=10, validators=[validate_establishment_number]
    )
    service_type = models.CharField("サービスの種類", max_length=80)
    name = models.CharField("事業所名", max_length=200)
    kana = models.CharField("事業所名カナ", max_length=200, blank=True)
    corporation = models.ForeignKey(
        Corporation,
        verbose_name="法人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="establishments",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name="市区町村",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="establishments",
    )
    address = models.CharField("住所", max_length=300, blank=True)
    building = models.CharField("方書（ビル名等）", max_length=200, blank=True)
    latitude = models.DecimalField("緯度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("経度", max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField("電話番号", max_length=30, blank=True)
    fax = models.CharField("FAX番号", max_length=30, blank=True)
    url = models.CharField("URL", max_length=500, blank=True)
    # 0 in the open data means "not entered", which we keep as NULL.
    capacity = models.PositiveIntegerField("定員", null=True, blank=True)
    available_days = models.CharField("利用可能曜日", max_length=100, blank=True)
    available_days_note = models.CharField("利用可能曜日特記事項", max_length=300, blank=True)
    shared_service = models.CharField(
        "高齢者と障害者が同時一体的に利用できるサービス", max_length=100, blank=True
    )
    meets_care_standard = models.CharField(
        "介護保険の通常の指定基準を満たしている", max_length=50, blank=True
    )
    meets_disability_standard = models.CharField(
        "障害福祉の通常の指定基準を満たしている", max_length=50, blank=True
    )
    remarks = models.TextField("備考", blank=True)
    search_text = models.TextField(editable=False, default="")
    last_import = models.ForeignKey(
        ImportRun,
        verbose_name="最後に更新した取り込み",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    # Set by a snapshot import that no longer lists it (the data date, or the import's day);
    # cleared when a later import lists it again. A closed establishment is never deleted.
    closed_on = models.DateField("最新データに掲載なし", null=True, blank=True)
    # The last import whose files listed it (changed or not): the snapshot's closing reads it.
    last_seen_import = models.ForeignKey(
        ImportRun,
        verbose_name="最後に掲載されていた取り込み",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["search_text", "last_seen_import"])
    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        verbose_name = "事業所"
        verbose_name_plural = "事業所"
        ordering = ["number", "service_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "service_type"], name="establishment_number_service_unique"
            )
        ]
        indexes = [models.Index(fields=["municipality", "service_type"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.service_type}）"


class Vocabulary(models.Model):
    """One value of a fixed list from portal.taxonomy; codes are stable."""

    code = models.CharField("コード", max_length=40, unique=True)
    label = models.CharField("名称", max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self) -> str:
        return self.label


class Challenge(Vocabulary):
    """A management challenge from the fixed list (portal.taxonomy.CHALLENGES)."""

    class Meta(Vocabulary.Meta):
        verbose_name = "経営課題"
        verbose_name_plural = "経営課題"


class Theme(Vocabulary):
    """A theme of interest: one of the six operations or back-office sharing."""

    class Meta(Vocabulary.Meta):
        verbose_name = "関心テーマ"
        verbose_name_plural = "関心テーマ"


class ProviderProfile(models.Model):
    """The window's survey of a corporation's intentions: challenges, themes, consent, contact."""

    corporation = models.OneToOneField(
        Corporation, verbose_name="法人", on_delete=models.CASCADE, related_name="profile"
    )
    challenges = models.ManyToManyField(Challenge, verbose_name="経営課題", blank=True)
    themes = models.ManyToManyField(Theme, verbose_name="関心テーマ", blank=True)
    consent_matching = models.BooleanField(
        "マッチングへの同意",
        default=False,
        help_text="同意した法人だけが、ほかの事業者に紹介候補として表示されます。",
    )
    contact_person = models.CharField("担当者", max_length=100, blank=True)
    contact = models.CharField("連絡先", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    # Optimistic lock (portal/changes.check_version): every save of the profile adds 1.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[challenges, themes])

    class Meta:
        verbose_name = "事業者プロフィール"
        verbose_name_plural = "事業者プロフィール"

    def __str__(self) -> str:
        return f"{self.corporation.name}のプロフィール"


# --- Introductions ----------------------------------------------------------------------------------
class IntroductionStatus(models.TextChoices):
    PROPOSED = "proposed", "提案"
    CONTACTED = "contacted", "連絡済み"
    ACCEPTED = "accepted", "全員が承諾"
    DECLINED = "declined", "辞退あり"
    MEETING_HELD = "meeting_held", "顔合わせ済み"
    FORMED = "formed", "協働体を結成"
    CLOSED = "closed", "終了"


# The moves staff may make by hand. ACCEPTED is never one of them: an introduction becomes accepted
# only when every party has answered yes (services.introduction_respond); DECLINED also follows
# from one party's decline.
INTRODUCTION_MOVES: dict[str, tuple[str, ...]] = {
    IntroductionStatus.PROPOSED: (IntroductionStatus.CONTACTED, IntroductionStatus.CLOSED),
    IntroductionStatus.CONTACTED: (IntroductionStatus.DECLINED, IntroductionStatus.CLOSED),
    IntroductionStatus.ACCEPTED: (
        IntroductionStatus.MEETING_HELD,
        IntroductionStatus.FORMED,
        IntroductionStatus.CLOSED,
    ),
    IntroductionStatus.DECLINED: (IntroductionStatus.CLOSED,),
    IntroductionStatus.MEETING_HELD: (IntroductionStatus.FORMED, IntroductionStatus.CLOSED),
    IntroductionStatus.FORMED: (),
    IntroductionStatus.CLOSED: (),
}
# Funnel order: how far an introduction got.
INTRODUCTION_FUNNEL = (
    IntroductionStatus.PROPOSED,
    IntroductionStatus.CONTACTED,
    IntroductionStatus.ACCEPTED,
    IntroductionStatus.MEETING_HELD,
    IntroductionStatus.FORMED,
)


class Introduction(models.Model):
    """Staff introduce two or more corporations to each other, with a note on why."""

    title = models.CharField("件名", max_length=200)
    note = models.TextField("紹介の理由・メモ", blank=True)
    status = models.CharField(
        "状態",
        max_length=20,
        choices=IntroductionStatus.choices,
        default=IntroductionStatus.PROPOSED,
    )
    theme = models.ForeignKey(
        Theme, verbose_name="テーマ", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提案した人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("提案日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = IntroductionQuerySet.as_manager()

    class Meta:
        verbose_name = "紹介"
        verbose_name_plural = "紹介"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def next_moves(self) -> tuple[str, ...]:
        return INTRODUCTION_MOVES[self.status]

    @property
    def accepts_answers(self) -> bool:
        """The parties answer while the introduction is proposed or contacted."""
        return self.status in (IntroductionStatus.PROPOSED, IntroductionStatus.CONTACTED)


class PartyResponse(models.TextChoices):
    PENDING = "pending", "回答待ち"
    ACCEPTED = "accepted", "承諾"
    DECLINED = "declined", "辞退"


class AnswerChannel(models.TextChoices):
    PHONE = "phone", "電話"
    EMAIL = "email", "メール"
    MEETING = "meeting", "面談"


class IntroductionParty(models.Model):
    introduction = models.ForeignKey(Introduction, on_delete=models.CASCADE, related_name="parties")
    corporation = models.ForeignKey(
        Corporation, verbose_name="法人", on_delete=models.PROTECT, related_name="introductions"
    )
    response = models.CharField(
        "回答", max_length=10, choices=PartyResponse.choices, default=PartyResponse.PENDING
    )
    responded_at = models.DateTimeField("回答日時", null=True, blank=True)
    # Who entered the answer: the party's own manager, or window staff recording on its behalf an
    # answer the party gave by phone, e-mail or in a meeting (how, when, and a note).
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回答を入力した人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_behalf = models.BooleanField("窓口が代理で記録", default=False)
    channel = models.CharField("受付方法", max_length=10, choices=AnswerChannel.choices, blank=True)
    received_on = models.DateField("受付日", null=True, blank=True)
    answer_note = models.TextField("回答のメモ", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "紹介の当事者"
        verbose_name_plural = "紹介の当事者"
        constraints = [
            models.UniqueConstraint(
                fields=["introduction", "corporation"], name="introduction_party_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.corporation}（{self.get_response_display()}）"

    @property
    def answered(self) -> bool:
        return self.response != PartyResponse.PENDING


class IntroductionEvent(models.Model):
    """The log of an introduction: every move and answer, with who and when."""

    introduction = models.ForeignKey(Introduction, on_delete=models.CASCADE, related_name="events")
    status = models.CharField("状態", max_length=20, choices=IntroductionStatus.choices)
    text = models.CharField("内容", max_length=300)
    note = models.TextField("メモ", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("日時", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "紹介の記録"
        verbose_name_plural = "紹介の記録"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text


# --- Theme sub-meetings -----------------------------------------------------------------------------
class SeriesFrequency(models.TextChoices):
    MONTHLY = "monthly", "毎月（同じ週の同じ曜日）"
    WEEKLY = "weekly", "毎週（同じ曜日）"


class MeetingSeries(models.Model):
    """A recurring sub-meeting (e.g. a monthly salon): its occurrences are generated from the rule,
    starting on `first_on` (a monthly series keeps the nth weekday of that date, e.g. 第2水曜日)."""

    title = models.CharField("名称", max_length=200)
    theme = models.ForeignKey(Theme, verbose_name="テーマ", on_delete=models.PROTECT)
    frequency = models.CharField(
        "繰り返し", max_length=10, choices=SeriesFrequency.choices, default=SeriesFrequency.MONTHLY
    )
    first_on = models.DateField("初回の開催日")
    starts_at = models.TimeField("開始時刻", null=True, blank=True)
    ends_at = models.TimeField("終了時刻", null=True, blank=True)
    place = models.CharField("会場", max_length=200, blank=True)
    online_url = models.URLField("オンライン会議のURL", max_length=500, blank=True)
    capacity = models.PositiveIntegerField("定員（人）", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "定例の分科会"
        verbose_name_plural = "定例の分科会"
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class SubMeeting(models.Model):
    """A theme sub-meeting (分科会) where similar providers sit together in small groups; also an
    event with a time, a place or online link, a capacity, invitations and minutes."""

    title = models.CharField("名称", max_length=200)
    theme = models.ForeignKey(Theme, verbose_name="テーマ", on_delete=models.PROTECT)
    held_on = models.DateField("開催日")
    starts_at = models.TimeField("開始時刻", null=True, blank=True)
    ends_at = models.TimeField("終了時刻", null=True, blank=True)
    place = models.CharField("会場", max_length=200, blank=True)
    online = models.BooleanField("オンライン開催", default=False)
    online_url = models.URLField("オンライン会議のURL", max_length=500, blank=True)
    capacity = models.PositiveIntegerField(
        "定員（人）", null=True, blank=True, help_text="空欄なら定員なし。"
    )
    rsvp_deadline = models.DateField("回答期限", null=True, blank=True)
    series = models.ForeignKey(
        MeetingSeries,
        verbose_name="定例の分科会",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    group_size = models.PositiveSmallIntegerField("1グループの人数（法人数）", default=4)
    note = models.TextField("メモ", blank=True)
    # Raised by every change of the date, time or place: the .ics SEQUENCE and the key of the
    # change mails (one per participant per version).
    version = models.PositiveIntegerField(default=1, editable=False)
    minutes = models.TextField("議事録", blank=True)
    minutes_file = models.FileField("議事録のファイル", upload_to="meetings/minutes/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = SubMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "テーマ別分科会"
        verbose_name_plural = "テーマ別分科会"
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "終了時刻は開始時刻より後にしてください。"})
        if self.rsvp_deadline and self.held_on and self.rsvp_deadline > self.held_on:
            raise ValidationError({"rsvp_deadline": "回答期限は開催日までの日付にしてください。"})

    @property
    def where(self) -> str:
        """The place as people read it: 会場, オンライン, or both."""
        parts = [self.place] if self.place else []
        if self.online or self.online_url:
            parts.append("オンライン")
        return "・".join(parts) or "未定"


class RsvpAnswer(models.TextChoices):
    PENDING = "pending", "未回答"
    ATTEND = "attend", "参加"
    DECLINE = "decline", "不参加"
    UNDECIDED = "undecided", "未定"


class SubMeetingParticipant(models.Model):
    meeting = models.ForeignKey(SubMeeting, on_delete=models.CASCADE, related_name="participants")
    corporation = models.ForeignKey(
        Corporation, verbose_name="法人", on_delete=models.PROTECT, related_name="+"
    )
    group = models.PositiveSmallIntegerField("グループ", null=True, blank=True)
    # Set when staff placed the corporation by hand; regrouping keeps it where it is.
    pinned = models.BooleanField("手で配置", default=False)
    # The invitation: sent once (invited_at), answered by the corporation (its manager in the
    # portal, or anyone holding the signed link of its mail).
    invited_at = models.DateTimeField("招待日時", null=True, blank=True)
    response = models.CharField(
        "出欠", max_length=10, choices=RsvpAnswer.choices, default=RsvpAnswer.PENDING
    )
    people = models.PositiveSmallIntegerField("参加人数", default=0)
    # Over capacity an attending answer waits; the first waiting one moves up when a place frees.
    waiting_since = models.DateTimeField("キャンセル待ちの受付日時", null=True, blank=True)
    answered_at = models.DateTimeField("回答日時", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回答した人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attended = models.BooleanField("当日の出席", null=True, blank=True)
    attended_people = models.PositiveSmallIntegerField("出席人数", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "分科会の参加法人"
        verbose_name_plural = "分科会の参加法人"
        ordering = ["group", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "corporation"], name="submeeting_participant_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.corporation)

    @property
    def waiting(self) -> bool:
        return self.waiting_since is not None

    @property
    def answer_label(self) -> str:
        if self.waiting:
            return "キャンセル待ち"
        return self.get_response_display()


class MeetingMailKind(models.TextChoices):
    INVITATION = "invitation", "招待"
    CHANGE = "change", "変更のお知らせ"
    REMINDER = "reminder", "開催前のお知らせ"
    PROMOTED = "promoted", "キャンセル待ちからの繰り上げ"


class MeetingMail(models.Model):
    """One mail to one invited corporation, created once (unique kind and key) and stamped when
    sent under a row lock, so that a repeated scan or a re-delivered task sends nothing twice."""

    participant = models.ForeignKey(
        SubMeetingParticipant, on_delete=models.CASCADE, related_name="mails"
    )
    kind = models.CharField("種類", max_length=20, choices=MeetingMailKind.choices)
    # What makes a mail of that kind distinct: the meeting version for a change, else empty.
    key = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    sent_at = models.DateTimeField("送信日時", null=True, blank=True)
    recipients = models.JSONField("宛先", default=list, blank=True)

    class Meta:
        verbose_name = "分科会のメール"
        verbose_name_plural = "分科会のメール"
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "kind", "key"], name="meeting_mail_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.participant}）"


class MeetingQuestionnaire(models.Model):
    """A corporation's short answers before the meeting; with its manager's agreement they also
    update the corporation's profile (through profile_update, with history)."""

    participant = models.OneToOneField(
        SubMeetingParticipant, on_delete=models.CASCADE, related_name="questionnaire"
    )
    challenges = models.ManyToManyField(Challenge, verbose_name="経営課題", blank=True)
    themes = models.ManyToManyField(Theme, verbose_name="関心テーマ", blank=True)
    comment = models.TextField("当日話したいこと", blank=True)
    update_profile = models.BooleanField("法人の基本情報に反映する", default=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField("回答日時", default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "分科会の事前アンケート"
        verbose_name_plural = "分科会の事前アンケート"

    def __str__(self) -> str:
        return f"{self.participant}のアンケート"


class MatchWeights(models.Model):
    """The window's default weights for matchmaking (one row); staff may change them."""

    region = models.PositiveSmallIntegerField("地域の近さ", default=35)
    size = models.PositiveSmallIntegerField("規模", default=15)
    challenges = models.PositiveSmallIntegerField("共通の課題", default=20)
    themes = models.PositiveSmallIntegerField("共通の関心テーマ", default=20)
    services = models.PositiveSmallIntegerField("補い合えるサービス", default=10)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "マッチングの重み"
        verbose_name_plural = "マッチングの重み"

    def __str__(self) -> str:
        return "マッチングの重み"
