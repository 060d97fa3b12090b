"""A reproducible synthetic corpus of news-like articles for benchmarks.

Articles are assembled from sentence templates written for Tocsin (casualty
reports, deployments, curfews, quotes and plain background), with places and
figures drawn from a seeded random generator, so every run measures the same text.
"""

from __future__ import annotations

import datetime as dt
import random

CITIES = [
    ("Almaty", "Kazakhstan"), ("Khartoum", "Sudan"), ("Lima", "Peru"), ("Quito", "Ecuador"),
    ("Dhaka", "Bangladesh"), ("Tbilisi", "Georgia"), ("Nairobi", "Kenya"), ("Bogota", "Colombia"),
    ("Colombo", "Sri Lanka"), ("Yangon", "Myanmar"), ("Tehran", "Iran"), ("Lagos", "Nigeria"),
]  # fmt: skip
GROUPS = ["protesters", "police officers", "civilians", "soldiers", "people", "students"]
NUMBERS = [
    "12",
    "at least 40",
    "dozens of",
    "more than 3,000",
    "nearly 200",
    "eighteen",
    "hundreds of",
]
TEMPLATES = [
    "{n} {g} were killed in {city} on {day}, the health ministry said.",
    "Police in {city} said {n} {g} had been detained since the weekend.",
    "Hospitals reported {n} {g} injured after clashes near the parliament.",
    "Authorities declared a state of emergency in {country} until {date}.",
    "A curfew was imposed in {city} from 10 p.m. to 6 a.m., officials said.",
    "About {size} troops would be deployed to {country}, the defence ministry said.",
    '"We will not leave the square until our demands are met," said one protester.',
    "The minister said the situation in {city} had stabilised and that talks would resume.",
    "The country, which gained independence in 1991, has a population of about 19 million.",
    "Fuel prices doubled at the start of the year, prompting the first demonstrations.",
    "Opposition leaders called for calm and urged supporters to avoid violence.",
    "Internet access was restricted across much of the region for a second day.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def article(rng: random.Random, index: int, sentences: int = 24) -> dict[str, str]:
    """One article of about ``sentences`` sentences in a few paragraphs."""
    city, country = rng.choice(CITIES)
    parts = []
    for _ in range(sentences):
        parts.append(
            rng.choice(TEMPLATES).format(
                n=rng.choice(NUMBERS), g=rng.choice(GROUPS), city=city, country=country,
                day=rng.choice(DAYS), date=f"Jan. {rng.randint(1, 28)}",
                size=rng.choice(["500", "2,000", "3,600"]),
            )
        )  # fmt: skip
    paragraphs = [" ".join(parts[i : i + 3]) for i in range(0, len(parts), 3)]
    published = dt.datetime(2024, 1, 10, tzinfo=dt.UTC) + dt.timedelta(hours=index)
    return {
        "id": f"bench-{index:06d}",
        "title": f"Unrest in {city}",
        "source": "Bench Wire",
        "published_at": published.isoformat(),
        "body": "\n\n".join(paragraphs),
    }


def corpus(count: int, seed: int = 7) -> list[dict[str, str]]:
    """``count`` articles, the same ones for the same seed."""
    rng = random.Random(seed)
    return [article(rng, i) for i in range(count)]
