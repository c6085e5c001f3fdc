"""Vocabularies shared by several apps, so each domain word has one code everywhere."""

from portal.params import parse_int

# The six 社会福祉連携推進業務 plus back-office sharing: the report's theme taxonomy.
OPERATIONS = (
    ("community", "地域福祉支援"),
    ("disaster", "災害時支援"),
    ("management", "経営支援"),
    ("lending", "貸付"),
    ("workforce", "人材確保・育成"),
    ("supplies", "物資等供給"),
    ("backoffice", "バックオフィス効率化"),
)

# Management challenges a provider can name in the window's survey of intentions.
CHALLENGES = (
    ("recruiting", "人材確保（採用）"),
    ("retention", "職員の定着・育成"),
    ("management_stability", "経営の安定"),
    ("purchasing_costs", "仕入れ・購買コスト"),
    ("backoffice_ict", "バックオフィス・ICT"),
    ("disaster", "災害への備え"),
    ("succession", "事業承継"),
    ("no_family_support", "身寄りのない方への支援"),
    ("local_needs", "地域の困りごとへの対応"),
)


# Stage ①–⑥ and the STEP each belongs to (the ministry's 2026 guideline groups them so).
STAGES = (
    (1, "連携の契機と課題の共有", 1),
    (2, "信頼醸成・試験的連携", 1),
    (3, "連携の公式化と目標策定", 2),
    (4, "協働活動の実行", 3),
    (5, "成果の検証と評価", 3),
    (6, "改善と深化", 3),
)
# The report names stage ④ of loose collaborations (緩やかな連携) differently: there the members
# act together towards goals they set, rather than running the operations of a legal entity.
LOOSE_STAGE_TITLES = {4: "協働及び目標に向けた取り組みの実行"}


def stage_title(stage: int, form: str = "close") -> str:
    """The stage's name as the report gives it for this form of collaboration."""
    if form == "loose" and stage in LOOSE_STAGE_TITLES:
        return LOOSE_STAGE_TITLES[stage]
    return STAGES[stage - 1][1]


STEPS = {1: "STEP1 仲間をつくる", 2: "STEP2 協働化を検討する", 3: "STEP3 協働し、PDCAを回す"}
STAGE_MARKS = "①②③④⑤⑥"


def step_of(stage: int) -> int:
    """STEP1 is stages ①②, STEP2 is ③, STEP3 is ④⑤⑥."""
    return STAGES[stage - 1][2]


STAGE_NUMBERS = tuple(number for number, _, _ in STAGES)


def first_stage_of(step: int) -> int:
    """STEP1 starts at ①, STEP2 at ③, STEP3 at ④."""
    return min(number for number, _, s in STAGES if s == step)


def next_step_first_stage(stage: int) -> int | None:
    """The first stage of the STEP after this stage's STEP (None in the last STEP)."""
    later = [number for number, _, s in STAGES if s == step_of(stage) + 1]
    return min(later) if later else None


def stages_of_step(step: int) -> tuple[int, ...]:
    """The stages a STEP spans: STEP1 is (1, 2), STEP2 is (3,), STEP3 is (4, 5, 6)."""
    return tuple(number for number, _, s in STAGES if s == step)


def parse_stage(raw: object) -> int | None:
    """A stage number ①–⑥ written in a request parameter, else None (never an error)."""
    value = parse_int(raw)
    return value if value in STAGE_NUMBERS else None
