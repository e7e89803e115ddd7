"""Phrases the demo scenario is written from. Every post built from them is synthetic.

The outage texts follow what people posted during the Kaiser Permanente data-center outage of
28 May 2025 (pharmacies on paper, lab, radiology, video visits, billing, message center,
records and the call center down), reworded; none is a copy of a real post.
"""

from __future__ import annotations

# (services, text) templates for first-hand outage reports; {place} names where the author is
KP_OUTAGE: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("pharmacy",),
        "At the Kaiser pharmacy in {place} and they just told us the system is down, they're writing scripts by hand",
    ),
    (("pharmacy",), "kaiser pharmacy {place}: computers down, line out the door, pharmacist says no ETA"),
    (
        ("pharmacy",),
        "Tried to pick up my insulin at Kaiser {place}, their whole system is down. Pen and paper back there",
    ),
    (
        ("pharmacy", "records"),
        "Kaiser {place} pharmacy can't see any prescriptions, everything is down, they can't even look up my chart",
    ),
    (("lab",), "Went in for bloodwork at Kaiser {place} and lab sent everyone home, system outage"),
    (("lab",), "my kaiser lab results page just errors out and the lab in {place} says their computers are down"),
    (("radiology",), "Kaiser radiology in {place} cancelled my MRI, they said every system is down"),
    (
        ("radiology", "appointments"),
        "Showed up for my mammogram at Kaiser {place}, imaging can't pull anything up, rescheduled",
    ),
    (("e_visits",), "My Kaiser video visit never connected, doctor called and said all their systems are down"),
    (("e_visits",), "Kaiser e-visit won't load at all this morning. anyone else in {place}?? it just spins"),
    (("billing",), "can't pay my Kaiser bill, billing site throws an error and the rep said their systems crashed"),
    (("messaging",), "Kaiser message center is down, can't message my doctor, page just says unavailable"),
    (("messaging", "login_app"), "KP app won't let me into messages, every tap gives an error. {place} here"),
    (("records",), "nurse at kaiser {place}: we are on downtime procedures, paper charting all day, epic is dead"),
    (("records",), "Working at a Kaiser clinic in {place} and our EHR has been down for hours, back to paper"),
    (("records", "login_app"), "kp.org medical records won't load, my health record just shows an outage message"),
    (("phone",), "Been on hold with Kaiser for an hour, the advice line rep said their computers are down everywhere"),
    (("phone", "appointments"), "called kaiser appointment line in {place}, they can't book anything, system outage"),
    (("appointments",), "Kaiser {place} front desk can't check anyone in, their system is down, waiting room packed"),
    (
        ("pharmacy", "lab", "radiology"),
        "Kaiser {place} is a mess today: pharmacy, lab and x-ray all down, staff doing everything on paper",
    ),
    (("login_app",), "Kaiser app just says service unavailable. can't log in at all from {place}"),
    (("pharmacy",), "Kaiser mail order pharmacy can't process my refill, they said the outage is nationwide"),
    (
        ("e_visits", "phone"),
        "Missed my telehealth with Kaiser because their video system is down and the phone line is jammed",
    ),
    (
        ("lab", "records"),
        "Kaiser lab in {place} is drawing blood but can't print labels or see orders, everything handwritten",
    ),
)

# (place text, state, org region) where the Kaiser outage was reported
KP_PLACES: tuple[tuple[str, str, str], ...] = (
    ("Oakland", "CA", "Northern California"),
    ("San Jose", "CA", "Northern California"),
    ("Sacramento", "CA", "Northern California"),
    ("Walnut Creek", "CA", "Northern California"),
    ("the Bay", "CA", "Northern California"),
    ("San Francisco", "CA", "Northern California"),
    ("Portland", "OR", "Northwest"),
    ("PDX", "OR", "Northwest"),
    ("Beaverton", "OR", "Northwest"),
    ("Vancouver WA", "WA", "Northwest"),
    ("Los Angeles", "CA", "Southern California"),
    ("SoCal", "CA", "Southern California"),
    ("San Diego", "CA", "Southern California"),
    ("Baltimore", "MD", "Mid-Atlantic States"),
    ("Silver Spring", "MD", "Mid-Atlantic States"),
)
# regional channels: (subreddit, org region)
KP_CHANNELS = (
    ("bayarea", "Northern California"),
    ("Portland", "Northwest"),
    ("LosAngeles", "Southern California"),
    ("maryland", "Mid-Atlantic States"),
)

# Walgreens app and pharmacy outage: the smaller, unrelated incident
WALGREENS_OUTAGE: tuple[tuple[tuple[str, ...], str], ...] = (
    (("pharmacy",), "Walgreens in {place} can't fill anything right now, their pharmacy system is down"),
    (("login_app",), "walgreens app is down, can't load my prescriptions at all"),
    (
        ("pharmacy", "login_app"),
        "Walgreens app and pharmacy both down? tried to refill and got an error, store says system outage",
    ),
    (("pharmacy",), "Waiting at Walgreens {place}, the pharmacist said their computers went down 20 minutes ago"),
    (("login_app",), "Is the Walgreens app broken for everyone? keeps saying something went wrong when I log in"),
)
WALGREENS_PLACES = (("Chicago", "IL"), ("Houston", "TX"), ("Phoenix", "AZ"), ("Atlanta", "GA"), ("Denver", "CO"))

# background chatter: questions, opinions, ordinary complaints (not outage reports)
BACKGROUND: dict[str, tuple[str, ...]] = {
    "kaiser": (
        "Does anyone know if Kaiser covers acupuncture? trying to figure out my plan",
        "Had a great experience with my new Kaiser PCP, finally someone who listens",
        "How long does Kaiser usually take to approve a referral to dermatology?",
        "Kaiser's copay for urgent care went up again this year, kind of annoying",
        "Any recommendations for a Kaiser pediatrician in the East Bay?",
        "Waited 40 minutes past my appointment time at Kaiser today. Doctor was nice though",
        "Kaiser pharmacy refill rules are so confusing, why can't I refill 3 days early",
        "Switching from Kaiser to a PPO next year, any regrets from people who did?",
        "The Kaiser flu shot clinic was quick this year, in and out in 10 min",
        "Is it normal for Kaiser to schedule physical therapy 6 weeks out?",
    ),
    "walgreens": (
        "Walgreens rewards points are basically useless now",
        "Why is the Walgreens near me always out of stock of everything",
        "Got my covid booster at Walgreens, easy walk-in",
        "Walgreens photo center closed at my store, where do people print photos now",
    ),
    "cvs": (
        "CVS receipts are still a mile long lol",
        "Does CVS price match GoodRx? pharmacist gave me a weird answer",
        "CVS moved my pharmacy to a different store without telling me",
    ),
}

# hard negatives: they name watched words but are not first-hand outage reports
HARD_NEGATIVES: tuple[str, ...] = (
    "Best kaiser roll recipe? I want that crunchy crust for sandwiches this weekend",
    "Made kaiser rolls from scratch today, the knotting technique is harder than it looks",
    "Kaiser Chiefs are touring again, I predict a riot at the show lol",
    "Reading about Kaiser Wilhelm for my history class, what a strange guy",
    "My cat Kaiser knocked my coffee over again",
    "Kaiser Family Foundation poll says most people worry about health costs",
    "Epic Games servers are down again, can't get into Fortnite",
    "Remember when Kaiser's site went down a few years ago? wild times",
    "Kaiser should really hire more nurses, the staffing is not ok",
    "Is it just me or is the Kaiser app design from 2012",
)
KP_NEWS: tuple[str, ...] = (
    "Kaiser Permanente reports systemwide outage affecting pharmacies and appointments - SFGATE {url}",
    "NEWS: Kaiser Permanente hit by major IT outage across several states {url}",
    "Kaiser says systems being restored after widespread outage, via KQED {url}",
    "I heard Kaiser hospitals are down everywhere today, hope everyone's ok",
    "My sister says her Kaiser in Oakland was down this morning. glad I didn't have an appointment",
    "Kaiser systems are back up, thanks to the staff who worked on paper all day",
    "Anyone else not affected by the Kaiser outage? my app works fine in Colorado",
)
STRIKE_NEWS: tuple[str, ...] = (
    "Kaiser mental health workers announce strike date, story here {url}",
    "Thousands of Kaiser workers could strike next month, union says {url}",
    "Opinion: the Kaiser labor dispute is about staffing, not pay {url}",
)
