"""Topics that belong to another management-system standard, not to ISO 9001; the running of a
workplace (pay, leave, staff facilities), which belongs to no standard; and named quality
methods that ISO 9001 leaves to each organisation to choose.

"How do we keep our environmental aspects register?" is not covered by a quality system's
procedures, and "not covered" alone reads as a gap in them. It is an ISO 14001 matter: saying so
tells people why nothing was found and where the answer would live. "Do we keep control charts
on the CNC machines?" is a quality matter, but one ISO 9001 does not ask for by name (it asks for
monitoring fit for the purpose, not for statistical process control): an organisation whose
documents never name the method has not adopted it, however close "machines" and "monitoring"
come to its production procedure.

The table is data, in our own words: for each standard, the topics it owns and the words that
recognise them. A pattern names a topic in terms a quality system would not use for its own
work ("spill kit", not "spill"; "near miss", not "incident"), so that a question ISO 9001 does
cover is not sent elsewhere.

It also decides, in one case: a question about such a topic when no indexed document names the
topic at all ("gifts or hospitality" in a QMS that never speaks of gifts) is not covered,
though its other words (suppliers, approval) come close to a procedure, unless the documents
may say it in their own words (AskService._named_nowhere). Otherwise the ordinary similarity
decision stands (docs/retrieval.md, "Another standard's topic, named nowhere").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.index.store import IndexStore
from assistant.search.roles import RECORD, DocumentRoles


@dataclass(frozen=True)
class TopicRule:
    """One topic of a standard: its name in our words and the pattern that recognises it in a
    question, also looked for in the documents. A practice a document may keep in other words
    than a question's ("who stands in for the quality manager?": "a deputy appointed in
    writing", "in her absence") has its own ``named`` pattern for the documents and ``search``
    words that find the passages it is read in (as a clause need's, usecases/clause_needs.py)."""

    topic: str  # "environmental aspects"
    pattern: re.Pattern[str]
    named: re.Pattern[str] | None = None  # None: ``pattern`` itself
    search: str = ""  # BM25 words beside the question's own words for the topic


@dataclass(frozen=True)
class OtherStandard:
    standard: str  # "ISO 14001"; "" for QUALITY_METHODS, which belong to no other standard
    subject: str  # what it is about, in our words: "environmental management"
    topics: tuple[TopicRule, ...]
    # A document may give a topic its own name in a heading (GSTT's "Disclosure of sensitive
    # data" for a data breach): a lead passage's heading sharing a word with the question's words
    # for the topic then keeps the question answerable. A named method is called by its name: a
    # heading's "Control of ..." says nothing of control charts.
    renamed_in_headings: bool = True

    def matter(self) -> str:
        """What a topic of it is, said after the topic: "an ISO 14001 (environmental
        management) matter, not ISO 9001"."""
        if not self.standard:
            return self.subject
        return f"an {self.standard} ({self.subject}) matter, not ISO 9001"


def _topics(*rules: tuple[str, str] | tuple[str, str, str, str]) -> tuple[TopicRule, ...]:
    """(topic, pattern) or (topic, pattern, named, search): see ``TopicRule``."""
    return tuple(_rule(*rule) for rule in rules)


def _rule(topic: str, pattern: str, named: str = "", search: str = "") -> TopicRule:
    return TopicRule(
        topic,
        re.compile(pattern, re.IGNORECASE),
        re.compile(named, re.IGNORECASE) if named else None,
        search,
    )


# Used by the ask use case (usecases/ask.py): a question on one of these topics that no indexed
# document names is not covered; any not-covered answer names the standard its topic belongs
# to. It never changes what is searched. First match wins, in this order: food-safety hazard
# analysis before occupational health and safety, which also speaks of hazards.
OTHER_STANDARDS: tuple[OtherStandard, ...] = (
    OtherStandard(
        "ISO 22000",
        "food safety management, or a HACCP plan",
        _topics(
            ("HACCP", r"\bhaccp\b|hazard analysis (?:and|&) critical control"),
            ("critical control points", r"\bcritical control points?\b|\bccps?\b"),
            ("food safety hazards", r"\bfood[- ]safety\b|\bfood hygiene\b|\bfood[- ]borne\b"),
            ("allergen control", r"\ballergens?\b"),
            ("prerequisite programmes", r"\bprerequisite programmes?\b|\bprps?\b"),
            # deliberate contamination or tampering: a food-safety scheme's plan by its name
            # (not "tampering" alone: a seal that shows tampering is a quality check)
            ("food defence", r"\bfood defen[cs]e\b|\bfood fraud\b|\bvaccp\b|\btaccp\b"),
        ),
    ),
    OtherStandard(
        "ISO 14001",
        "environmental management",
        _topics(
            ("environmental aspects", r"\benvironmental (?:aspects?|impacts?)\b|aspects register"),
            (
                "emissions",
                r"\b(?:air |carbon |co2 |greenhouse[- ]gas )?emissions?\b|\bcarbon footprint\b",
            ),
            (
                "waste",
                r"\b(?:hazardous |general |trade |clinical )?waste (?:management|disposal|"
                r"segregation|streams?|carriers?|transfer notes?|registers?)\b|"
                r"\brecycl(?:e|es|ed|ing|able)\b|\bweee\b|\bwaste electrical\b",
            ),
            ("spills", r"\bspills?\b|\bspill kits?\b|\boil leaks?\b"),
            ("pollution", r"\bpollution\b|\beffluent\b|\bdischarge consents?\b"),
            # stop 69: fernhill's cold stores keep refrigeration plant; none of its documents
            # speaks of refrigerant leak checks (12 of its not-answered fitting questions)
            (
                "refrigerant gas leak checks (F-gas)",
                r"\bf-?gas\b|\brefrigerant (?:gas )?(?:leaks?|leak[- ]checks?|records?|logs?|"
                r"top-?ups?)\b|\bleak[- ]check\w* (?:\w+ ){0,4}refrigera\w+|"
                r"\btops? up (?:the )?(?:refrigerant|gas)\b",
            ),
            (
                "environmental management",
                r"\benvironmental (?:policy|permits?|objectives?|legislation|management|"
                r"performance|compliance)\b",
            ),
        ),
    ),
    OtherStandard(
        "ISO 45001",
        "occupational health and safety",
        _topics(
            (
                "health and safety at work",
                r"\boccupational health\b|\bhealth (?:and|&) safety\b|\boh&s\b|\bh&s\b",
            ),
            (
                "workplace injuries",
                r"\b(?:workplace |work[- ]related |staff |employee )?injur(?:y|ies)\b|"
                r"\baccident books?\b|\blost[- ]time\b|\briddor\b",
            ),
            ("near misses", r"\bnear[- ]miss(?:es)?\b"),
            ("personal protective equipment", r"\bppe\b|\bpersonal protective equipment\b"),
            (
                "workplace hazards",
                r"\b(?:workplace|occupational|safety|fire) (?:hazards?|risks? assessments?)\b|"
                r"\bhazard identification\b|\bfire drills?\b|\bmanual handling\b|\bfirst aid\b",
            ),
            ("hazardous substances", r"\bcoshh\b|\bhazardous substances?\b"),
            (
                "electrical safety testing",
                r"\bpat[- ]?test(?:s|ing|ed)?\b|\bportable appliance test(?:s|ing)?\b",
            ),
            (
                "display screen equipment",
                r"\bdse\b|\bdisplay screen (?:equipment|assessments?)\b|"
                r"\bworkstation assessments?\b",
            ),
            (
                "lone working",
                r"\blone work(?:ing|ers?)\b|"
                # "working alone" as a practice; "can a new starter work alone once signed
                # off?" asks about competence (7.2), so the verb's other forms are left out
                r"\bworking (?:alone|by (?:my|him|her|your|our|them)sel(?:f|ves))\b|"
                r"\blast (?:one|person) left in the (?:building|office|site|warehouse)\b",
            ),
            (
                # the same in plain words (stop 34): keeping someone safe who works on their
                # own ("on their own" alone is competence: "before I can do it on my own"). Only
                # the words "on their own" are the question's words for the topic, which a lead
                # passage's heading must not share (the rest, "cleaning an empty building",
                # is any cleaning procedure's heading)
                "lone working",
                r"\bkeep(?:s|ing)? (?:\w+ ){0,2}safe\b(?:\W+[\w'’]+){0,10}?\W+"
                r"(?P<words>on (?:my|their|his|her|our|your) own)\b",
            ),
            (
                "lifting limits",
                r"\bheavy lifting\b|\blifting (?:limits?|weights?)\b|"
                r"\b(?:maximum|max|safe) weight (?:[\w'’]+ ){0,5}lift\b|"
                # the same in plain words (stop 34): lifting safely, the heaviest box to lift
                r"\blift(?:ing)? (?:\w+ ){0,2}safely\b|\bheaviest (?:[\w'’]+ ){0,4}lift\b",
            ),
            (
                "people trapped in cold rooms",
                # "shut inside one of the freezer chambers" (confirm54) as well
                r"\b(?:trapped|shut|locked) (?:in|inside) (?:the |a |one of the |one of our )?"
                r"(?:\w+ )?(?:freezers?|chillers?|cold (?:rooms?|stores?)|chambers?)\b",
            ),
            # stop 69: how long someone may work in a freezer, the breaks to warm up and the
            # clothing for it (fernhill's documents keep the product cold, never the people)
            (
                "working in the cold",
                r"\bwarm[- ]?up breaks?\b|\bcold[- ](?:weather|store|protective) (?:gear|kit|"
                r"clothing|ppe)\b|\bcold stress\b|\bfreezer (?:suits?|gear|clothing|ppe)\b|"
                r"\b(?:come|coming) out (?:and|to) warm up\b",
            ),
            ("hearing protection", r"\bhearing protection\b|\bear (?:defenders|plugs)\b"),
            ("safety inductions", r"\b(?:health and |h&s |site )?safety inductions?\b"),
        ),
    ),
    OtherStandard(
        "ISO/IEC 27001",
        "information security management",
        _topics(
            ("information security", r"\binformation security\b|\bisms\b|\bcyber ?security\b"),
            # Access to controlled documents is ISO 9001 (7.5.3): only access without them.
            (
                "access control",
                r"^(?!.*\b(?:documents?|records?|drawings?)\b).*\b(?:access control|"
                r"user access|access rights|privileged access)\b",
            ),
            (
                "passwords",
                r"\bpasswords?\b|\bmulti[- ]factor\b|\btwo[- ]factor\b|\bmfa\b|\b2fa\b",
            ),
            ("encryption", r"\bencrypt(?:ion|ed|s)?\b|\bcryptograph(?:y|ic)\b"),
            (
                "information security incidents",
                r"\bsecurity (?:incidents?|breach(?:es)?)\b|\bdata breach(?:es)?\b|\bmalware\b|"
                r"\bphishing\b|\bransomware\b|\bcyber[- ]?attacks?\b",
            ),
            # stop 69: personal data leaked, lost or sent to the wrong person, asked in plain
            # words ("a laptop with patient data was stolen: how long to tell the regulator?");
            # openregulatory's documents list data protection law but never how a breach is
            # reported (12 of its not-answered fitting questions answered as new). A document
            # dealing with it names a breach, its notification or a disclosure of such data.
            (
                "reporting a personal data breach",
                r"\b(?:personal|patients?'?s?) (?:\w+ )?(?:data|details|information)\b[^?]*"
                r"\b(?:leak\w*|stolen|lost|wrong (?:person|company|customer|hospital|email|"
                r"address))|"
                r"\b(?:leak\w*|stolen|wrong (?:person|company|customer|hospital|email address))\b"
                r"[^?]*\b(?:personal|patients?'?s?) (?:\w+ )?(?:data|details|information)\b|"
                r"\b(?:personal )?data (?:gets |is |has been |was )?leak(?:s|ed)\b|"
                r"\bpersonal data breach",
                r"\bdata breach\w*|\bbreach\w* of (?:personal|patient|sensitive) data\b|"
                r"\b(?:personal|patient|sensitive) data (?:incidents?|breach\w*|disclosures?)\b|"
                r"\bdisclosure of (?:sensitive|personal|patient) data\b|\bbreach notification|"
                r"\b72 hours\b|\bnotif\w+ (?:the )?(?:supervisory|data protection) authorit\w+|"
                r"\binformation commissioner\b|\bico\b",
                "data breach personal data leak disclosure notification supervisory authority "
                "information commissioner 72 hours",
            ),
            ("statement of applicability", r"\bstatement of applicability\b"),
            (
                "requests for personal data",
                r"\bsubject access requests?\b|\bpersonal (?:data|information) (?:\w+ )?"
                r"(?:we|you|the company) (?:hold|keep)s?\b",
            ),
            (
                # the same in plain words (stop 34): "a copy of everything we hold about her";
                # "everything we hold" is what a heading must not share ("copy" is document
                # control's word)
                "requests for personal data",
                r"\bcopy of (?P<words>(?:everything|all (?:the )?(?:personal )?(?:data|"
                r"information)|(?:the |their |his |her )?personal (?:data|information)) (?:that )?"
                r"(?:we|you|the company|they) (?:hold|have|keep)s?) (?:about|on) "
                r"(?:me|him|her|them|us|you)\b",
            ),
            (
                "data protection law",
                r"\bdata protection (?:act|law|officer|authority|regulator|breach)\b|\bgdpr\b|"
                r"\binformation commissioner\b|\breport (?:\w+ ){0,3}to the data protection\b",
            ),
            # its own entry, so that only "impact" is the topic's words: a heading that says
            # "data" (GSTT's "Sensitive Data Disclosure") or "assessment" (its CAPA procedure's
            # "Risk assessment", which a quality system always has) does not speak of it (stop
            # 41: gstt-csc's DPIA question, asked in three sets, was answered each time)
            (
                "data protection impact assessments",
                r"\bdata protection (?P<words>impact) assessments?\b|\bdpias?\b",
            ),
            (
                "security testing and protection",
                r"\bsecurity vulnerabilit(?:y|ies)\b|\bvulnerability scan(?:s|ning)?\b|"
                r"\bpenetration test(?:s|ing|ed)?\b|\bpen[- ]?test(?:s|ing|ed)?\b|\bfirewalls?\b|"
                r"\banti-?virus\b|\bvpn\b",
            ),
        ),
    ),
    # Not "conflicts of interest": ISO 9001 asks it of internal auditors (impartiality), and a
    # question on it was called not covered where the audit procedure answered it.
    OtherStandard(
        "ISO 37001",
        "anti-bribery management",
        _topics(
            (
                "gifts and hospitality",
                r"\bgifts?\b|\bhospitality\b|"
                # the same in plain words (stop 33): a supplier's tickets or a meal out offered
                r"\boffer(?:s|ed|ing)? (?:me|us|the team|our team|him|her|them) (?:\w+ ){0,2}"
                r"tickets\b|\btak(?:e|es|ing) (?:me|us|the team|our team) out for (?:a )?"
                r"(?:dinner|lunch|meals?|drinks)\b",
            ),
            (
                "bribery",
                r"\bbrib(?:e|es|ed|ery|ing)\b|\bkick-?backs?\b|\bfacilitation payments?\b",
            ),
        ),
    ),
    OtherStandard(
        "IATF 16949",
        "the automotive sector's quality management",
        _topics(
            (
                "APQP or PPAP",
                r"\bapqp\b|\bppap\b|\bproduction part approval\b|"
                r"\badvanced product quality planning\b",
            ),
        ),
    ),
    OtherStandard(
        "ISO 50001",
        "energy management",
        _topics(
            (
                "energy performance",
                r"\benergy (?:management|performance|review|baseline|consumption|use|"
                r"efficiency|audits?|savings?)\b|\bsignificant energy uses?\b|\benpis?\b",
            ),
        ),
    ),
)


# The running of a workplace: pay, leave, benefits and staff facilities belong to no management
# standard, and a quality system's documents do not deal with them. Asked as a follow-up ("What
# about holiday pay?" after a calibration question) the carried topic's words come close to the
# procedures, so only the matter's own name tells (docs/conversation.md, candidate G). Patterns
# name the matter, never a word a quality procedure uses for its own work: "holiday pay" or
# "annual leave", not "holiday" ("who covers when the inspector is on holiday?" is a quality
# question about deputies) or "leave".
WORKPLACE = OtherStandard(
    "",
    "a matter of running the workplace (pay, leave, benefits, staff facilities), not of a "
    "quality system",
    _topics(
        (
            "pay",
            r"\bsalar(?:y|ies)\b|\bpayroll\b|\bpay ?(?:rises?|slips?|grades?|scales?|bands?|"
            r"reviews?|day)\b|\bpayslips?\b|\bwages?\b|\bovertime\b|\b(?:holiday|sick) pay\b|"
            r"\bget paid\b|\bpaid (?:extra|more)\b|\bextra pay\b|"
            r"\b(?:sales|earn|get|on) commission\b|\bcommission (?:on|for|rates?|payments?)\b",
        ),
        (
            "allowances",
            r"\b(?:shift|on[- ]call|travel|meal|subsistence|clothing|uniform|cold[- ]store|"
            r"weekend|night) allowances?\b",
        ),
        ("bonuses", r"\bbonus(?:es)?\b"),
        (
            "holiday and leave",
            r"\bannual leave\b|\bholiday (?:entitlement|allowance|requests?|booking)\b|"
            r"\bbook(?:ing)? (?:a |my |some )?(?:holiday|leave|time off)\b|"
            # days or weeks off asked for or booked (stop 33: "a request for a week off")
            r"\b(?:request|book|ask for)(?:s|ed|ing)? (?:\w+ ){0,3}(?:days?|weeks?) off\b|"
            r"\b(?:sick|maternity|paternity|parental|compassionate|carer'?s) leave\b|"
            r"\btime off in lieu\b|\btoil\b",
        ),
        ("pensions", r"\bpensions?\b"),
        (
            "sickness absence",
            r"\b(?:ring|call|phone)(?:ing|s|ed)? in sick\b|\bsickness absence\b|"
            r"\b(?:report(?:ing)?|notify(?:ing)?) (?:my |an |your )?absence\b|"
            r"\b(?:wake|woke) up (?:ill|sick|unwell)\b",
        ),
        (
            "working hours and shift swaps",
            r"\bflexible working\b|\bcompressed hours\b|\bjob[- ]share\b|\bpart[- ]time hours\b|"
            r"\bswap (?:a |my |our )?(?:\w+ )?shifts?\b|\bshift swaps?\b",
        ),
        (
            "expense claims",
            r"\bexpense (?:claims?|forms?)\b|\bclaim (?:\w+ )?(?:expenses|mileage)\b|"
            r"\bmileage (?:claims?|allowance|rates?)\b|\bexpense (?:it|a|the|my|our|lunch)\b",
        ),
        (
            "staff benefits",
            r"\bcycle[- ]to[- ]work\b|\bgym membership\b|\bstaff discounts?\b|"
            r"\bchildcare vouchers?\b|\b(?:private )?health insurance\b|\bcompany cars?\b",
        ),
        (
            "working from home",
            r"\bwork(?:ing)? from home\b|\bremote working\b|\bhybrid working\b|"
            r"\b(?:do|doing) (?:\w+ ){0,3}from home\b",
        ),
        (
            "bank holidays, shutdowns and staff events",
            r"\bbank holidays?\b|\bchristmas (?:shutdown|closure|party|break)\b",
        ),
        (
            "parking",
            r"\bcar ?park(?:ing|s)?\b|\bparking\b|"
            # "where can I park?": the verb with a person or a car (stop 33), never a site's
            # name ("Fernhill Park") or work that is parked
            r"\bpark (?:my|our|your|their|his|her|the|a) (?:own )?(?:cars?|vans?|bikes?)\b|"
            r"\b(?:can|do|should|may|must) (?:i|staff|visitors|drivers) (?:\w+ ){0,2}park\b"
            r"(?! (?:this|that|it|these|those|the)\b)",
        ),
        # not "smoke" or "smoking" alone: a software team's smoke tests, a smoke detector, a
        # machine that started smoking (confirm43, stop 33); a person smoking is named so
        (
            "smoking and vaping",
            r"\b(?:smoking|vaping) (?:areas?|shelters?|ban|polic(?:y|ies)|rules?|breaks?|"
            r"allowed|permitted)\b|\b(?:no|allowed|permitted|ban on|rules on) (?:smoking|vaping)\b|"
            r"\bsmokers?\b|\b(?:to|and|or) smoke\b(?! (?:tests?|detectors?|alarms?))|"
            r"\bsmoke breaks?\b|\bvap(?:e|es|ing)\b|\be-?cigarettes?\b",
        ),
        ("the canteen", r"\bcanteen\b|\bstaff restaurant\b"),
        # a person's own pass (stop 39): not "fob" or "keys", which a cleaning contractor holds
        # for its customers' sites as a quality matter
        (
            "ID badges and passes",
            r"\b(?:id|identity|photo) (?:badges?|cards?|pass(?:es)?)\b|\bstaff (?:badges?|"
            r"id cards?)\b|\bsite (?:id )?badges?\b",
        ),
        ("the dress code", r"\bdress code\b"),
    ),
)


# Named quality methods and tools: ISO 9001 asks for the result (monitoring fit for its purpose,
# risks considered, customers' views known), never for these by name, so a question naming one
# that no indexed document names is not covered (the same rule and limits as another standard's
# topic). A pattern names the method itself, never the need it meets ("root cause", "error
# proofing", "customer survey", "warranty" are ISO 9001's own words or examples: not here).
# Written from the field's usual methods; docs/retrieval.md says how it was measured.
QUALITY_METHODS = OtherStandard(
    "",
    "a quality method ISO 9001 leaves each organisation to choose, and does not ask for by name",
    _topics(
        (
            "control charts (statistical process control)",
            r"\bcontrol charts?\b|\bstatistical process control\b|\bspc\b|\bshewhart\b",
        ),
        ("process capability indices", r"\bprocess capability\b|\bcpk\b|\bppk\b"),
        (
            "measurement system analysis (gauge R&R)",
            r"\bgau?ge r ?(?:&|and) ?r\b|\brepeatability and reproducibility\b|"
            r"\bmeasurement systems? analys[ie]s\b",
        ),
        ("FMEA", r"\b[pd]?fmeas?\b|\bfailure modes?,? (?:and )?effects?\b"),
        ("SWOT or PESTLE analysis", r"\bswot\b|\bpestle\b|\bpestel\b"),
        (
            "the cost of quality",
            r"\bcosts? of (?:poor )?quality\b|\bcopq\b|\bquality costs?\b|"
            # the same in plain words: what failures, mistakes or rework cost us in money
            # (stop 32: 61 fitting questions on five organisations ask it so, none answered)
            r"\b(?:quality (?:failures?|problems?|issues?)|poor quality|mistakes|rework)"
            r"(?:,? (?:and |or )?[\w-]+){0,6} costs? (?:us|the (?:business|company|team|firm))\b",
        ),
        # not "benchmark" alone: a software team benchmarks its own model or code
        (
            "benchmarking",
            r"\bbenchmarking\b|\bbenchmark(?:s|ed)? (?:ourselves|us)\b|"
            r"\bbenchmark(?:s|ed)? (?:\w+ ){0,4}against (?:other|competitors|our competitors)\b|"
            # the same in plain words: our figures against other companies in the trade (not
            # other suppliers: comparing our suppliers is supplier evaluation, ISO 9001's own)
            r"\bcompar\w* (?:\w+ ){0,8}(?:against|with) (?:other|rival|competing) (?:[\w-]+ ){0,2}"
            r"(?:companies|firms|businesses|operators|organi[sz]ations)\b|\bhow we stack up\b",
        ),
        (
            "Six Sigma or lean methods",
            r"\bsix sigma\b|\bdmaic\b|\bkaizen\b|\b5s\b|\bvalue stream\b|"
            r"\blean (?:manufacturing|methods?|tools?|principles?|production)\b",
        ),
        ("8D problem solving", r"\b8d\b|\beight disciplines\b"),
        ("poka-yoke", r"\bpoka[- ]?yokes?\b"),
        ("a net promoter score", r"\bnet promoter\b|\bnps\b"),
        ("overall equipment effectiveness", r"\boee\b|\boverall equipment effectiveness\b"),
        ("a balanced scorecard", r"\bbalanced scorecards?\b"),
        ("design of experiments", r"\bdesign of experiments\b"),
        ("mystery shopping", r"\bmystery shop(?:pers?|ping)\b"),
        ("the EFQM model or TQM", r"\befqm\b|\btqm\b|\btotal quality management\b"),
    ),
    renamed_in_headings=False,
)


# Quality practices some organisations keep and ISO 9001 does not ask for by name: a question on
# one that no indexed document names is not covered, by the same rule and limits as a named
# method (a question's best cosine below ``topic_rule_similarity``; the topic's own pattern found
# in no passage). Each pattern names the practice itself, in words a document keeping it would
# use too, never a need ISO 9001 names (calibration, recall, stock control, internal audit are
# its own: "how often are the scales calibrated?" is answered by a calibration procedure that
# names scales, and not covered by one that never does). Written at stop 30 from the matters the
# five organisations' fitting sets ask about and never answer (docs/retrieval.md, "Quality
# practices named nowhere").
QUALITY_PRACTICES = OtherStandard(
    "",
    "a quality practice some organisations keep, which ISO 9001 does not ask for by name",
    _topics(
        (
            "proficiency testing between laboratories",
            r"\bproficiency test(?:s|ing)?\b|\binter-?lab(?:oratory)? comparisons?\b|"
            r"\bround[- ]robin (?:tests?|studies|study|comparisons?)\b",
        ),
        (
            "a practice (mock) recall",
            r"\b(?:mock|practice|dummy|trial) (?:product )?recalls?\b|"
            r"\brecall (?:drills?|exercises?|rehearsals?)\b|"
            # the same in other words (stop 69): a practice run of pulling an app out of use
            r"\b(?:practice|dummy|trial|mock) (?:runs?|exercises?|drills?)\b[^?.]{0,60}"
            r"\b(?:pull\w* (?:\w+ ){0,4}(?:out of|from) (?:clinical )?(?:use|service|the market)|"
            r"withdraw\w*|recall\w*)",
        ),
        (
            "retained reference samples",
            r"\b(?:retained|retention|reference|library) samples?\b|"
            r"\b(?:hold|keep|put|set)(?:ing)? (?:back|aside) (?:a |one |some )?samples?\b|"
            # stop 69: "keeping a sample gauge back", "putting aside a sample"
            r"\b(?:hold|holding|keep|keeping|put|putting|set|setting) (?:a |one |some )?"
            r"(?:[\w-]+ )?samples? (?:[\w-]+ ){0,2}?(?:back|aside)\b|"
            r"\b(?:putting|setting) (?:back|aside) (?:a |one |some )?(?:[\w-]+ )?samples?\b",
        ),
        (
            "audits of us by our customers (second-party audits)",
            r"\bsecond[- ]party audits?\b|\bcustomer audits?\b|"
            r"\b(?:customer|client)s?'?s? (?:own )?(?:supplier )?(?:quality )?auditors?\b|"
            # the same in plain words (stop 33): a customer coming to audit us, sending its own
            # auditors, an audit by a customer; never our audit of a supplier for a customer
            r"\b(?:customers?|clients?)\b(?: [\w'-]+){0,6} (?:to|and) (?:come (?:in |round |over )?"
            r"(?:and |to )?)?audit (?:us\b|our (?:quality|qms|factory|site|premises|warehouse|"
            r"systems?|processes|procedures|records)\b)|"
            r"\b(?:customers?|clients?)\b(?: [\w'-]+){0,6} send (?:their|its) own auditors?\b|"
            r"\baudits? by (?:one of )?(?:our |a )?(?:customers?|clients?)\b",
        ),
        ("humidity", r"\b(?:relative )?humidity\b"),
        (
            "discontinuing a product",
            r"\bdiscontinu(?:e|es|ed|ing|ation)\b|\bend[- ]of[- ]life\b|\blast[- ]time buys?\b|"
            r"\b(?:stop|stops|stopping|stopped) (?:making|producing|manufacturing|selling)\b",
        ),
        ("stock counts", r"\bstock ?(?:takes?|counts?)\b|\bstocktaking\b|\bcycle counts?\b"),
        (
            "weighing scales",
            r"\bweighing (?:scales?|machines?)\b|"
            r"\b(?:pallet|platform|bench|floor|dock|check) scales\b",
        ),
        (
            "eyesight tests",
            r"\beyesight\b|\b(?:eye|vision|colou?r[- ]vision) tests?\b|\bcolou?r[- ]blind\w*\b",
        ),
        # stop 32: a software team's documents live in a repository and never speak of paper;
        # a maker's or a warehouse's document control says how a printout is marked
        (
            "printed (uncontrolled) copies of documents",
            r"\buncontrolled (?:paper |printed )?(?:cop(?:y|ies)|prints?|printouts?)\b|"
            r"\b(?:paper|printed) cop(?:y|ies)\b|\bprintouts?\b|"
            r"\bprint(?:s|ed|ing)? (?:off|out) (?:a |an |one of our |the |our )?(?:[\w-]+ )?"
            r"(?:procedures?|sops?|work instructions?|instructions?|documents?)\b|"
            r"\bprint(?:s|ed|ing)? (?:a |an |one of our |the |our )?(?:[\w-]+ )?"
            r"(?:procedures?|sops?|work instructions?|instructions?|documents?) (?:off|out)\b",
        ),
        # stop 68: a contract-services firm's exit from a customer's site when a contract is
        # lost (32 of brightwater's not-answered fitting questions; its documents cover setting
        # a contract up, "mobilisation", never leaving). "Lose a contract" alone is not it: "so
        # know-how isn't lost when we lose a contract" asks about knowledge, and a retention
        # table's "end of contract + 6 years" is no exit; nor is handing a building over, a
        # builder's completion.
        (
            "leaving a customer's site when a contract ends",
            r"\bcontracts? (?:exits?|hand-?backs?)\b|\bexit (?:plans?|checklists?|process|"
            r"procedure)\b|\bdemobili[sz]\w*|\b(?:at|on) the end of (?:the |a |its |their |our )?"
            r"contract\b|\b(?:hand|handing|hands|handed|give|giving|gives) (?:the |a |our |that )?"
            r"(?:site|building|premises) back\b|"
            r"\b(?:hand|handing|hands|handed|give|giving|gives|getting|get) (?:the |their |our )?"
            r"(?:customer's |client's )?keys (?:and (?:\w+ )?fobs )?back\b|"
            r"\b(?:hand|handing|give|giving) back (?:the |their |our )?"
            r"(?:customer's |client's )?keys\b|"
            r"\bpull(?:ing|s)? (?:out of|off) (?:the |a |that )?site\b|"
            r"\b(?:new|incoming) (?:cleaning )?(?:contractor|firm|company|provider|supplier) "
            r"(?:takes|is taking|taking) over\b|"
            r"\bhand(?:s|ed|ing)? (?:the site |it |everything )?over to (?:the )?(?:new|incoming|"
            r"next) (?:cleaning )?(?:contractor|firm|company|provider)\b|"
            r"\btakes? (?:their|its|the) contract elsewhere\b|"
            r"\bwind(?:s|ing)? down (?:a|the|that|our) (?:site|contract)\b",
        ),
        # stop 69: four more practices brightwater's documents never speak of, each asked by
        # 6 to 15 of its not-answered fitting questions. Each names in ``named`` what a
        # document keeping it would say in its own words, and has search words to find it.
        # A deputy for a role: not a task covered while someone is off ("who covers the
        # calibration checks when the technician is on holiday?" asks about calibration).
        (
            "a named deputy who stands in for a role",
            r"\bdeput(?:y|ies|i[sz]e[sd]?|i[sz]ing)\b|\bstands? in for\b|\b(?:to|who) stand in\b|"
            r"\bstep(?:s|ping)? in (?:for (?:them|her|him)\b|to run\b)|\btakes? over running\b|"
            r"\b(?:covers?|takes? over) (?:for )?(?:the |our |her |his |their |that )?"
            r"(?:[\w&'-]+ ){0,4}(?:duties|role|jobs)\b|"
            r"\bcovers? for (?:them|her|him|(?:the |our )?(?:[\w&'-]+ ){0,3}(?:manager|officer|"
            r"qmo|qcm|director|lead|head))\b",
            r"\bdeput(?:y|ies|i[sz]e[sd]?|i[sz]ing)\b|\b(?:in|during) (?:the |their |his |her )?"
            r"absences?\b|\bis absent\b|\bstands? in for\b|\bcover(?:s|ing)? for\b|"
            r"\bnominated (?:alternate|substitute|delegate)\b",
            "deputy deputise absence absent stand in cover nominated alternate substitute",
        ),
        # Testing software before relying on it: a software change asked about with testing
        # (not "who signs off a new version of our software", a release question).
        (
            "testing software before relying on it (software validation)",
            r"\bsoftware (?:validation|verification)\b|"
            r"\bvalidat\w* (?:the |our |new |that |any )?(?:software|apps?)\b|"
            r"\bcomputeri[sz]ed systems? validation\b|"
            r"\b(?:software (?:updates?|upgrades?|versions?)|new versions? of (?:the |our )?"
            r"(?:[\w-]+ ){0,3}(?:app|software|system)|(?:app|software|system) (?:gets?|receives?|"
            r"is getting|has) (?:a |an )?(?:software )?(?:updates?|upgrades?)|(?:different|new) "
            r"(?:tablet |phone |mobile )?app|software)\b(?=[^?]*\b(?:test|tests|tested|testing|"
            r"validat\w*|works? properly|still (?:works?|calculates?|comes? out))\b)",
            r"\bsoftware (?:validation|verification|testing|tests?|releases?|versions?|updates?|"
            r"upgrades?|changes?)\b|\bvalidat\w* (?:of )?(?:the |our |new |any |all )?(?:[\w-]+ )?"
            r"(?:software|apps?|applications?|systems?|tools?)\b|\b(?:software|apps?|applications?|"
            r"systems?|tools?) (?:are |is |must be |shall be |will be )?(?:validated|verified|"
            r"tested)\b|\bcomputeri[sz]ed systems?\b|\buser acceptance test\w*|"
            r"\bnew versions? of (?:the |our )?(?:[\w-]+ ){0,3}(?:app|software|system)s?\b",
            "software validation validated verification tested testing version update upgrade "
            "release application system app computerised",
        ),
        # Auditing suppliers at their own premises: not our checks of a subcontractor's work
        # at a customer's site, which a services firm's inspections cover.
        (
            "auditing suppliers at their own premises",
            r"\bsupplier audits?\b|\baudit\w* (?:of )?(?:our |a |the |any )?(?:key |main |major |"
            r"chemical |critical )?(?:suppliers?|subcontractors?|vendors?)\b[^?]{0,80}"
            r"\b(?:premises|factor(?:y|ies)|warehouses?|works)\b|"
            r"\b(?:visit|inspect)\w* (?:a |our |the )?(?:suppliers?|subcontractors?)(?:'s|s')? "
            r"(?:own )?(?:premises|factor(?:y|ies)|warehouses?|sites?)\b",
            r"\bsupplier audits?\b|\baudit\w* (?:of |on )?(?:the |our |a |an |key |critical )?"
            r"(?:suppliers?|subcontractors?|vendors?|external providers?)\b|"
            r"\b(?:suppliers?|subcontractors?|vendors?) (?:are |is |may be |will be )?audited\b|"
            r"\bsecond[- ]party audits?\b|\b(?:visit|inspect)\w* (?:to )?(?:the |a )?"
            r"(?:suppliers?|subcontractors?)\b|\bon-?site (?:audits?|assessments?|visits?)\b",
            "supplier audit audits audited subcontractor vendor external provider visit "
            "premises second party",
        ),
        # Checking the licences of open-source or third-party code we build in (gstt-csc's and
        # openregulatory's documents control third-party software, never its licence terms)
        (
            "checking the licences of open-source components",
            r"\b(?:open[- ]source|third[- ]party|python|npm|external) (?:[\w-]+ ){0,2}"
            r"(?:librar(?:y|ies)|packages?|components?|dependenc(?:y|ies)|code)\b"
            r"(?=[^?]*\blicen[cs]\w*)|"
            r"\blicen[cs]es? (?:of|for|on) (?:the |our |any |an? )?"
            r"(?:open[- ]source|third[- ]party)\b|"
            r"\bcopyleft\b|\bgpl\b",
            r"\b(?:open[- ]source|software|third[- ]party|soup) licen[cs](?:e|es|ing)\b|"
            r"\blicen[cs](?:e|es|ing) (?:terms|compatibility|conditions|checks?|reviews?|"
            r"obligations|types?)\b|\bgpl\b|\bcopyleft\b|\bspdx\b|\bpermissive licen[cs]es?\b",
            "licence license licensing open source third party library package soup terms",
        ),
        # Backing up electronic records: not a paper back-up sheet or a back-up supplier.
        (
            "backing up electronic records",
            r"\bback(?:ed)?[- ]?ups? (?:of )?(?:our |the |all )?(?:electronic |quality |qms |"
            r"digital )?(?:records?|data|files?|servers?|databases?|systems?|repositor(?:y|ies)|"
            r"documents?)\b|\b(?:records?|data|files?|servers?|databases?|systems?|"
            r"repositor(?:y|ies)|documents?)\b[^?.]{0,40}\bbacked[- ]up\b|\bdisaster recovery\b|"
            r"\bfrom (?:a |the )?backups?\b",
            # what a document keeping backups says: what is backed up, how often, how it is
            # restored; not a hosting checklist's "data volume incl. appropriate backup"
            r"\bback-?ups? (?:of|are|is|must|will|schedule|restore|success|test|copies|log)\b|"
            r"\b(?:regular|daily|weekly|nightly|monthly) back-?ups?\b|\bprotection and back-?up\b|"
            r"\bbacked[- ]up\b|\bdisaster recovery\b",
            "backup backups back-up backed up restore recovery disaster server data",
        ),
    ),
    renamed_in_headings=False,
)


@dataclass(frozen=True)
class OtherStandardTopic:
    standard: OtherStandard
    rule: TopicRule  # the rule that recognised it
    # the question's words it recognised ("gifts"); a pattern that reads a longer phrase
    # marks the topic's own words in it as the group ``words``
    words: str

    @property
    def topic(self) -> str:
        """Our words for what the question is about: "environmental aspects"."""
        return self.rule.topic

    @property
    def found_by_headings(self) -> bool:
        """A lead passage's heading sharing the question's words for the topic counts as the
        documents speaking of it (``OtherStandard.renamed_in_headings``), unless the rule says
        itself what a document would write: "personal data leaks" shares "data" with any data
        procedure's heading."""
        return self.standard.renamed_in_headings and self.rule.named is None

    def note(self) -> str:
        """'It is about environmental aspects: an ISO 14001 (environmental management)
        matter, not ISO 9001'."""
        return f"It is about {self.topic}: {self.standard.matter()}"


def other_standard_topic(question: str) -> OtherStandardTopic | None:
    """The other standard a question's topic belongs to (``standard`` "" for a workplace
    matter, a named quality method or a quality practice), or None (an ordinary question). A
    workplace matter comes before a method: "Do we pay people on an 8D team a bonus?" is about
    the bonus."""
    for standard in (*OTHER_STANDARDS, WORKPLACE, QUALITY_METHODS, QUALITY_PRACTICES):
        for rule in standard.topics:
            if found := rule.pattern.search(question):
                # the topic's own words when the pattern marks them, else all it matched (an
                # alternative without the group leaves it None)
                words = found.groupdict().get("words") or found.group(0)
                return OtherStandardTopic(standard, rule, words)
    return None


class CorpusTopics:
    """Whether any indexed passage names the topic a question was recognised by: the passages
    richest in the question's own words for it (BM25, at most ``CANDIDATES``) are read for the
    topic's pattern, line by line. A word the corpus never uses finds no passage at all. One BM25
    query and at most CANDIDATES passages, at any corpus size: a scan of every passage per topic
    put bench/ask_latency.py's p95 at 20,000 passages at 719 ms (now 41 ms).

    A form or template (``roles``: search/roles.py's RECORD) does not count: its words are
    example entries and field names ("e.g. a radiologist can log in with their email and
    password"), not the organisation dealing with the matter."""

    CANDIDATES = 100  # hand-set: far more passages than name one topic in any corpus seen

    def __init__(self, store: IndexStore, roles: DocumentRoles | None = None) -> None:
        self.store = store
        self.roles = roles

    def names(self, topic: OtherStandardTopic) -> bool:
        return self._named_in(topic, forms=False)

    def only_forms_name(self, topic: OtherStandardTopic) -> bool:
        """A form or template names the topic (asked when no other document does: its example
        entries), so a refusal must not say no document mentions it."""
        return self.roles is not None and self._named_in(topic, forms=True)

    def _named_in(self, topic: OtherStandardTopic, forms: bool) -> bool:
        """A passage among the topic's BM25 candidates has a line the pattern finds: in a form
        or template (``forms``), or in any other document. A practice kept in other words
        than a question's is read for its own ``named`` pattern, among the candidates for its
        search words too."""
        rule = topic.rule
        words = f"{topic.words} {rule.search}".strip()
        return self.named_by(words, rule.named or rule.pattern, forms)

    def named_by(self, words: str, pattern: re.Pattern[str], forms: bool | None = None) -> bool:
        """A passage among the BM25 candidates for ``words`` has a line ``pattern`` finds: in a
        form or template (``forms`` True), in any other document (False), or in any (None; a
        clause need's check, usecases/clause_needs.py)."""
        hits = self.store.lexical.query(words, self.CANDIDATES)
        found = self.store.manifest.chunks_by_id(chunk_id for chunk_id, _ in hits).values()
        records = self.roles.with_role(RECORD) if self.roles is not None else frozenset()
        return any(
            pattern.search(line)
            for c in found
            if forms is None or (c.file in records) == forms
            for line in c.embedding_text().splitlines()
        )
