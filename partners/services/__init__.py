"""Every write of the registry. `registry` holds derived sizes, profiles, introductions,
sub-meetings and matching weights; `imports` is the one home of the open-data and profile imports
(the command line and the browser upload both call it); `events` makes sub-meetings events
(invitations, answers, reminders, attendance, minutes, series), `services.events.<name>`."""

from partners.services import events
from partners.services.events import submeeting_remove
from partners.services.imports import (
    UnusableFile,
    establishments_import,
    import_run_upload,
    import_runs_mark_interrupted,
    import_upload,
    profiles_import,
)
from partners.services.registry import (
    EditConflict,
    corporations_refresh_size,
    introduction_move,
    introduction_propose,
    introduction_record_answer,
    introduction_respond,
    match_weights_update,
    profile_update,
    submeeting_add,
    submeeting_create,
    submeeting_group,
    submeeting_move,
)

__all__ = [
    "EditConflict",
    "UnusableFile",
    "corporations_refresh_size",
    "establishments_import",
    "events",
    "import_run_upload",
    "import_runs_mark_interrupted",
    "import_upload",
    "introduction_move",
    "introduction_propose",
    "introduction_record_answer",
    "introduction_respond",
    "match_weights_update",
    "profile_update",
    "profiles_import",
    "submeeting_add",
    "submeeting_create",
    "submeeting_group",
    "submeeting_move",
    "submeeting_remove",
]
