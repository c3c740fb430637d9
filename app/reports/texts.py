"""Every word the report prints that does not come from the bank, in each language."""

from __future__ import annotations

from datetime import date

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "kicker": "Social media readiness report",
        "bank": "Question bank",
        "version": "version",
        "date": "Date",
        "reference": "Assessment",
        "decision": "Decision",
        "decision.go": "Go",
        "decision.conditional_go": "Conditional go",
        "decision.no_go": "No go",
        "decision.insufficient_data": "Insufficient data",
        "explain.go": "Ready to start marketing on social media: the overall score reaches the go threshold "
        "and every dimension is at least at its minimum.",
        "explain.conditional_go": "Ready with conditions: close the gaps below before you start, or make them "
        "your very first steps.",
        "explain.no_go": "Not ready yet: fix the gaps below before you start marketing on social media.",
        "explain.no_go.knockout": "Not ready yet: an answer rules out marketing on social media for now, whatever "
        "else is in place. See the knock-outs below.",
        "explain.insufficient_data": "Too few questions are answered to decide: answer the open ones, or find out "
        "what was left at “don't know”, and assess again.",
        "score": "Overall score",
        "out_of": "of 100",
        "coverage": "Coverage",
        "coverage.help": "of the questions answered",
        "policy": "Go at {go_at} points or more with every minimum met; no go below {no_go_below}.",
        "dimensions": "Readiness by dimension",
        "radar.title": "Score and target of each dimension, 0 at the centre and 100 at the rim",
        "legend.score": "Score",
        "legend.target": "Target",
        "dimension": "Dimension",
        "target": "Target",
        "minimum": "Minimum",
        "minimum.short": "min.",
        "status": "Status",
        "status.met": "Target met",
        "status.below_target": "Below target",
        "status.below_floor": "Below minimum",
        "status.not_applicable": "Not applicable",
        "not_applicable.short": "not applicable",
        "knockouts": "Knock-outs",
        "knockouts.intro": "These answers rule out marketing on social media for now, whatever the scores say.",
        "answer": "Answer",
        "reason": "Why",
        "todo": "What to do",
        "path": "Path to go",
        "path.steps": "Closing these gaps, in this order, would turn the decision into go.",
        "path.projected": "Projected score after these steps: {score}.",
        "path.go": "Margins",
        "path.margins": "How far each dimension is above (+) or below (−) its target.",
        "path.score_margin": "The overall score is {margin} points above the go threshold.",
        "path.none": "No path to go could be worked out for this result.",
        "step.knockout": "Remove the knock-out",
        "step.coverage": "Answer the open questions",
        "step.floor": "Reach the minimum",
        "step.target": "Reach the target",
        "step.raise": "Raise the score",
        "step.move": "from {score} to {reach}",
        "margin": "Margin",
        "questions": "Questions",
        "gaps": "Gaps to close, most urgent first",
        "gaps.none": "No gaps: every dimension meets its target.",
        "severity.blocker": "Blocker",
        "severity.major": "Major",
        "severity.minor": "Minor",
        "kind.knockout": "Knock-out",
        "kind.floor": "Below minimum",
        "kind.target": "Below target",
        "shortfall": "Short by",
        "weakest": "Weakest answers",
        "lost": "{points} points lost",
        "progress": "Change since the previous assessment",
        "progress.previous": "Previous assessment on {date}: {decision}, score {score}.",
        "progress.now": "Now",
        "progress.closed": "Gaps closed",
        "progress.opened": "New gaps",
        "progress.unchanged": "Still open",
        "before": "Before",
        "now": "Now",
        "change": "Change",
        "answers": "Answers given",
        "question": "Question",
        "state.dont_know": "Don't know",
        "state.not_applicable": "Not applicable",
        "state.missing": "Not answered",
        "check.passed": "passed",
        "check.failed": "not passed",
        "points": "Points",
        "footer": "Made on {date} by the SoMe Readiness API, scoring engine {engine}. "
        "Question bank {slug} {version}, content {hash}.",
    },
    "fi": {
        "kicker": "Somevalmiusraportti",
        "bank": "Kysymyspankki",
        "version": "versio",
        "date": "Päivämäärä",
        "reference": "Arviointi",
        "decision": "Päätös",
        "decision.go": "Valmis",
        "decision.conditional_go": "Valmis ehdoin",
        "decision.no_go": "Ei vielä valmis",
        "decision.insufficient_data": "Liian vähän tietoja",
        "explain.go": "Valmis aloittamaan markkinoinnin sosiaalisessa mediassa: kokonaispisteet yltävät "
        "aloitusrajaan ja jokainen osa-alue on vähintään vähimmäistasollaan.",
        "explain.conditional_go": "Valmis ehdoin: korjaa alla olevat puutteet ennen aloittamista tai tee niistä "
        "aivan ensimmäiset askeleesi.",
        "explain.no_go": "Ei vielä valmis: korjaa alla olevat puutteet ennen kuin aloitat markkinoinnin "
        "sosiaalisessa mediassa.",
        "explain.no_go.knockout": "Ei vielä valmis: jokin vastaus estää markkinoinnin sosiaalisessa mediassa "
        "toistaiseksi, oli muu kunnossa tai ei. Katso poissulkevat vastaukset alta.",
        "explain.insufficient_data": "Päätöstä ei voi tehdä, koska liian moni kysymys on vastaamatta tai vastattu "
        "”en tiedä”: vastaa avoimiin kysymyksiin, selvitä puuttuvat tiedot ja arvioi uudelleen.",
        "score": "Kokonaispisteet",
        "out_of": "/ 100",
        "coverage": "Kattavuus",
        "coverage.help": "kysymyksistä vastattu",
        "policy": "Valmis, kun pisteitä on vähintään {go_at} ja jokainen vähimmäistaso täyttyy; "
        "alle {no_go_below} pistettä ei valmis.",
        "dimensions": "Valmius osa-alueittain",
        "radar.title": "Osa-alueiden pisteet ja tavoitteet, keskellä 0 ja reunalla 100",
        "legend.score": "Pisteet",
        "legend.target": "Tavoite",
        "dimension": "Osa-alue",
        "target": "Tavoite",
        "minimum": "Vähimmäistaso",
        "minimum.short": "väh.",
        "status": "Tila",
        "status.met": "Tavoite saavutettu",
        "status.below_target": "Alle tavoitteen",
        "status.below_floor": "Alle vähimmäistason",
        "status.not_applicable": "Ei koske",
        "not_applicable.short": "ei koske",
        "knockouts": "Poissulkevat vastaukset",
        "knockouts.intro": "Nämä vastaukset estävät markkinoinnin sosiaalisessa mediassa toistaiseksi pisteistä "
        "riippumatta.",
        "answer": "Vastaus",
        "reason": "Miksi",
        "todo": "Mitä tehdä",
        "path": "Tie valmiuteen",
        "path.steps": "Kun nämä puutteet korjataan tässä järjestyksessä, päätös muuttuu valmiiksi.",
        "path.projected": "Arvioidut pisteet näiden askelten jälkeen: {score}.",
        "path.go": "Pelivara",
        "path.margins": "Kuinka paljon kukin osa-alue on tavoitteensa yläpuolella (+) tai alapuolella (−).",
        "path.score_margin": "Kokonaispisteet ovat {margin} pistettä aloitusrajan yläpuolella.",
        "path.none": "Tälle tulokselle ei voitu laskea tietä valmiuteen.",
        "step.knockout": "Ratkaise poissulkeva tekijä",
        "step.coverage": "Vastaa avoimiin kysymyksiin",
        "step.floor": "Nosta vähimmäistasolle",
        "step.target": "Nosta tavoitteeseen",
        "step.raise": "Nosta pisteitä",
        "step.move": "{score} → {reach}",
        "margin": "Marginaali",
        "questions": "Kysymykset",
        "gaps": "Korjattavat puutteet kiireellisimmästä alkaen",
        "gaps.none": "Ei puutteita: jokainen osa-alue saavuttaa tavoitteensa.",
        "severity.blocker": "Estävä",
        "severity.major": "Merkittävä",
        "severity.minor": "Vähäinen",
        "kind.knockout": "Poissulkeva vastaus",
        "kind.floor": "Alle vähimmäistason",
        "kind.target": "Alle tavoitteen",
        "shortfall": "Vajaus",
        "weakest": "Heikoimmat vastaukset",
        "lost": "{points} pistettä menetetty",
        "progress": "Muutos edellisestä arvioinnista",
        "progress.previous": "Edellinen arviointi {date}: {decision}, pisteet {score}.",
        "progress.now": "Nyt",
        "progress.closed": "Korjatut puutteet",
        "progress.opened": "Uudet puutteet",
        "progress.unchanged": "Yhä avoinna",
        "before": "Ennen",
        "now": "Nyt",
        "change": "Muutos",
        "answers": "Annetut vastaukset",
        "question": "Kysymys",
        "state.dont_know": "En tiedä",
        "state.not_applicable": "Ei koske meitä",
        "state.missing": "Ei vastattu",
        "check.passed": "täyttyy",
        "check.failed": "ei täyty",
        "points": "Pisteet",
        "footer": "Laadittu {date} SoMe Readiness API:lla, pisteytysmoottori {engine}. "
        "Kysymyspankki {slug} {version}, sisältö {hash}.",
    },
}

_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def number(value: float, lang: str, digits: int = 1) -> str:
    """A figure as the language writes it: 81.1 in English, 81,1 in Finnish; never -0."""
    text = f"{value:.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace(".", ",") if lang == "fi" else text


def signed(value: float, lang: str, digits: int = 1) -> str:
    """A change with its sign: +4.5, −2.0 (a real minus sign), 0.0."""
    text = number(abs(value), lang, digits)
    if float(f"{abs(value):.{digits}f}") == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


def percent(fraction: float, lang: str) -> str:
    """A share 0..1 as a whole percentage: 97 % in Finnish, 97% in English."""
    whole = f"{fraction * 100:.0f}"
    return f"{whole}\u00a0%" if lang == "fi" else f"{whole}%"


def day(moment: date, lang: str) -> str:
    """A date as the language writes it: 2 November 2026, 2.11.2026."""
    if lang == "fi":
        return f"{moment.day}.{moment.month}.{moment.year}"
    return f"{moment.day} {_MONTHS_EN[moment.month - 1]} {moment.year}"
