"""Seeded synthetic training data: templates x slot vocabularies x realistic noise.

Every example is marked ``"origin": "synthetic"`` with its family and template id. Whole
templates are held out (every fifth template of each family) into ``data/labeled/heldout.jsonl``
so the held-out score measures generalization to unseen phrasings, not memorized ones.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from classifier.geo import region_rules
from classifier.synth_parts import clause, families, vocab
from outagewatch.resources import data_path

LABELED_DIR = data_path("labeled")
V = vocab()
HELDOUT_EVERY = 5
# One augmented copy per training example (never for held-out ones): real posts bury the report in
# chatter, drop words, add links and tags; a copy with words dropped and context added keeps the
# heads from memorizing the exact template wording (it raised page-grouped CV scores on real
# dev posts). The copy keeps every label, since none of the edits changes what the post reports.
AUGMENT_DROPOUT = 0.1
LOGIN_WORDS = re.compile(
    r"\b(?:app|portal|site|website|log ?in|sign in|page|mychart|my chart|kp\.org|\.com"
    r"|myuhc|mycigna|myupmc|my health online|myquest)\b"
)
PER_TEMPLATE = {
    "report_relatives": 40,
    "denial": 40,
    "report_composed": 40,
    "hearsay_composed": 60,
    "restored_composed": 50,
    "unaffected_composed": 50,
    "report_terse": 120,
    "report_simple": 100,
    "report_rambling": 80,
    "report_staff": 50,
    "ambiguous_name": 20,
    "report_counter": 60,
    "report_counter_noorg": 60,
    "report_staff_noorg": 60,
}
DEFAULT_PER_TEMPLATE = 40
# Free-form posts written one by one (data/synthetic/freeform.jsonl): each is its own "template",
# so every fifth is held out like the templates are; a training post also gets this many noisier
# copies (see ``augment``), because a few hundred posts would otherwise vanish among the templates.
FREEFORM = data_path("synthetic") / "freeform.jsonl"
FREEFORM_COPIES = 8


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :] if rng.random() < 0.7 else w[:j] + w[j + 1 :]
    return " ".join(words)


def _noise(text: str, rng: random.Random, report: bool) -> str:
    """Realistic surface noise: openers/closers, lowercase, dropped apostrophes, typos, titles."""
    if report:
        text = rng.choice(V["OPENERS"]) + text + rng.choice(V["CLOSERS"])
    else:
        text = text + rng.choice(V["NEUTRAL_CLOSERS"])
    if rng.random() < 0.3:
        text = text.lower()
    if rng.random() < 0.2:
        text = text.replace("'", "")
    if rng.random() < 0.2:
        text = _typo(text, rng)
    if rng.random() < 0.12:
        title = " ".join(text.split(" ")[: rng.randint(3, 6)]).rstrip(".,")
        text = f"{title}\n\n{text}"
    return text


def _region_for(org: str | None, state: str) -> str | None:
    if not org:
        return None
    regions = region_rules().regions.get(org, {}).get(state, ())
    return regions[0] if len(regions) == 1 else None


def _place(org: str | None, rng: random.Random) -> tuple[str, str, str | None]:
    if org == "kaiser":
        return rng.choice(V["KAISER_PLACES"])
    text, state = rng.choice(V["OTHER_PLACES"])
    return text, state, _region_for(org, state)


def _services_for(mode: str, used: list[str], noun_service: str | None) -> list[str]:
    if mode.startswith("fixed:"):
        return mode.removeprefix("fixed:").split(",")
    if mode in ("clauses", "subject"):
        return sorted(set(used))
    if mode == "noun" and noun_service:
        return [noun_service]
    return []


def _family(name: str) -> tuple[bool, bool, str, list[str]]:
    spec = families()[name]
    return spec["is_report"], spec["keeps_org"], spec["services"], spec["templates"]


def render(family: str, template: str, rng: random.Random) -> dict:
    """Fill one template and return a labeled record (without id)."""
    is_report, keeps_org, mode, _ = _family(family)
    org = rng.choice(sorted(V["ORG_FORMS"])) if keeps_org else None
    if org and rng.random() < 0.35:
        org = "kaiser"  # the project's flagship org, as in the real streams
    services = list(V["SERVICE_CLAUSES"])
    s1, s2 = rng.sample(services, 2)
    if rng.random() < 0.5 and "{svc2}" not in template:
        s2 = s1
    noun_service = rng.choice(services)
    c1, c1_services = clause(s1, rng.randrange(99), rng.randrange(999))
    c2, c2_services = clause(s2, rng.randrange(99), rng.randrange(999))
    subj_text, subj_services = V["SUBJECTS"][noun_service][rng.randrange(len(V["SUBJECTS"][noun_service]))]
    place_text, state, region = _place(org, rng)
    values = {
        "org": rng.choice(V["ORG_FORMS"][org]) if org else "",
        "svc": rng.choice(V["SERVICE_CLAUSES"][s1]),
        "svc2": rng.choice(V["SERVICE_CLAUSES"][s2]),
        "noun": rng.choice(V["SERVICE_NOUNS"][noun_service]),
        "loc": place_text,
        "filler": rng.choice(V["FILLERS"]),
        "n": str(rng.randint(1000, 99999)),
        "c1": c1,
        "c2": c2,
        "subj": subj_text,
        "cq": rng.choice(V["CONSEQUENCES"]),
        "role": rng.choice(V["STAFF_ROLES"]),
        "rel": rng.choice(V["RELATIVES"]),
    }
    text = _noise(template.format(**values), rng, is_report)
    used = [s1] + ([s2] if "{svc2}" in template else []) if "{svc}" in template else []
    used += [*c1_services] if "{c1}" in template else []
    used += [*c2_services] if "{c2}" in template else []
    if "{subj}" in template:
        used += [noun_service, *subj_services]
    # labeling policy (as in the handwritten set): a failing app, site or portal is also login_app
    named = " ".join(values[k] for k in ("svc", "svc2", "org") if "{" + k + "}" in template)
    if mode in ("clauses", "subject") and LOGIN_WORDS.search(named.lower()):
        used.append("login_app")
    record = {"text": text, "channel": None, "author_location": None, "state": None, "region": None}
    if "{loc}" in template:
        record.update(state=state, region=region)
    elif rng.random() < 0.35:
        ch, st, reg = rng.choice(V["CHANNEL_PLACES"] if rng.random() < 0.55 else V["AUTHOR_LOCATIONS"])
        key = "channel" if ch.startswith("r/") else "author_location"
        record.update({key: ch, "state": st, "region": reg if org == "kaiser" else _region_for(org, st)})
    if not org:
        record["region"] = None
    record.update(
        is_report=is_report,
        org=org,
        services=_services_for(mode, used, noun_service if "{noun}" in template else None),
        origin="synthetic",
        labeling="template",
        family=family,
    )
    return record


def augment(record: dict, rng: random.Random) -> dict:
    """A noisier copy of a training record: ~10% of words dropped, chatter around it, a link or tag."""
    words = record["text"].split(" ")
    if len(words) > 6:
        words = [w for w in words if rng.random() >= AUGMENT_DROPOUT] or words
    text = " ".join(words)
    if rng.random() < 0.6:
        before = " ".join(rng.sample(V["AUG_CONTEXT"], rng.randint(1, 2)))
        after = " ".join(rng.sample(V["AUG_CONTEXT"], rng.randint(0, 2)))
        text = f"{before} {text} {after}" if rng.random() < 0.5 else f"{text} {after}"
    if rng.random() < 0.25:
        text += rng.choice(V["AUG_TAILS"])
    return {**record, "text": text.strip(), "id": record["id"] + "-aug", "augmented": True}


def _dedupe_key(text: str) -> str:
    """Texts that differ only in case and punctuation count as one example."""
    return re.sub(r"\W+", " ", text.lower())


def generate(seed: int = 13) -> tuple[list[dict], list[dict]]:
    """Return (train, heldout) records; deterministic for a seed."""
    rng = random.Random(seed)
    train, heldout, seen = [], [], set()
    for family, spec in families().items():
        templates = spec["templates"]
        for t_index, template in enumerate(templates):
            split = heldout if t_index % HELDOUT_EVERY == 2 else train
            for _ in range(PER_TEMPLATE.get(family, DEFAULT_PER_TEMPLATE)):
                record = render(family, template, rng)
                key = _dedupe_key(record["text"])
                if key in seen:
                    continue
                seen.add(key)
                record["template"] = f"{family}/{t_index}"
                record["id"] = f"syn-{family}-{t_index}-{len(seen)}"
                split.append(record)
    copy_rng = random.Random(seed * 7919 + 3)
    for index, post in enumerate(freeform_posts()):
        key = _dedupe_key(post["text"])
        if key in seen:
            continue
        seen.add(key)
        record = {**post, "template": f"freeform/{index}", "id": f"syn-freeform-{index}"}
        if index % HELDOUT_EVERY == 2:
            heldout.append(record)
            continue
        train.append(record)
        for copy in range(1, FREEFORM_COPIES):
            train.append({**augment(record, copy_rng), "id": f"{record['id']}-copy{copy}"})
    aug_rng = random.Random(seed * 1009 + 1)
    train += [augment(record, aug_rng) for record in train]
    return train, heldout


def freeform_posts(path: Path = FREEFORM) -> list[dict]:
    """The free-form synthetic posts with their labels, marked as written rather than templated."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [{**json.loads(line), "origin": "synthetic", "labeling": "written"} for line in lines if line.strip()]


def write_jsonl(records: list[dict], path: Path) -> None:
    """Write records one JSON object per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def build(directory: Path = LABELED_DIR, seed: int = 13) -> dict[str, int]:
    """Regenerate data/labeled/synthetic_train.jsonl, heldout.jsonl (templates) and
    freeform_heldout.jsonl (written posts, scored apart: they are the closer to real posts)."""
    train, heldout = generate(seed)
    written = [r for r in heldout if r["labeling"] == "written"]
    templated = [r for r in heldout if r["labeling"] != "written"]
    write_jsonl(train, directory / "synthetic_train.jsonl")
    write_jsonl(templated, directory / "heldout.jsonl")
    write_jsonl(written, directory / "freeform_heldout.jsonl")
    return {"train": len(train), "heldout": len(templated), "freeform_heldout": len(written)}
