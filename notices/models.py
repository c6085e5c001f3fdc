"""Notices to one user each, and each user's choice of how every kind reaches them by mail."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from notices.querysets import NoticeQuerySet


class NoticeKind(models.TextChoices):
    INTRODUCTION_PROPOSED = "introduction_proposed", "法人への紹介の提案"
    INTRODUCTION_WAITING = "introduction_waiting", "回答待ちの紹介（催促）"
    INTRODUCTION_ANSWERED = "introduction_answered", "紹介への回答"
    INTRODUCTION_ACCEPTED = "introduction_accepted", "紹介の全員承諾"
    INTRODUCTION_DECLINED = "introduction_declined", "紹介の辞退"
    CONSORTIUM_INVITATION = "consortium_invitation", "協働体への招待"
    CONSULTATION_ASSIGNED = "consultation_assigned", "相談の担当の割り当て"
    CONSULTATION_FOLLOW_UP = "consultation_follow_up", "相談の次の対応日"
    REFERRAL_CHANGED = "referral_changed", "専門家の紹介依頼の進み具合"
    ACTION_DUE = "action_due", "期限が近いアクション"
    ACTION_OVERDUE = "action_overdue", "期限を過ぎたアクション"
    CONSORTIUM_STALLED = "consortium_stalled", "活動が止まっている協働体"
    REPORT_FINISHED = "report_finished", "依頼した帳票の作成結果"
    MEETING = "meeting", "分科会の案内・変更・リマインド"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "即時"
    DIGEST = "digest", "まとめて（毎朝）"
    OFF = "off", "受け取らない"


# Answers needed and overdue items are mailed at once; everything else waits for the digest.
_IMMEDIATE_BY_DEFAULT = {
    NoticeKind.INTRODUCTION_PROPOSED,
    NoticeKind.INTRODUCTION_WAITING,
    NoticeKind.CONSORTIUM_INVITATION,
    NoticeKind.CONSULTATION_FOLLOW_UP,
    NoticeKind.ACTION_OVERDUE,
    NoticeKind.MEETING,
}
DEFAULT_DELIVERY: dict[str, str] = {
    kind: str(Delivery.IMMEDIATE if kind in _IMMEDIATE_BY_DEFAULT else Delivery.DIGEST)
    for kind in NoticeKind.values
}


class Notice(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="受け取る人",
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField("種類", max_length=40, choices=NoticeKind.choices)
    title = models.CharField("件名", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("リンク先", max_length=500, blank=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    # The same event never notifies a person twice: the key names the event (object and day).
    key = models.CharField("重複防止キー", max_length=200)
    # How the mail goes, fixed when the notice is made (the recipient's setting at that moment).
    delivery = models.CharField(
        "メールの送り方", max_length=10, choices=Delivery.choices, default=Delivery.DIGEST
    )
    created_at = models.DateTimeField("日時", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("既読日時", null=True, blank=True)
    emailed_at = models.DateTimeField("メール送信日時", null=True, blank=True)
    digested_at = models.DateTimeField("まとめメール送信日時", null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "お知らせ"
        verbose_name_plural = "お知らせ"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notice_once_per_recipient")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NoticePreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    kind = models.CharField("種類", max_length=40, choices=NoticeKind.choices)
    delivery = models.CharField("メールの送り方", max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "お知らせの受け取り方"
        verbose_name_plural = "お知らせの受け取り方"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notice_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user}：{self.get_kind_display()}"


def content_type_of(obj) -> ContentType | None:
    return ContentType.objects.get_for_model(obj) if obj is not None else None
