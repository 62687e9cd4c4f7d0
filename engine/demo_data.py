"""The demo's fictional clients, their needs and the agencies they are referred to (plain data).

Every name, phone number (555-01xx), address and e-mail (example.org/.net/.com) is invented.
demo_cases.py drives each client's case through the real engine up to `phase`/`stop`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DemoClient:
    """One fictional client, their referral and where the demo leaves their case."""

    name: str
    birth_date: str
    sex: str  # female | male | other | unknown
    language: str  # BCP 47
    address: str
    email: str | None
    source: str
    reason: str
    urgency: str  # routine | expedited | immediate
    phase: str  # the phase the case ends in, or "ineligible"
    stop: str  # where in that phase it stops (see demo_cases)
    manager: str | None  # whom the supervisor assigns (immediate referrals: auto-assigned)
    need: str  # a key of NEEDS: the service plan
    tier: str  # low, moderate, high; safety: PHQ-9 item 9 > 0; "a>b": a overridden to b
    consent: str = "full"  # full | social_only: what the client agrees to share


# Consents a client signs at intake; "social_only" clients share with social services only.
CONSENTS: dict[str, list[dict[str, Any]]] = {
    "full": [
        {
            "recipient": "Health and care providers",
            "recipient_type": "health",
            "purposes": ["referral", "care_coordination", "information_sharing"],
        },
        {
            "recipient": "Community and social services",
            "recipient_type": "social_services",
            "purposes": ["referral", "care_coordination"],
        },
        {
            "recipient": "Public agencies",
            "recipient_type": "government",
            "purposes": ["referral"],
        },
    ],
    "social_only": [
        {
            "recipient": "Community and social services",
            "recipient_type": "social_services",
            "purposes": ["referral"],
        },
    ],
}

# Service-plan templates by need: goals get target dates relative to the planning day.
NEEDS: dict[str, dict[str, Any]] = {
    "depression": {
        "problems": ["low mood and withdrawal", "not sleeping"],
        "goals": [
            ("G1", "Feel less low most days", 120, "PHQ-9 below 10"),
            ("G2", "Go out at least three times a week", 60, "outings logged by the client"),
        ],
        "interventions": [
            ("case manager", "Weekly check-in call", "weekly", 0),
            ("Riverside Talking Therapies", "Guided self-help (CBT)", "weekly", 85),
        ],
        "referrals": [("Riverside Talking Therapies", "health", "CBT for depression")],
        "physician_review": True,
    },
    "anxiety": {
        "problems": ["panic attacks", "avoids public transport"],
        "goals": [
            ("G1", "Travel to the job centre by bus", 90, "trips made without leaving early"),
            ("G2", "Fewer panic attacks", 120, "GAD-7 below 10"),
        ],
        "interventions": [("case manager", "Graded exposure practice", "fortnightly", 0)],
        "referrals": [("Riverside Talking Therapies", "health", "anxiety group")],
        "physician_review": False,
    },
    "housing": {
        "problems": ["rent arrears", "eviction notice"],
        "goals": [
            ("G1", "Keep the tenancy", 90, "no eviction; repayment plan agreed"),
            ("G2", "Claim every benefit due", 45, "benefit check completed"),
        ],
        "interventions": [("case manager", "Budget sessions", "fortnightly", 0)],
        "referrals": [
            ("Northside Housing Advice", "social_services", "arrears negotiation"),
            ("City Benefits Office", "government", "housing benefit claim"),
        ],
        "physician_review": False,
    },
    "diabetes": {
        "problems": ["type 2 diabetes out of control", "missed clinic appointments"],
        "goals": [
            ("G1", "Bring blood sugar into range", 150, "HbA1c below 58 mmol/mol"),
            ("G2", "Take medication as prescribed", 60, "pharmacy refill record"),
        ],
        "interventions": [
            ("Lakeside Diabetes Clinic", "Diabetes education course", "weekly for 6 weeks", 120),
            ("case manager", "Medication reminder calls", "weekly", 0),
        ],
        "referrals": [("Lakeside Diabetes Clinic", "health", "structured education")],
        "physician_review": True,
    },
    "isolation": {
        "problems": ["lonely since a bereavement"],
        "goals": [("G1", "Join a weekly group", 60, "attends at least 3 of 4 weeks")],
        "interventions": [("Harbour Community Centre", "Lunch club", "weekly", 12)],
        "referrals": [("Harbour Community Centre", "social_services", "befriending")],
        "physician_review": False,
    },
    "food": {
        "problems": ["runs out of food before payday", "utility debt"],
        "goals": [
            ("G1", "Three meals a day", 45, "no days without food in a month"),
            ("G2", "Utility debt under control", 90, "payment plan with the supplier"),
        ],
        "interventions": [("case manager", "Budget and debt advice", "fortnightly", 0)],
        "referrals": [("Eastgate Food Bank", "social_services", "food parcels")],
        "physician_review": False,
    },
    "alcohol": {
        "problems": ["drinking most days", "falls at home"],
        "goals": [
            ("G1", "Cut down to two drinking days a week", 90, "AUDIT-C below 4"),
            ("G2", "No falls", 90, "falls reported at contacts"),
        ],
        "interventions": [("Bridge Recovery Service", "Key-worker sessions", "weekly", 0)],
        "referrals": [("Bridge Recovery Service", "health", "alcohol treatment")],
        "physician_review": True,
    },
    "carer": {
        "problems": ["exhausted caring for a parent with dementia"],
        "goals": [("G1", "One afternoon off every week", 60, "respite hours used")],
        "interventions": [("case manager", "Carer's assessment", "once", 0)],
        "referrals": [("Carers' Support Network", "other", "respite and carer group")],
        "physician_review": False,
    },
}

_A = "Alder Road"
_B = "Birch Lane"
_C = "Canal Street"
_M = "Market Square"
_R = "Riverside Court"

# fmt: off
CLIENTS: tuple[DemoClient, ...] = (
    # -- intake ---------------------------------------------------------------------------
    DemoClient(
        "Amara Okafor", "1971-03-14", "female", "en", f"12 {_A}", "amara.okafor@example.org",
        "GP practice", "low mood since losing her job", "routine",
        "intake", "intake_screening", None, "depression", "moderate",
    ),
    DemoClient(
        "Tomasz Kowalski", "1958-11-02", "male", "pl", f"4 {_C}, flat 3", None,
        "hospital discharge team", "lives alone after a hip fracture", "routine",
        "intake", "consent", None, "isolation", "low",
    ),
    DemoClient(
        "Mei-Lin Chen", "1989-07-21", "female", "zh", f"88 {_R}", "meilin.chen@example.net",
        "self-referral", "struggling to pay rent", "routine",
        "intake", "assign_case_manager", None, "housing", "moderate", "social_only",
    ),
    DemoClient(
        "Kwame Mensah", "1965-01-30", "male", "en", f"7 {_M}", "kwame.m@example.com",
        "pharmacy", "missing diabetes medication", "routine",
        "intake", "first_contact", "carl", "diabetes", "moderate",
    ),
    DemoClient(
        "Fatima Al-Sayed", "1979-05-09", "female", "ar", f"23 {_B}", None,
        "community mental health team", "panic attacks, stopped going out", "expedited",
        "intake", "overdue", "cleo", "anxiety", "moderate",
    ),
    DemoClient(
        "Jamal Carter", "1992-09-17", "male", "en", f"15 {_A}", "jamal.carter@example.org",
        "emergency department", "attended twice this month after drinking", "immediate",
        "intake", "immediate", None, "alcohol", "high",
    ),
    DemoClient(
        "Sven Lindqvist", "1950-12-01", "male", "sv", "Outside the area: 2 Fjord View", None,
        "family member", "memory problems", "routine",
        "ineligible", "out_of_area", None, "isolation", "low",
    ),
    # -- assessment -----------------------------------------------------------------------
    DemoClient(
        "Nguyen Van Minh", "1983-04-12", "male", "vi", f"31 {_C}", "minh.nguyen@example.net",
        "GP practice", "poor sleep, worried about debts", "routine",
        "assessment", "psychosocial_assessment", "cara", "food", "moderate",
    ),
    DemoClient(
        "Priya Raman", "1996-02-27", "female", "ta", f"5 {_R}", "priya.r@example.com",
        "university counselling service", "thoughts of self-harm after exams", "expedited",
        "assessment", "safety", "cara", "depression", "safety",
    ),
    DemoClient(
        "Olga Petrova", "1969-08-08", "female", "ru", f"19 {_B}", None,
        "housing office", "eviction notice, not sleeping", "routine",
        "assessment", "risk_review", "carl", "housing", "moderate", "social_only",
    ),
    DemoClient(
        "Hiroshi Tanaka", "1948-06-05", "male", "ja", f"2 {_M}", "h.tanaka@example.org",
        "GP practice", "isolated since his wife died", "routine",
        "assessment", "readmitted", "cara", "isolation", "moderate",
    ),
    # -- planning -------------------------------------------------------------------------
    DemoClient(
        "Sofia Rossi", "1975-10-19", "female", "it", f"44 {_A}", "sofia.rossi@example.net",
        "social worker", "caring for her father with dementia", "routine",
        "planning", "service_plan", "cleo", "carer", "low",
    ),
    DemoClient(
        "Ahmed Yusuf", "1987-12-24", "male", "so", f"9 {_C}", None,
        "job centre", "food insecurity, utility debt", "routine",
        "planning", "returned", "cara", "food", "moderate",
    ),
    DemoClient(
        "Grace O'Brien", "1962-02-11", "female", "en", f"60 {_R}", "grace.obrien@example.com",
        "GP practice", "diabetes and low mood", "routine",
        "planning", "plan_approval", "carl", "diabetes", "high",
    ),
    DemoClient(
        "Rafael Souza", "1990-03-03", "male", "pt", f"17 {_M}", "rafael.souza@example.org",
        "emergency department", "self-neglect, drinking", "expedited",
        "planning", "plan_review", "cara", "alcohol", "high",
    ),
    # -- implementation -------------------------------------------------------------------
    DemoClient(
        "María José Castillo", "1981-07-07", "female", "es", f"28 {_B}",
        "mj.castillo@example.net",
        "school nurse", "housing disrepair, children's asthma", "routine",
        "implementation", "awaiting_agencies", "cara", "housing", "moderate",
    ),
    DemoClient(
        "Daniel Levy", "1974-09-29", "male", "he", f"3 {_A}", "daniel.levy@example.com",
        "self-referral", "lonely, drinking more", "routine",
        "implementation", "followup_due", "carl", "isolation", "low",
    ),
    DemoClient(
        "Aisha Bello", "1985-01-16", "female", "ha", f"71 {_C}", None,
        "GP practice", "depression after a miscarriage", "expedited",
        "implementation", "physician_review", "cleo", "depression", "high",
    ),
    DemoClient(
        "Alex Morgan", "1993-05-25", "other", "en", f"12 {_R}, flat 8", "alex.morgan@example.org",
        "family member", "carer for a sibling, burning out", "routine",
        "implementation", "consent_override", "cara", "carer", "moderate", "social_only",
    ),
    # -- monitoring -----------------------------------------------------------------------
    DemoClient(
        "Leilani Kahale", "1977-11-13", "female", "en", f"6 {_M}", "leilani.k@example.net",
        "hospital discharge team", "admitted twice for low mood", "expedited",
        "monitoring", "waiting", "cara", "depression", "high",
    ),
    DemoClient(
        "Zeynep Demir", "1968-04-04", "female", "tr", f"50 {_A}", None,
        "GP practice", "diabetes, lives alone", "routine",
        "monitoring", "overdue", "cara", "diabetes", "high",
    ),
    DemoClient(
        "Ivan Horvat", "1959-08-20", "male", "hr", f"14 {_B}", "ivan.horvat@example.com",
        "housing office", "rent arrears", "routine",
        "monitoring", "waiting", "carl", "housing", "moderate>high",
    ),
    DemoClient(
        "Chioma Eze", "1988-06-30", "female", "ig", f"22 {_C}", "chioma.eze@example.org",
        "community midwife", "anxiety after the birth of her son", "routine",
        "monitoring", "overdue", "cara", "anxiety", "moderate",
    ),
    DemoClient(
        "Samuel Adeyemi", "1970-10-10", "male", "yo", f"37 {_R}", None,
        "job centre", "food insecurity", "routine",
        "monitoring", "outreach", "carl", "food", "moderate",
    ),
    DemoClient(
        "Hannah Schmidt", "1955-01-08", "female", "de", f"8 {_M}", "hannah.schmidt@example.net",
        "GP practice", "lonely since retiring", "routine",
        "monitoring", "waiting", "cleo", "isolation", "low",
    ),
    DemoClient(
        "Omar Haddad", "1980-12-12", "male", "ar", f"41 {_A}", "omar.haddad@example.com",
        "self-referral", "worried about his drinking", "routine",
        "monitoring", "contact_due", "cleo", "alcohol", "low",
    ),
    # -- evaluation -----------------------------------------------------------------------
    DemoClient(
        "Lucía Fernández", "1991-08-15", "female", "es", f"16 {_B}", "lucia.f@example.org",
        "GP practice", "panic attacks at work", "routine",
        "evaluation", "evaluation", "cara", "anxiety", "moderate",
    ),
    DemoClient(
        "Kofi Boateng", "1963-03-21", "male", "tw", f"27 {_C}", None,
        "pharmacy", "unsure how to manage diabetes", "routine",
        "evaluation", "evaluation", "carl", "diabetes", "low",
    ),
    # -- closure and closed ---------------------------------------------------------------
    DemoClient(
        "Elena Popescu", "1984-02-02", "female", "ro", f"10 {_R}", "elena.popescu@example.net",
        "social worker", "food insecurity after separation", "routine",
        "closure", "closure_approval", "cara", "food", "low",
    ),
    DemoClient(
        "Ravi Patel", "1966-05-18", "male", "gu", f"5 {_M}", "ravi.patel@example.com",
        "GP practice", "isolated, low mood", "routine",
        "closed", "goals_met_checkin", "carl", "isolation", "low",
    ),
    DemoClient(
        "Ana Lima", "1998-09-09", "female", "pt", f"33 {_A}", "ana.lima@example.org",
        "university counselling service", "exam anxiety", "routine",
        "closed", "goals_met", "cleo", "anxiety", "moderate",
    ),
    DemoClient(
        "Jordan Reyes", "1986-07-04", "unknown", "en", f"90 {_C}", None,
        "police welfare check", "found without food or heating", "expedited",
        "closed", "unable_to_contact", "cara", "food", "moderate",
    ),
)
# fmt: on
