"""Rank partner candidates for one corporation, as the matching page does for staff.

manage.py match 3510001012345 --top 10 --json
"""

import json

from django.core.management.base import BaseCommand, CommandError

from partners import selectors
from partners.access import RegistryViewer
from partners.matching import Weights
from portal.validators import is_valid_corporate_number


class Command(BaseCommand):
    help = "法人番号で指定した法人の連携先の候補を、点数と理由つきで表示します。"

    def add_arguments(self, parser):
        parser.add_argument("number", metavar="法人番号")
        parser.add_argument("--top", type=int, default=10, help="表示する件数（既定 10）")
        parser.add_argument("--json", action="store_true", help="JSONの配列で出力する")
        parser.add_argument(
            "--complementary-size", action="store_true", help="規模の違う相手を優先する"
        )

    def handle(self, *args, number, top, json: bool, complementary_size, **options):
        number = number.strip().replace("-", "")
        if not is_valid_corporate_number(number):
            raise CommandError(f"「{number}」は法人番号（13桁・検査数字つき）ではありません。")
        if top < 1:
            raise CommandError("--top には1以上を指定してください。")
        corporation = selectors.corporation_for(number=number)
        if corporation is None:
            raise CommandError(f"法人番号 {number} の法人は台帳にありません。")
        base = selectors.default_weights()
        weights = Weights(
            region=base.region,
            size=base.size,
            challenges=base.challenges,
            themes=base.themes,
            services=base.services,
            complementary_size=complementary_size,
        )
        matches = selectors.match_candidates(
            # The command runs on the server with the window staff's view of the registry.
            corporation=corporation,
            viewer=RegistryViewer.system(),
            weights=weights,
            top=top,
        )
        if json:
            self.stdout.write(_dumps([m.as_json() for m in matches]))
            return
        self.stdout.write(f"{corporation.name}（{corporation.number}）の連携先の候補")
        for rank, m in enumerate(matches, start=1):
            self.stdout.write(
                f"{rank:>3}. {m.score:5.1f}点 {m.candidate.name}（{m.candidate.number}）"
            )
            for reason in m.reasons:
                self.stdout.write(f"       - {reason}")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
