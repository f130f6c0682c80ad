"""A seeded generator of realistic news-length articles for the benchmarks.

Each article has a title, a dateline, a lead sentence that states its key fact (who, what,
how many, where, when), quotes, background and figures, 350-750 words in 5-9 paragraphs,
across six desks (business, sport, technology, politics, health, climate) with names,
places, organisations, numbers and dates drawn from a seeded random generator. Every
article yields one gold question about its lead fact (question, answer), so the benchmarks
can ask questions whose answer is known.

Articles are written as JSON Lines feeds (``title``, ``body``, ``published_at``,
``category``, ``source``), ``per_file`` articles per file, which ``newsdesk ingest`` reads
like any feed; ``questions.jsonl`` holds the gold questions in the eval format.

Not done: real language variety. Sentences come from templates, so the text is easier
for keyword search than real news; it is for timing, not for measuring answer quality.

    python -m bench.corpus --articles 2000 --out /work/bench-cache/corpus-2k
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "Maria James Wei Ana Olga Rahul Fatima Lucas Sofia Kenji Amara Jonas Elena Omar Priya "
    "Daniel Ingrid Mateo Chloe Hassan Yuki Nadia Pavel Grace Tomas Leila Arjun Emma Kwame "
    "Hannah Diego Mei Viktor Aisha Samuel Lina Felix Zara Ivan Noor Patrick Rosa Chen Julia"
)
LAST = _words(
    "Okafor Lindqvist Moreau Tanaka Schmidt Haddad Kowalski Silva Nguyen Fischer Rossi "
    "Mensah Petrov Andersen Costa Dubois Khan Novak Hughes Alvarez Sato Brennan Ibrahim "
    "Larsen Romero Mbeki Varga Osei Yamamoto Keller Castillo Iqbal Laurent Horvat Reyes "
    "Abara Lehmann Quinn Farouk Dahl Marsh Ortega Zhou Bianchi Kaur Sorensen"
)
CITIES = _words(
    "Lagos Rotterdam Osaka Lyon Krakow Porto Nairobi Hamburg Valencia Gdansk Adelaide "
    "Montreal Accra Turin Busan Seville Leeds Malmo Dublin Bilbao Pune Curitiba Graz "
    "Tampere Cork Utrecht Bristol Antwerp Lille Aarhus Split Kaunas Riga Brno Ghent"
)
COUNTRIES = _words(
    "Nigeria Netherlands Japan France Poland Portugal Kenya Germany Spain Australia Canada "
    "Ghana Italy Korea Britain Sweden Ireland India Brazil Austria Finland Belgium Denmark "
    "Croatia Lithuania Latvia Czechia"
)
ORG_A = _words(
    "Northwind Bluepeak Meridian Solace Arcturus Halcyon Vantage Corvid Larkspur Quarry "
    "Tidewater Granite Helix Orchard Saltmarsh Ironbridge Kestrel Lumen Marble Pinecrest"
)
ORG_B = {
    "business": ["Holdings", "Logistics", "Retail", "Foods", "Shipping", "Bank", "Steel"],
    "sport": ["United", "Athletic", "Rovers", "City", "Wanderers", "Racing Club"],
    "technology": ["Systems", "Robotics", "Semiconductors", "Networks", "Software", "Labs"],
    "politics": ["Party", "Alliance", "Movement", "Coalition", "Union"],
    "health": ["Hospital Trust", "Pharma", "Health Institute", "Clinics", "Biologics"],
    "climate": ["Energy", "Renewables", "Water Authority", "Grid", "Forestry Board"],
}
THINGS = {
    "business": ("jobs", "stores", "warehouses", "contracts", "branches", "factories"),
    "sport": ("goals", "points", "matches", "titles", "caps", "medals"),
    "technology": ("chips", "patents", "engineers", "data centres", "satellites", "servers"),
    "politics": ("seats", "votes", "councillors", "ministries", "signatures", "districts"),
    "health": ("beds", "clinics", "nurses", "trial patients", "vaccine doses", "cases"),
    "climate": ("wind turbines", "hectares", "solar farms", "homes", "charging points", "dams"),
}
ACTION = {
    "business": ("cut", "add", "close", "open", "sell", "buy"),
    "sport": ("score", "win", "lose", "sign", "play", "add"),
    "technology": ("ship", "build", "hire", "file", "launch", "install"),
    "politics": ("win", "lose", "secure", "gain", "contest", "hold"),
    "health": ("add", "open", "hire", "enrol", "deliver", "report"),
    "climate": ("install", "restore", "build", "connect", "power", "protect"),
}
ROLES = (
    "chief executive",
    "finance director",
    "spokesperson",
    "head coach",
    "minister",
    "mayor",
    "lead researcher",
    "union leader",
    "analyst",
    "chair",
    "chief scientist",
)
DESKS = tuple(ORG_B)

BACKGROUND = (
    "The announcement follows {n2} months of talks between {org} and local officials in {city}.",
    "Analysts at {org2} said the move had been expected since the spring, when {org} "
    "reported a {pct} percent fall in quarterly revenue.",
    "{org} employs about {big} people across {country}, according to its latest annual report.",
    "The plan still needs approval from regulators in {country}, which could take until {date2}.",
    "In {year0}, a similar plan by {org2} was abandoned after {n2} months of protests.",
    "Shares in {org} rose {pct} percent in early trading in {city2} after the news broke.",
    "Critics say the figures leave out about {n3} {thing} that were counted differently last year.",
    "A report published by {org2} on {date2} estimated the cost at {money} million euros.",
    "Local residents in {city} have asked for a public meeting before work begins.",
    "The figures were confirmed by {name2}, the {role2} of {org2}, in a statement on {date2}.",
    "Most of the changes will take effect in {city2} first, with {city} following within "
    "{n2} weeks.",
    "The last comparable deal in {country} was signed in {year0} and covered {n3} {thing}.",
    "Opposition members said the timetable was unrealistic and called for an independent review.",
    "About {pct} percent of those surveyed in {city} said they supported the decision.",
    "Officials declined to say how the {money} million euros would be divided between regions.",
    "Weather and supply delays pushed the start date back by {n2} weeks, the company said.",
    "The {desk} sector in {country} has grown by {pct} percent a year since {year0}.",
    "{name2} of {org2} warned that costs could rise further if interest rates stay high.",
    "Union representatives in {city2} said they had not been consulted before the announcement.",
    "The project is expected to be reviewed again in {year1}, officials said.",
    "Earlier this year {org} said it would spend {money} million euros on new equipment in "
    "{city2} and hire {n3} staff over the next {n2} years.",
    "According to figures from the statistics office of {country}, output in the {desk} "
    "sector fell {pct} percent in the third quarter before recovering in the fourth.",
    "{name2}, who has followed {org} for {org2} since {year0}, said the timing suggested the "
    "board wanted the matter settled before the annual meeting on {date2}.",
    "The company has not said whether the {thing} in {city2} will be affected, and a "
    "spokesperson did not respond to a request for comment on {date2}.",
    "Environmental groups in {country} welcomed parts of the plan but said it did little for "
    "the {n3} households already on waiting lists in {city}.",
    "Under the agreement, {org} will also contribute {money} million euros to a training fund "
    "run jointly with {org2} and the regional government.",
    "Independent estimates put the number closer to {n3}, roughly {pct} percent below the "
    "figure given by {org}.",
    "The decision comes {n2} weeks after a court in {city2} ruled against {org2} in a "
    "separate dispute over {thing} worth {money} million euros.",
    "Council minutes from {year0} show that {city} first considered a similar proposal but "
    "rejected it by {n2} votes to {n2b}.",
    "A spokesperson for the ministry in {country} said talks with {org} were continuing and "
    "that no final figure had been agreed as of {date2}.",
    "Trading volumes in {city2} were about {pct} percent above the monthly average, brokers "
    "said, as investors weighed the effect on {org2}.",
    "Researchers at the university in {city} published a study on {date2} suggesting that "
    "demand for {thing} would rise by {pct} percent by {year1}.",
)
QUOTES = (
    '"This is the right decision for {city} and for the people who work here," said {name}, '
    "the {role} of {org}.",
    '"We looked at every option over the past {n2} months," {name} told reporters in {city}.',
    '"Nobody should be surprised by these numbers," said {name2}, the {role2} of {org2}.',
    '"We expect to see the first results by {date2}," {name} said.',
    '"The {thing} will make a real difference in {city2}," said {name2}.',
    '"It is a difficult day, but the plan is sound," {name} said in a statement.',
)


@dataclass(frozen=True)
class GeneratedArticle:
    """One generated article and the gold question about its lead fact."""

    title: str
    body: str
    published_at: str
    category: str
    source: str
    question: str
    answer: str


def _date(rng: random.Random, start: dt.date, span_days: int) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(span_days))


def _fmt(d: dt.date) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _numbers(rng: random.Random, when: dt.date) -> dict[str, object]:
    """Fresh figures for one sentence, so that no two sentences share them by accident."""
    return {
        "n2": rng.randint(2, 30),
        "n2b": rng.randint(2, 30),
        "n3": f"{rng.randint(10, 9000):,}",
        "pct": f"{rng.randint(1, 60)}.{rng.randint(0, 9)}",
        "money": rng.randint(5, 2500),
        "year0": rng.randint(1995, when.year - 1),
        "date2": _fmt(_date(rng, when, 400)),
    }


def generate(n: int, seed: int = 0) -> Iterator[GeneratedArticle]:
    """``n`` articles, the same for the same ``seed`` (independent of Python's hash seed)."""
    rng = random.Random(seed)
    for i in range(n):
        desk = DESKS[rng.randrange(len(DESKS))]
        org = f"{rng.choice(ORG_A)} {rng.choice(ORG_B[desk])}"
        org2 = f"{rng.choice(ORG_A)} {rng.choice(ORG_B[rng.choice(DESKS)])}"
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        name2 = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        city, city2 = rng.sample(CITIES, 2)
        when = _date(rng, dt.date(2019, 1, 1), 6 * 365)
        n1 = rng.choice((rng.randint(3, 99), rng.randint(100, 4999), rng.randint(5000, 90000)))
        thing = rng.choice(THINGS[desk])
        action = rng.choice(ACTION[desk])
        slots = {
            "org": org,
            "org2": org2,
            "name": name,
            "name2": name2,
            "city": city,
            "city2": city2,
            "country": rng.choice(COUNTRIES),
            "role": rng.choice(ROLES),
            "role2": rng.choice(ROLES),
            "thing": thing,
            "desk": desk,
            "big": f"{rng.randint(1000, 250000):,}",
            "year1": when.year + rng.randint(1, 5),
            **_numbers(rng, when),
        }
        count = f"{n1:,}"
        lead = (
            f"{city}, {_fmt(when)}: {org} will {action} {count} {thing} in {city} by "
            f"{slots['year1']}, {name}, its {slots['role']}, said on {when.strftime('%A')}."
        )
        title = f"{org} to {action} {count} {thing} in {city}"
        paragraphs = [lead]
        sentences = [
            s.format(**{**slots, **_numbers(rng, when)})
            for s in rng.sample(BACKGROUND, rng.randint(16, 26))
        ]
        quotes = [
            q.format(**{**slots, **_numbers(rng, when)})
            for q in rng.sample(QUOTES, rng.randint(2, 4))
        ]
        pool = sentences + quotes
        rng.shuffle(pool)
        while pool:
            take = rng.randint(2, 4)
            paragraphs.append(" ".join(pool[:take]))
            pool = pool[take:]
        yield GeneratedArticle(
            title=title,
            body="\n\n".join(paragraphs),
            published_at=when.isoformat(),
            category=desk,
            source=f"bench-wire-{i % 7}",
            question=f"How many {thing} will {org} {action} in {city}?",
            answer=count,
        )


def write_corpus(out: Path, n: int, seed: int = 0, per_file: int = 100) -> Path:
    """Write ``n`` articles as JSONL feeds under ``out/articles`` and the gold questions to
    ``out/questions.jsonl``; returns ``out/articles``. Existing files are overwritten."""
    articles = out / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    feed = None
    with (out / "questions.jsonl").open("w", encoding="utf-8") as gold:
        for i, a in enumerate(generate(n, seed)):
            if i % per_file == 0:
                if feed is not None:
                    feed.close()
                feed = (articles / f"feed-{i // per_file:05d}.jsonl").open("w", encoding="utf-8")
            assert feed is not None
            obj = {
                "title": a.title,
                "body": a.body,
                "published_at": a.published_at,
                "category": a.category,
                "source": a.source,
            }
            feed.write(json.dumps(obj, ensure_ascii=False) + "\n")
            q = {"id": f"gen-{seed}-{i}", "question": a.question, "answers": [a.answer]}
            gold.write(json.dumps(q) + "\n")
    if feed is not None:
        feed.close()
    return articles


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--per-file", type=int, default=100)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    path = write_corpus(args.out, args.articles, args.seed, args.per_file)
    words = [len(a.body.split()) for a in generate(min(args.articles, 500), args.seed)]
    print(
        f"wrote {args.articles} articles to {path}; words per article "
        f"min {min(words)} median {sorted(words)[len(words) // 2]} max {max(words)}"
    )


if __name__ == "__main__":
    main()
