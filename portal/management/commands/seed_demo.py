"""Fill an installation with the demo data it lacks; never overwrites what people changed."""

from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.demo import seeders
from portal.models import Role, User


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    full_name: str
    role: str
    organization: str
    corporation_number: str = ""
    superuser: bool = False


DEMO_USERS = (
    DemoUser(
        "madoguchi@example.jp",
        "madoguchi-demo-2026",
        "窓口 さくら",
        Role.STAFF,
        "介護生産性向上総合相談センター",
    ),
    DemoUser(
        "jigyosha@example.jp",
        "jigyosha-demo-2026",
        "事業 たろう",
        Role.MANAGER,
        "社会福祉法人みすず福祉会",  # the name of corporation_number in the registry's demo data
        corporation_number="3510001012345",
    ),
    DemoUser(
        "kencho@example.jp",
        "kencho-demo-2026",
        "県庁 はなこ",
        Role.OFFICIAL,
        "健康福祉部 介護支援課",
    ),
    DemoUser(
        "admin@example.jp",
        "admin-demo-2026",
        "管理者 デモ",
        Role.STAFF,
        "システム管理",
        superuser=True,
    ),
)


def demo_user_ensure(spec: DemoUser, *, with_password: bool) -> tuple[User, bool]:
    """Create a missing demo account; return it and whether anything changed.

    An existing account keeps whatever was changed since (name, role, switched off, password):
    the seed runs at every `make run` and must not undo work. Two things are still made sure of:
    where demo logins are off it has no password, and where they are on one without any password
    gets the demo one (the password printed below then works).
    """
    user = User.objects.filter(email__iexact=spec.email).first()
    created = user is None
    if user is None:
        user = User(
            email=spec.email,
            full_name=spec.full_name,
            role=spec.role,
            organization=spec.organization,
            corporation_number=spec.corporation_number,
            is_superuser=spec.superuser,
            is_staff=spec.superuser,
            is_active=True,
            is_demo=True,
        )
        user.set_unusable_password()
    changed = created
    if with_password and not user.has_usable_password():
        user.set_password(spec.password)
        changed = True
    elif not with_password and user.has_usable_password():
        user.set_unusable_password()
        changed = True
    if changed:
        user.full_clean(exclude=["password"])
        user._change_reason = "seed_demo"  # type: ignore[attr-defined]  # simple-history
        user.save()
    return user, changed


class Command(BaseCommand):
    help = (
        "デモ用のデータ（各役割のデモ利用者、事例、事業者台帳など）のうち、ないものだけを"
        "作成します。編集された内容は上書きしません（報告書の事例を読み込み直すには load_cases）。"
    )

    def handle(self, *args, **options):
        with_password = settings.PORTAL_DEMO_LOGINS
        emails = [spec.email for spec in DEMO_USERS]
        existing = User.objects.filter(email__in=emails).count()
        changed_count = 0
        with transaction.atomic():
            for spec in DEMO_USERS:
                _user, changed = demo_user_ensure(spec, with_password=with_password)
                changed_count += changed
        created = len(DEMO_USERS) - existing
        self.stdout.write(
            f"デモ利用者: {len(DEMO_USERS)}人（新規 {created}件、変更 {changed_count - created}件）"
        )
        if with_password:
            self.stdout.write("デモ用ログイン（この環境でだけ使えます）:")
            for spec in DEMO_USERS:
                role = "管理者" if spec.superuser else Role(spec.role).label
                self.stdout.write(f"  {role}: {spec.email} / {spec.password}")
        else:
            self.stdout.write(
                "この環境ではデモ用アカウントではログインできません（パスワード未設定）。"
            )
        for _label, seeder in seeders():
            seeder(self.stdout.write)
