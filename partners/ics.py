"""The iCalendar (.ics) entry of a sub-meeting: the page's download and the mail's attachment."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from partners.models import SubMeeting

TOKYO = ZoneInfo("Asia/Tokyo")


def meeting_calendar(meeting: SubMeeting) -> bytes:
    """One VEVENT in Asia/Tokyo (a whole day when no time is set), with the place or the online
    link as its location; SEQUENCE follows the meeting's version so calendars take changes."""
    base = settings.PORTAL_BASE_URL.rstrip("/")
    calendar = Calendar()
    calendar.add("prodid", "-//kyodo-portal//分科会//JA")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    host = base.split("://", 1)[-1].split("/", 1)[0] or "kyodo-portal"
    event.add("uid", f"submeeting-{meeting.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("sequence", meeting.version)
    event.add("summary", meeting.title)
    if meeting.starts_at:
        start = dt.datetime.combine(meeting.held_on, meeting.starts_at, tzinfo=TOKYO)
        end_time = meeting.ends_at or (start + dt.timedelta(hours=2)).time()
        event.add("dtstart", start)
        event.add("dtend", dt.datetime.combine(meeting.held_on, end_time, tzinfo=TOKYO))
    else:
        event.add("dtstart", meeting.held_on)
        event.add("dtend", meeting.held_on + dt.timedelta(days=1))
    location = "・".join(p for p in [meeting.place, meeting.online_url] if p)
    if location:
        event.add("location", location)
    if meeting.online_url:
        event.add("url", meeting.online_url)
    lines = [f"テーマ：{meeting.theme.label}", f"会場：{meeting.where}"]
    if meeting.online_url:
        lines.append(f"オンライン会議：{meeting.online_url}")
    lines.append(f"詳細：{base}{reverse('partners:meeting_invitation', args=[meeting.pk])}")
    event.add("description", "\n".join(lines))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
