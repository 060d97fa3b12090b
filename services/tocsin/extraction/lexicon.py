"""Word lists that drive extraction, kept apart from the code that uses them.

Every list is lower case and matched on whole words. Adding a word here is the
usual way to teach the extractor a new phrasing; the table tests in
``tests/extraction`` say whether it helped.
"""

from __future__ import annotations

from typing import Final

from tocsin.contract.events import CurfewKind, Group, Outcome

# Casualty triggers: the word (or word form) -> outcome. "detained" counts as arrested.
CASUALTY_TRIGGERS: Final[dict[str, Outcome]] = {
    **dict.fromkeys(
        [
            "killed", "kill", "kills", "killing", "dead", "died", "die", "dies", "dying",
            "deaths", "death", "slain", "fatalities", "fatally", "perished", "executed",
            "massacred", "murdered", "lives", "gunned", "toll",
        ],
        "killed",
    ),
    **dict.fromkeys(
        [
            "injured", "injuring", "injuries", "wounded", "wounding", "hurt", "hospitalised",
            "hospitalized", "maimed",
        ],
        "injured",
    ),
    **dict.fromkeys(
        [
            "arrested", "arresting", "arrests", "detained", "detaining", "detentions",
            "detention", "custody", "rounded", "jailed", "apprehended",
        ],
        "arrested",
    ),
    **dict.fromkeys(
        ["missing", "disappeared", "unaccounted", "abducted", "kidnapped"],
        "missing",
    ),
}  # fmt: skip

# Trigger forms that take their figure AFTER them as an object ("killing 12", "arrested over
# 3,000", "the death toll rose to 40"); other forms take it before ("12 people were killed").
OBJECT_FIRST_TRIGGERS: Final[frozenset[str]] = frozenset(
    [
        "killed", "kill", "kills", "killing", "injuring", "wounding", "arrested", "arresting",
        "detained", "detaining", "death", "deaths", "arrests", "detentions",
        "executed", "massacred", "murdered", "jailed", "apprehended", "abducted", "kidnapped",
        "injured", "wounded", "fatalities", "injuries", "toll",
    ]
)  # fmt: skip

# Two-word triggers whose particle stands between the verb and its object figure
# ("rounded up 150", "gunned down 12"); without the particle the verb means no casualty.
PHRASAL_TRIGGERS: Final[dict[str, str]] = {"rounded": "up", "gunned": "down"}

# Words between a trigger and its figure that mark a cumulative tally ("toll rose to 40").
TALLY_WORDS: Final[frozenset[str]] = frozenset(
    ["toll", "rose", "risen", "climbed", "reached", "stands", "stood", "stand", "total",
     "tally", "number", "count", "to", "at", "now", "has", "had", "have", "of", "the", "is",
     "was", "increased", "jumped", "grew", "bringing", "brought"]
)  # fmt: skip

# Verbs that move a cumulative tally to the figure after them ("the death toll ... rose to 40").
# Only finite forms: "is expected to rise to 50" and "could reach 100" are forecasts.
TALLY_VERBS: Final[frozenset[str]] = frozenset(
    ["rose", "risen", "rises", "climbed", "climbs", "reached", "reaches", "stands", "stood",
     "increased", "jumped", "grew", "hit", "hits", "mounted", "soared", "topped", "tops",
     "passed", "exceeded", "surpassed"]
)  # fmt: skip

# Nouns that name a tally. "toll" is itself a trigger (deaths); the others need one
# nearby ("the number of people detained"): "the number of protesters" counts no casualty.
TALLY_HEADS: Final[frozenset[str]] = frozenset(["toll", "tally", "number", "count", "total"])

# Head nouns of a casualty group -> group. Anything human but unlisted is not counted:
# precision matters more than recall for figures people will sum.
GROUP_NOUNS: Final[dict[str, Group]] = {
    **dict.fromkeys(
        [
            "police", "policemen", "policeman", "officers", "officer", "soldiers", "soldier",
            "troops", "servicemen", "serviceman", "personnel", "guards", "guardsmen",
            "gendarmes", "troopers", "paratroopers", "security", "military", "army",
            "conscripts", "marines", "peacekeepers", "agents", "cadets", "forces",
        ],
        "security_forces",
    ),
    **dict.fromkeys(
        [
            "protesters", "protestors", "protester", "protestor", "demonstrators",
            "demonstrator", "activists", "activist", "rioters", "marchers", "strikers",
            "dissidents", "opposition",
        ],
        "protesters",
    ),
    **dict.fromkeys(
        [
            "civilians", "civilian", "residents", "villagers", "children", "child", "women",
            "students", "journalists", "journalist", "reporters", "bystanders", "passers-by",
            "pedestrians", "worshippers", "shoppers", "workers", "miners", "farmers",
            "refugees", "migrants", "patients", "teachers", "doctors", "nurses", "medics",
            "minors", "teenagers", "girls", "boys", "babies", "infants", "pupils",
            "passengers", "tourists", "locals", "citizens", "inhabitants", "families",
            "schoolchildren", "schoolgirls", "schoolboys", "mourners", "pilgrims", "voters",
            "fishermen", "traders", "vendors", "labourers", "laborers", "drivers",
        ],
        "civilians",
    ),
    **dict.fromkeys(
        [
            "militants", "militant", "gunmen", "gunman", "insurgents", "rebels", "fighters",
            "terrorists", "terrorist", "criminals", "bandits", "jihadists", "attackers",
            "assailants", "extremists", "separatists", "combatants", "looters", "raiders",
            "militiamen", "mercenaries",
        ],
        "militants",
    ),
    **dict.fromkeys(
        [
            "officials", "official", "ministers", "minister", "lawmakers", "mps", "mayors",
            "governors", "diplomats", "politicians", "legislators", "councillors",
            "councilors", "judges", "administrators",
        ],
        "officials",
    ),
    **dict.fromkeys(
        [
            "people", "persons", "person", "individuals", "men", "man", "others", "victims",
            "bodies", "suspects", "members", "adults", "woman", "lives", "leaders",
            "supporters", "youths", "prisoners", "inmates", "detainees", "hostages",
            "relatives", "volunteers",
        ],
        "unspecified",
    ),
}  # fmt: skip

# Words that may stand between a figure and its head noun without changing the group.
GROUP_MODIFIERS: Final[frozenset[str]] = frozenset(
    ["armed", "unarmed", "young", "elderly", "local", "foreign", "peaceful", "other", "more",
     "innocent", "suspected", "alleged", "riot", "state", "national", "border", "special",
     "law", "enforcement", "interior", "ministry", "government", "pro-government",
     "anti-government", "opposition", "rebel", "private", "senior", "high-ranking", "police",
     "security", "army", "military", "of", "the", "whom", "among", "them", "including",
     "were", "in", "total", "at", "least", "additional", "further", "another", "unidentified",
     "unnamed", "religious", "ethnic", "islamist", "masked", "heavily", "our"]
)  # fmt: skip

# Modal and hedging words: a trigger they govern is a threat or hypothesis, not a report.
HYPOTHETICAL_WORDS: Final[frozenset[str]] = frozenset(
    ["could", "might", "may", "would", "threatened", "threatens", "threaten", "vowed",
     "vows", "if", "unless", "risk", "risks", "feared", "fears", "fear", "warned", "warns",
     "potentially", "possibly", "plans", "planned", "plan", "planning", "intends",
     "intended", "aim", "aims", "ready", "prepared", "willing", "whether", "should",
     "must", "can", "cannot", "kill-list"]
)  # fmt: skip

NEGATION_WORDS: Final[frozenset[str]] = frozenset(
    ["no", "not", "never", "denied", "denies", "deny", "denying", "nobody", "none",
     "without", "neither", "nor", "n't", "rejected", "refuted", "dismissed", "false",
     "anyone", "unharmed"]
)  # fmt: skip

# Verbs of denial: the casualty they govern is disputed, not reported ("the army denied
# reports that soldiers had killed 30"). Their scope runs to the trigger unless a contrast
# word ("but", "however") opens a new claim in between.
DENIAL_WORDS: Final[frozenset[str]] = frozenset(
    ["denied", "denies", "deny", "denying", "rejected", "rejects", "refuted", "refutes",
     "dismissed", "dismisses", "disputed", "disputes"]
)  # fmt: skip
CONTRAST_WORDS: Final[frozenset[str]] = frozenset(
    ["but", "however", "although", "though", "while", "whereas", "yet"]
)  # fmt: skip

# Illnesses: "the pandemic killed thousands", "died of cholera" report deaths from disease,
# which must not be summed with the casualties of unrest.
DISEASE_WORDS: Final[frozenset[str]] = frozenset(
    ["covid", "covid-19", "coronavirus", "pandemic", "epidemic", "virus", "cholera", "ebola",
     "measles", "malaria", "dengue", "influenza", "flu", "outbreak", "disease", "illness"]
)  # fmt: skip

# Background markers: a sentence carrying one speaks of the past, not of the news.
BACKGROUND_PHRASES: Final[tuple[str, ...]] = (
    "years ago", "decades ago", "months ago", "in the past", "last year", "a year ago",
    "anniversary", "back in", "previous year", "since independence", "at the time",
)  # fmt: skip

# Deployment: trigger verbs and the status each implies.
DEPLOYMENT_VERBS: Final[dict[str, str]] = {
    **dict.fromkeys(["arrived", "landed", "stationed", "entered", "reached"], "arrived"),
    **dict.fromkeys(
        ["arriving", "arrive", "arrives", "en", "heading", "headed", "moving", "marching"],
        "arriving",
    ),
    **dict.fromkeys(
        ["deployed", "deploy", "deploying", "deployment", "deploys", "sent", "send", "sending",
         "sends", "dispatched", "dispatch", "dispatching", "airlifted", "flown",
         "mobilised", "mobilized", "reinforce", "reinforced", "rushed", "redeployed",
         "redeploying", "redeployment"],
        "deployed",
    ),
}  # fmt: skip

# Head nouns naming a force. "members" and "units" only count after an organisation name.
FORCE_NOUNS: Final[frozenset[str]] = frozenset(
    ["troops", "soldiers", "forces", "force", "peacekeepers", "paratroopers", "police",
     "policemen", "officers", "gendarmes", "guardsmen", "brigade", "brigades", "battalion",
     "battalions", "contingent", "contingents", "units", "unit", "servicemen", "marines",
     "army", "military", "personnel", "reinforcements", "commandos", "special", "guard",
     "members", "regiment", "regiments", "division", "divisions", "company", "companies",
     "platoon", "platoons", "squadron", "squadrons", "detachment", "detachments",
     "gendarmerie", "policewomen"]
)  # fmt: skip

# Words that may stand before a force noun as part of its name ("riot police", "rapid
# reaction force"). A closed list: an open scan swallowed verbs ("deployed additional troops").
FORCE_MODIFIERS: Final[frozenset[str]] = frozenset(
    ["riot", "anti-riot", "national", "special", "security", "border", "military", "army",
     "police", "federal", "state", "presidential", "republican", "elite", "armed",
     "paramilitary", "coalition", "allied", "foreign", "government", "regular", "auxiliary",
     "airborne", "naval", "marine", "interior", "ministry", "counter-terrorism",
     "counterterrorism", "anti-terrorism", "peacekeeping", "standby", "rapid", "reaction",
     "intervention", "reserve", "territorial", "stabilisation", "stabilization",
     "multinational", "international", "regional", "joint", "tactical", "mounted", "mobile",
     "combat", "ground", "infantry", "commando", "air", "defence", "defense", "guard",
     "emergency", "protection", "civil", "municipal", "provincial", "expeditionary",
     "assault", "mechanised", "mechanized", "armoured", "armored", "motorised", "motorized",
     "artillery", "support", "response", "task", "gendarmerie", "traffic"]
)  # fmt: skip

# Organisations whose long names are usually shortened; the short form is the force label.
FORCE_ALIASES: Final[dict[str, str]] = {
    "collective security treaty organization": "CSTO",
    "collective security treaty organisation": "CSTO",
    "north atlantic treaty organization": "NATO",
    "north atlantic treaty organisation": "NATO",
    "economic community of west african states": "ECOWAS",
    "african union": "AU",
    "united nations": "UN",
    "european union": "EU",
    "southern african development community": "SADC",
}

# Statement: reporting verbs, and verbs that put a listener after the speaker ("told CNN").
SPEECH_VERBS: Final[frozenset[str]] = frozenset(
    ["said", "says", "say", "told", "tells", "added", "adds", "stressed", "stresses",
     "insisted", "insists", "warned", "warns", "declared", "declares", "stated", "states",
     "wrote", "writes", "explained", "explains", "asked", "asks", "claimed", "claims",
     "argued", "argues", "noted", "notes", "continued", "recalled", "urged", "urges",
     "announced", "announces", "tweeted", "posted", "acknowledged", "admitted",
     "confirmed", "confirms", "replied", "responded", "shouted", "chanted", "cried"]
)  # fmt: skip

# Speakers that are reporters of news rather than people making statements.
MEDIA_WORDS: Final[frozenset[str]] = frozenset(
    ["media", "agency", "reported", "reports", "newspaper", "outlet", "outlets", "tv",
     "television", "broadcaster", "reuters", "afp", "ap", "tass", "sputnik", "interfax",
     "cnn", "bbc", "reporters", "report", "footage", "witnesses", "sources", "experts"]
)  # fmt: skip

PRONOUNS: Final[frozenset[str]] = frozenset(["he", "she", "they", "it", "we", "i"])

# Curfew and emergency phrases -> kind.
CURFEW_PHRASES: Final[dict[str, CurfewKind]] = {
    "curfew": "curfew",
    "curfews": "curfew",
    "state of emergency": "state_of_emergency",
    "states of emergency": "state_of_emergency",
    "emergency rule": "state_of_emergency",
    "martial law": "state_of_emergency",
    "state of siege": "state_of_emergency",
    "movement restrictions": "movement_restriction",
    "restrictions on movement": "movement_restriction",
    "travel restrictions": "movement_restriction",
    "travel ban": "movement_restriction",
    "lockdown": "movement_restriction",
    "stay-at-home order": "movement_restriction",
}

# Verbs that make a curfew mention an event (imposed, extended, lifted ...) rather than talk.
CURFEW_VERBS: Final[frozenset[str]] = frozenset(
    ["declared", "declare", "declares", "declaring", "imposed", "impose", "imposes",
     "imposing", "introduced", "introduce", "introduces", "announced", "announces",
     "extended", "extends", "extend", "extending", "enforced", "enforcing", "ordered",
     "orders", "proclaimed", "force", "place", "effect", "remains", "remain", "remained",
     "lifted", "lifts", "lift", "lifting", "ended", "ends", "scrapped", "until", "from",
     "nationwide", "slapped", "reimposed", "expanded", "widened", "begins", "began",
     "starts", "started", "placed", "approved", "approves", "endorsed", "ratified",
     "reinstated"]
)  # fmt: skip

CURFEW_END_VERBS: Final[frozenset[str]] = frozenset(
    ["lifted", "lifts", "lift", "lifting", "ended", "scrapped", "revoked", "rescinded"]
)
