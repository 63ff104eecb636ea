"""The report's list of terms ("Begrippen"): every technical word explained once, in B1 Dutch.

report_style.md asks to explain a technical term once. The summary explains the two words it
cannot do without where they first appear (doelgroep, loonwaarde); every other term of the
study, the law or the model that a municipality reads in the report is explained here, once,
in the reading guide "Over dit rapport" that follows the summary. The study's own loanwords
(hype, partnership, employability) stay in its quotes and names and are explained here too.
"""

from __future__ import annotations

#: Term and its explanation, in the order a reader meets them in the report.
TERMS: tuple[tuple[str, str], ...] = (
    (
        "Productiviteitsvenster (kort: venster)",
        "de loonwaarden waarvoor een scenario werk biedt, bijvoorbeeld 50 tot 80 % in Regulier.",
    ),
    (
        "Meedoen binnen het productiviteitsvenster",
        "welk deel van de mensen met een loonwaarde binnen het venster echt aan het werk gaat. "
        "Dit is een aanname: niet iedereen die past, wil of kan meedoen.",
    ),
    (
        "Deelname van de doelgroep",
        "welk deel van de hele doelgroep werkt. Dit is een uitkomst van de berekening.",
    ),
    (
        "Wsw (sociale werkvoorziening)",
        "werk in een SW-bedrijf voor mensen die alleen in een aangepaste omgeving kunnen "
        "werken. Sinds 2015 komen er geen nieuwe mensen meer bij.",
    ),
    ("Wajong", "een uitkering van UWV voor mensen die op jonge leeftijd ziek of gehandicapt zijn."),
    (
        "Beschut werk",
        "werk in een beschermde omgeving voor wie niet bij een gewone werkgever kan werken; "
        "sinds 2015 de opvolger van de Wsw.",
    ),
    (
        "Loonkostensubsidie",
        "geld dat de werkgever krijgt voor het verschil tussen het minimumloon en wat iemand "
        "kan verdienen.",
    ),
    (
        "Banenafspraak en quotum",
        "de afspraak uit 2015 dat werkgevers extra banen maken voor mensen met een beperking. "
        "Het quotum is het deel van de banen dat een werkgever zo moet invullen; wie dat niet "
        "doet, kan een heffing moeten betalen (afkoop).",
    ),
    (
        "Regisseur op afstand en ondernemer",
        "de twee rollen van de gemeente in de studie. Een regisseur op afstand stuurt en laat "
        "het werk aan bedrijven over; een ondernemer maakt zelf werk of investeert mee.",
    ),
    (
        "Kernonzekerheden",
        "de onzekere ontwikkelingen die volgens de studie het meest bepalen hoe de toekomst "
        "eruitziet.",
    ),
    (
        "Re-integratie",
        "hulp van de gemeente of UWV om (weer) aan het werk te komen.",
    ),
    ("Hype (woord uit de studie)", "iets waar iedereen ineens mee bezig is."),
    (
        "W-deel",
        "het deel van het geld van de gemeente voor werk en re-integratie (uit de studie).",
    ),
    (
        "PPS (publiek-private samenwerking) en partnership (woord uit de studie)",
        "de gemeente en bedrijven werken samen en leggen afspraken vast in contracten.",
    ),
    ("Employability (woord uit de studie)", "hoe goed iemand werk kan vinden en houden."),
    (
        "Detachering",
        "iemand blijft in dienst van het SW-bedrijf, maar werkt bij een andere werkgever.",
    ),
    ("Dagbesteding", "zinvolle bezigheden overdag, zonder loon, voor wie niet kan werken."),
    (
        "Social return",
        "wie een opdracht van de gemeente krijgt, besteedt een deel van het geld aan werk voor "
        "mensen met een afstand tot de arbeidsmarkt.",
    ),
    (
        "PSO-prestatieladder",
        "een keurmerk voor organisaties die veel mensen met een afstand tot de arbeidsmarkt in "
        "dienst hebben.",
    ),
    (
        "Maatschappelijk rendement (SROI)",
        "wat de samenleving terugkrijgt voor elke euro bruto kosten (loon, minder "
        "uitkeringen en andere opbrengsten).",
    ),
    (
        "MKBA (maatschappelijke kosten-batenanalyse)",
        "een berekening van alle kosten en opbrengsten voor de hele samenleving.",
    ),
    (
        "Procentpunt",
        "het verschil tussen twee percentages (van 20 % naar 25 % is 5 procentpunt).",
    ),
    (
        "Windtunnel",
        "een test van beleid. Elke beleidsoptie wordt doorgerekend in elk scenario en in "
        "duizenden mogelijke toekomsten (combinaties van de onzekere aannames).",
    ),
)


def glossary_markdown() -> str:
    """Return the terms as a Markdown list under the heading "Begrippen".

    Returns
    -------
    str
        ``### Begrippen`` and one ``- **term**: explanation`` line per term of :data:`TERMS`.
    """
    lines = [f"- **{term}**: {text}" for term, text in TERMS]
    return "### Begrippen\n\n" + "\n".join(lines)
