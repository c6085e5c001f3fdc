"""Tables of the case library: prefectures, the tag taxonomies and cases told in six stages."""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from cases.querysets import CaseQuerySet
from portal.taxonomy import STAGE_MARKS, STAGES, stage_title


class Region(models.TextChoices):
    HOKKAIDO = "hokkaido", "北海道"
    TOHOKU = "tohoku", "東北"
    KANTO = "kanto", "関東"
    CHUBU = "chubu", "中部"
    KINKI = "kinki", "近畿"
    CHUGOKU = "chugoku", "中国"
    SHIKOKU = "shikoku", "四国"
    KYUSHU = "kyushu", "九州・沖縄"


class Prefecture(models.Model):
    """The 47 prefectures with their JIS X 0401 codes (reference data, loaded by a migration)."""

    code = models.CharField("都道府県コード", max_length=2, primary_key=True)
    name = models.CharField("都道府県名", max_length=10, unique=True)
    kana = models.CharField("よみ", max_length=20)
    region = models.CharField("地方", max_length=10, choices=Region.choices)

    class Meta:
        verbose_name = "都道府県"
        verbose_name_plural = "都道府県"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Form(models.TextChoices):
    CLOSE = "close", "緊密な連携"
    LOOSE = "loose", "緩やかな連携"


class AreaScope(models.TextChoices):
    SINGLE_MUNICIPALITY = "single_municipality", "同一市区町村内"
    MULTI_MUNICIPALITY = "multi_municipality", "複数の市区町村（同一都道府県内）"
    CROSS_PREFECTURE = "cross_prefecture", "複数の都道府県にまたがる"


class Status(models.TextChoices):
    DRAFT = "draft", "下書き"
    PUBLISHED = "published", "公開"


class SourceKind(models.TextChoices):
    REPORT = "report", "2026年調査研究報告書"
    LOCAL = "local", "窓口が追加した地域の事例"


class TagKind(models.TextChoices):
    OPERATION = "operation", "協働内容"
    REASON = "reason", "協働化の理由"
    ORIGIN = "origin", "きっかけ（関係性）"
    EFFECT = "effect", "効果"


class Tag(models.Model):
    """One value of a taxonomy (operations, reasons, origins, effects); codes are stable."""

    kind = models.CharField("分類", max_length=20, choices=TagKind.choices)
    code = models.CharField("コード", max_length=40)
    label = models.CharField("名称", max_length=60)
    description = models.CharField("説明", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField("並び順", default=0)

    class Meta:
        verbose_name = "タグ"
        verbose_name_plural = "タグ"
        ordering = ["kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="tag_kind_code_unique")
        ]

    def __str__(self) -> str:
        return self.label


class Case(models.Model):
    """A collaboration told in six stages: one of the report's 29, or a local case added by staff."""

    number = models.PositiveIntegerField("事例番号", unique=True)
    source_kind = models.CharField(
        "出典の種類", max_length=10, choices=SourceKind.choices, default=SourceKind.LOCAL
    )
    status = models.CharField(
        "公開状態", max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    name = models.CharField("名称", max_length=200)
    name_kana = models.CharField("名称のよみ", max_length=300, blank=True)
    short_name = models.CharField("略称", max_length=120, blank=True)
    aliases = models.JSONField("別表記", default=list, blank=True)
    form = models.CharField("連携の形態", max_length=10, choices=Form.choices)
    legal_form = models.CharField("法人格・組織形態", max_length=60)
    prefectures = models.ManyToManyField(Prefecture, verbose_name="都道府県", related_name="cases")
    municipalities = models.JSONField("市区町村", default=list, blank=True)
    area_scope = models.CharField("連携の範囲", max_length=30, choices=AreaScope.choices)
    founded_year = models.PositiveSmallIntegerField("設立・認定年", null=True, blank=True)
    founded_note = models.CharField("設立年の出典", max_length=300, blank=True)
    member_count = models.PositiveSmallIntegerField("参加法人数", null=True, blank=True)
    member_count_source = models.CharField("参加法人数の出典", max_length=300, blank=True)
    member_makeup = models.JSONField("参加法人の構成", default=list, blank=True)
    # Every count with its unit (法人・施設・事業所・団体) and source (本文 / 図表2-2), and every
    # year with what it is the year of: the facts box shows these, never a bare number.
    counts = models.JSONField("法人数等（単位・出典つき）", default=list, blank=True)
    years = models.JSONField("主な年（出来事・出典つき）", default=list, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name="タグ", related_name="cases", blank=True)
    tag_evidence = models.JSONField("タグの根拠", default=dict, blank=True)
    summary = models.TextField("概要")
    stage_1 = models.TextField("①連携の契機と課題の共有", blank=True)
    stage_2 = models.TextField("②信頼醸成・試験的連携", blank=True)
    stage_3 = models.TextField("③連携の公式化と目標策定", blank=True)
    stage_4 = models.TextField("④協働活動の実行", blank=True)
    stage_5 = models.TextField("⑤成果の検証と評価", blank=True)
    stage_6 = models.TextField("⑥改善と深化", blank=True)
    key_points = models.JSONField("ポイント", default=list, blank=True)
    lessons = models.JSONField("直面した課題と工夫", default=list, blank=True)
    figures = models.JSONField("主な数値", default=list, blank=True)
    table_notes = models.JSONField("集計表との違い", default=list, blank=True)
    url = models.URLField("公開URL", blank=True)
    source = models.CharField("出典", max_length=200, blank=True)
    # Normalised text (NFKC, hiragana, lower case) of everything a search should find.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    # Optimistic lock (portal/changes.check_version): every save of the fields or relations adds 1.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["search_text"], m2m_fields=[tags, prefectures])

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "事例"
        verbose_name_plural = "事例"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"事例{self.number} {self.name}"

    def clean(self):
        super().clean()
        if self.founded_year is not None and not 1950 <= self.founded_year <= 2100:
            raise ValidationError({"founded_year": "設立年は西暦4桁で入力してください。"})

    def stage_text(self, stage: int) -> str:
        return getattr(self, f"stage_{stage}")

    @property
    def reason_tags(self) -> list:
        """Its 協働化の理由 tags (from prefetched tags: no query of its own)."""
        return [t for t in self.tags.all() if t.kind == "reason"]

    @property
    def origin_tags(self) -> list:
        return [t for t in self.tags.all() if t.kind == "origin"]

    @property
    def count_lines(self) -> list[str]:
        """「参加法人 5法人（本文④）」: each count with its unit, source and note, as the facts box shows it."""
        lines = []
        for count in self.counts or []:
            text = f"{count.get('label', '')} {count['value']}{count.get('unit', '')}"
            if count.get("approx"):
                text += "程度"
            text += f"（{count.get('source') or '出典不明'}）"
            if count.get("note"):
                text += f"：{count['note']}"
            lines.append(text)
        return lines

    @property
    def year_lines(self) -> list[str]:
        """「平成28年（2016年） 前身の一般社団法人を設立（本文③）」: each year says what it is of."""
        lines = []
        for year in self.years or []:
            written = year.get("as_written") or f"{year['year']}年"
            western = f"{year['year']}年"
            when = written if written.startswith(western) else f"{written}（{western}）"
            lines.append(f"{when} {year.get('event', '')}（{year.get('source') or '出典不明'}）")
        return lines

    @property
    def stages(self) -> list[dict]:
        return [
            {
                "number": number,
                "mark": STAGE_MARKS[number - 1],
                "title": stage_title(number, self.form),
                "step": step,
                "text": self.stage_text(number),
            }
            for number, _title, step in STAGES
        ]
