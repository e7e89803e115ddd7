"""Build the demo scenario: three weeks of synthetic posts around a modeled outage.

Everything written here is SYNTHETIC and marked so (``synthetic: true`` in each post; the demo
store flags the posts). It models:

* background chatter about several watched organizations with a daily and weekly rhythm, on
  Reddit, Bluesky and Mastodon, plus a trickle of ordinary small complaints;
* an outage modeled on the Kaiser Permanente data-center outage of 28 May 2025 (pharmacy, lab,
  radiology, video visits, billing, message center, records and call center; Northern
  California, Oregon/SW Washington, Southern California, Maryland), acknowledged on the
  status page 75 minutes after the first reports;
* a smaller, unrelated Walgreens app and pharmacy outage a week earlier, never acknowledged;
* hard negatives: news shares, hearsay, jokes, "kaiser roll", and a burst of strike news.
"""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from outagewatch.demo import texts

START = datetime(2025, 5, 7, 7, 0, tzinfo=UTC)
END = datetime(2025, 5, 29, 7, 0, tzinfo=UTC)
KP_OUTAGE = datetime(2025, 5, 28, 17, 10, tzinfo=UTC)
KP_ACK = KP_OUTAGE + timedelta(minutes=75)
WALGREENS_OUTAGE = datetime(2025, 5, 21, 15, 30, tzinfo=UTC)
STRIKE_NEWS = datetime(2025, 5, 14, 16, 0, tzinfo=UTC)
PACIFIC = timedelta(hours=-7)
DEMO_ORGS = ("kaiser", "walgreens", "cvs")


@dataclass(frozen=True, slots=True)
class ScenarioInfo:
    """What was built, for the demo's summary."""

    folder: Path
    posts: int
    kp_reports: int
    walgreens_reports: int


def _daily_shape(t: datetime) -> float:
    """Relative activity by Pacific hour and weekday: quiet nights, busier weekdays."""
    local = t + PACIFIC
    hour = local.hour + local.minute / 60
    day = 0.15 + 0.85 * max(math.sin(math.pi * (hour - 6) / 17), 0.0) if 6 <= hour <= 23 else 0.15
    return day * (0.6 if local.weekday() >= 5 else 1.0)


class _Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.posts: list[dict] = []

    def add(self, source: str, t: datetime, text: str, channel: str, **extra: object) -> None:
        n = len(self.posts)
        author = extra.pop("author", None) or f"{source[:2]}user{self.rng.randrange(40_000)}"
        post = {"source": source, "id": f"demo{n:06d}", "text": text, "created_at": t.isoformat(),
                "channel": channel, "author": author, "synthetic": True, **extra}  # fmt: skip
        if source == "reddit" and "title" not in post and post.get("kind") != "comment":
            post["title"], post["text"] = _title_and_body(text)
        self.posts.append(post)

    def social(self, t: datetime, text: str, subreddit: str, hashtag: str, location: str | None = None) -> None:
        """One post on a random social source."""
        source = self.rng.choices(("reddit", "bluesky", "mastodon"), weights=(45, 35, 20))[0]
        channel = {"reddit": subreddit, "bluesky": "jetstream", "mastodon": hashtag}[source]
        extra = {"location": location} if location and source != "reddit" else {}
        self.add(source, t, text, channel, **extra)


def _title_and_body(text: str) -> tuple[str, str]:
    """Split a post into a Reddit title and body at its first sentence or clause break."""
    match = re.search(r"[.!?,:]\s+", text)
    if match is None or match.end() >= len(text):
        return text, ""
    return text[: match.start() + 1].rstrip(",:"), text[match.end() :]


def _without_place(template: str) -> str:
    return re.sub(r"\s*(?:in |at )?\{place\}:?", "", template).replace("  ", " ")


def _background(w: _Writer) -> None:
    rates = {"kaiser": 1.6, "walgreens": 0.6, "cvs": 0.5}  # posts per hour at the daily peak
    subs = {"kaiser": "KaiserPermanente", "walgreens": "Walgreens", "cvs": "CVS"}
    tags = {"kaiser": "kaiserpermanente", "walgreens": "walgreens", "cvs": "cvs"}
    t = START
    while t < END:
        shape = _daily_shape(t)
        for org, rate in rates.items():
            for _ in range(_poisson(w.rng, rate * shape / 12)):
                at = t + timedelta(seconds=w.rng.randrange(300))
                w.social(at, w.rng.choice(texts.BACKGROUND[org]), subs[org], tags[org])
        if w.rng.random() < 0.3 * shape / 12:  # an ordinary small complaint now and then
            template = w.rng.choice(texts.KP_OUTAGE)[1]
            place, _, _ = w.rng.choice(texts.KP_PLACES)
            w.social(t, template.format(place=place), "KaiserPermanente", "kaiserpermanente")
        if w.rng.random() < 0.35 * shape / 12:
            w.social(t, w.rng.choice(texts.HARD_NEGATIVES), "bayarea", "healthcareoutage")
        t += timedelta(minutes=5)


def _poisson(rng: random.Random, lam: float) -> int:
    n, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return n
        n += 1


def _kp_outage(w: _Writer) -> int:
    """Reports rise over 30 minutes, hold for three hours and fade over three more."""
    n = 0
    for minute in range(0, 6 * 60 + 30, 5):
        level = min(minute / 30, 1.0) if minute < 210 else max(1 - (minute - 210) / 180, 0.05)
        t0 = KP_OUTAGE + timedelta(minutes=minute)
        for _ in range(_poisson(w.rng, 11 * level + 0.3)):
            at = t0 + timedelta(seconds=w.rng.randrange(300))
            _, template = w.rng.choice(texts.KP_OUTAGE)
            place, state, region = w.rng.choice(texts.KP_PLACES)
            how = w.rng.random()
            if how < 0.2:  # the region is only in the channel (r/bayarea, r/Portland, ...)
                sub = next(s for s, r in texts.KP_CHANNELS if r == region)
                w.add("reddit", at, _without_place(template), sub)
            elif how < 0.35:  # only in the author's profile location
                w.social(
                    at, _without_place(template), "KaiserPermanente", "kaiserpermanente", location=f"{place}, {state}"
                )
            else:
                w.social(at, template.format(place=place), "KaiserPermanente", "kaiserpermanente")
            n += 1
        if minute >= 120 and w.rng.random() < 0.5:  # news and hearsay follow the outage
            text = w.rng.choice(texts.KP_NEWS).format(url=f"https://news.example/kp-{minute}")
            w.social(t0 + timedelta(seconds=w.rng.randrange(300)), text, "bayarea", "healthcareoutage")
    return n


def _walgreens_outage(w: _Writer) -> int:
    n = 0
    for minute in range(0, 90, 5):
        level = min(minute / 15, 1.0) if minute < 60 else 0.4
        for _ in range(_poisson(w.rng, 4 * level + 0.2)):
            at = WALGREENS_OUTAGE + timedelta(minutes=minute, seconds=w.rng.randrange(300))
            _, template = w.rng.choice(texts.WALGREENS_OUTAGE)
            place, _ = w.rng.choice(texts.WALGREENS_PLACES)
            w.social(at, template.format(place=place), "Walgreens", "walgreens")
            n += 1
    return n


def _strike_news(w: _Writer) -> None:
    """A burst of shared news: many posts about Kaiser in an hour, none of them a report."""
    for i in range(45):
        at = STRIKE_NEWS + timedelta(seconds=w.rng.randrange(3600))
        text = w.rng.choice(texts.STRIKE_NEWS).format(url=f"https://news.example/strike-{i % 3}")
        w.social(at, text, "bayarea", "kaiserpermanente")


def _status_feed(w: _Writer) -> None:
    """The official status page: a planned maintenance notice, then the outage and its fix."""
    entries = (
        (datetime(2025, 5, 11, 8, 0, tzinfo=UTC), "Scheduled maintenance: kp.org will be unavailable Sunday 2-4 AM PT"),
        (KP_ACK, "Investigating: members may be unable to use pharmacy, lab, imaging, video visits, "
                 "billing, message center and phone services. We are working to restore systems."),
        (KP_OUTAGE + timedelta(hours=7), "Resolved: systems affected by today's outage have been restored."),
    )  # fmt: skip
    for t, text in entries:
        w.add("rss", t, text, "kp-status", author="Kaiser Permanente status")
    for i, text in enumerate(texts.KP_NEWS[:3]):
        w.add("rss", KP_OUTAGE + timedelta(hours=2, minutes=20 * i), text.format(url=""), "health-news", author="news")


def build(folder: Path, base_watchlist: Path, seed: int = 28) -> ScenarioInfo:
    """Write posts.jsonl and watchlist.toml of the demo scenario into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    w = _Writer(seed)
    _background(w)
    kp = _kp_outage(w)
    wg = _walgreens_outage(w)
    _strike_news(w)
    _status_feed(w)
    w.posts.sort(key=lambda p: p["created_at"])
    with (folder / "posts.jsonl").open("w", encoding="utf-8") as out:
        for post in w.posts:
            out.write(json.dumps(post) + "\n")
    (folder / "watchlist.toml").write_text(demo_watchlist(base_watchlist), encoding="utf-8")
    return ScenarioInfo(folder, len(w.posts), kp, wg)


def demo_watchlist(base: Path) -> str:
    """The demo's watch list: the shipped entries of the demo organizations, feeds on the replay server."""
    from outagewatch.watchlist import load_watchlist

    wl = load_watchlist(base)
    lines = ["# Demo watch list (generated): the demo organizations, feeds served by the replay server.", ""]
    lines += ["[general]", f"subreddits = {_toml(['bayarea', 'Portland', 'LosAngeles', 'maryland'])}",
              f"hashtags = {_toml(['healthcareoutage'])}",
              'feeds = [{ url = "{base_url}/feeds/health-news.atom", name = "Health news" }]', ""]  # fmt: skip
    feeds = {"kaiser": '[{ url = "{base_url}/feeds/kp-status.atom", official = true, name = "KP status" }]'}
    for org in (wl.org(i) for i in DEMO_ORGS):
        lines += ["[[org]]", f'id = "{org.id}"', f'name = "{org.name}"', f'kind = "{org.kind}"']
        for key in ("aliases", "handles", "domains", "ambiguous", "subreddits", "hashtags", "keywords"):
            lines.append(f"{key} = {_toml(list(getattr(org, key)))}")
        # every scenario post sits in a followed channel: searches would only find them again
        lines.append("search_queries = []")
        lines.append(f"feeds = {feeds.get(org.id, '[]')}")
        if org.regions:
            lines.append("[org.regions]")
            lines += [f'"{name}" = {_toml(list(states))}' for name, states in org.regions.items()]
        lines.append("")
    return "\n".join(lines)


def _toml(items: list[str]) -> str:
    return json.dumps(items)  # a JSON list of strings is valid TOML
