"""``label(posts)``: the one labeling path shared by the live pipeline and classify-file.

Per batch: one featurization (hash + cue counts), one predict per head, one sparse product per
phrase index (organizations, places, capital-only codes), then per post only the few candidate
hits are confirmed and the Label is built with its evidence.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from functools import cache

import numpy as np

from classifier.gazetteer import load_gazetteer
from classifier.geo import TextPlaces, region_rules, resolve_geo
from classifier.model import OutageModel
from classifier.orgs import match_orgs, org_index
from outagewatch.models import SERVICES, Label, Post, utcnow


@cache
def _prepared() -> None:
    """Build the phrase indexes once, then freeze the long-lived heap (model, gazetteer, indexes)
    out of the cyclic garbage collector: they live as long as the process, and re-scanning them
    on every collection cost about a fifth of the labeling time."""
    org_index(), load_gazetteer(), region_rules()
    gc.freeze()


def _version(model: OutageModel) -> str:
    return getattr(model, "version_", "unversioned")


def _locations(posts: Sequence[Post], model: OutageModel) -> list[TextPlaces | None]:
    """Place hits of the authors' profile locations, matched as one small batch."""
    rows = [i for i, p in enumerate(posts) if p.author_location]
    out: list[TextPlaces | None] = [None] * len(posts)
    if not rows:
        return out
    gaz = load_gazetteer()
    texts = [posts[i].author_location or "" for i in rows]
    lows = [t.lower() for t in texts]
    wide = model.featurizer_.vectorizer_.transform(lows)
    hits, upper = gaz.index.find(wide, lows), gaz.location_upper_index.find(wide, texts)
    for k, i in enumerate(rows):
        out[i] = TextPlaces(texts[k], lows[k], hits[k], upper[k])
    return out


def label(posts: Sequence[Post], model: OutageModel | None = None) -> list[Label]:
    """Label posts: is_report with probability, org, services, state, region, evidence."""
    if model is None:
        from classifier.persist import default_model

        model = default_model()
    if not posts:
        return []
    _prepared()
    featurizer = model.featurizer_
    texts = [p.text for p in posts]
    analysis = featurizer.analyze(texts)
    p_report, p_services = model.fast_proba(analysis.hashed, analysis.rules)
    chosen = model.service_decisions(p_services)
    terms = featurizer.matched_terms(analysis.wide)
    family = {name: j for j, name in enumerate(featurizer.family_names_)}
    health = (analysis.counts[:, family["c_health"]] > 0).tolist()
    outage = (analysis.counts[:, family["c_outage"]] + analysis.counts[:, family["s_login_app"]] > 0).tolist()
    index, gaz, rules = org_index(), load_gazetteer(), region_rules()
    org_hits = index.phrases.find(analysis.wide, analysis.lowered)
    place_hits = gaz.index.find(analysis.wide, analysis.lowered)
    upper_hits = gaz.upper_index.find(analysis.wide, texts)
    locations = _locations(posts, model)
    reports = (p_report >= model.report_threshold).tolist()
    p_list = np.round(p_report, 4).tolist()
    picked: list[list[str]] = [[] for _ in posts]
    for row, col in zip(*(a.tolist() for a in np.nonzero(chosen)), strict=True):
        picked[row].append(SERVICES[col])
    probs = np.round(p_services, 3)
    version, now = _version(model), utcnow()
    labels = []
    single_state = {org for org, states in rules.states.items() if len(states) == 1}
    for i, post in enumerate(posts):
        org, org_evidence, state, region, geo_evidence = None, {}, None, None, {}
        if org_hits[i] or post.channel:
            org, org_evidence = match_orgs(
                index, post.text, analysis.lowered[i], org_hits[i], (health[i], outage[i]), post.channel
            )
        if place_hits[i] or upper_hits[i] or post.channel or locations[i] is not None or org in single_state:
            spans = org_evidence.pop("_spans", ())
            found = TextPlaces(post.text, analysis.lowered[i], place_hits[i], upper_hits[i])
            state, region, geo_evidence = resolve_geo(gaz, rules, org, found, post.channel, locations[i], spans)
        else:
            org_evidence.pop("_spans", None)
        services = tuple(picked[i])
        labels.append(
            Label(
                source=post.source,
                native_id=post.native_id,
                is_report=reports[i],
                p_report=p_list[i],
                org=org,
                services=services,
                service_probs={s: float(probs[i, SERVICES.index(s)]) for s in services},
                state=state,
                region=region,
                evidence={"terms": terms[i], **org_evidence, **geo_evidence},
                origin="model",
                model_version=version,
                labeled_at=now,
            )
        )
    return labels
