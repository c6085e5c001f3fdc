"""Fill an installation with demo data; safe to run again (later issues add their own data)."""

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
        "社会福祉法人 みらい福祉会（デモ）",
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
    """Create or update one demo account; return it and whether anything changed."""
    user = User.objects.filter(email__iexact=spec.email).first()
    created = user is None
    if created:
        user = User(email=spec.email)
    wanted = {
        "full_name": spec.full_name,
        "role": spec.role,
        "organization": spec.organization,
        "corporation_number": spec.corporation_number,
        "is_superuser": spec.superuser,
        "is_staff": spec.superuser,
        "is_active": True,
        "is_demo": True,
    }
    changed = created or any(getattr(user, k) != v for k, v in wanted.items())
    for key, value in wanted.items():
        setattr(user, key, value)
    if with_password and not user.check_password(spec.password):
        user.set_password(spec.password)
        changed = True
    elif not with_password and user.has_usable_password():
        user.set_unusable_password()
        changed = True
    if changed:
        user.full_clean(exclude=["password"])
        user._change_reason = "seed_demo"
        user.save()
    return user, changed


class Command(BaseCommand):
    help = (
        "デモ用のデータ（各役割のデモ利用者など）を作成します。何度実行しても同じ結果になります。"
    )

    def handle(self, *args, **options):
        with_password = settings.PORTAL_DEMO_LOGINS
        changed_count = 0
        with transaction.atomic():
            for spec in DEMO_USERS:
                _user, changed = demo_user_ensure(spec, with_password=with_password)
                changed_count += changed
        self.stdout.write(f"デモ利用者: {len(DEMO_USERS)}人（変更 {changed_count}件）")
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
