"""A reproducible synthetic corpus of news-like articles for benchmarks.

Articles are assembled from sentence templates written for Tocsin: event
sentences (casualty reports, deployments, curfews, quotes) and background
sentences (context, economics, politics, reactions), with places and figures
drawn from a seeded random generator, so every run measures the same text.

``density`` is the share of event sentences. Wire copy about unrest carries a
few event sentences among many of context, so the default is 0.2; the seed
article, a crisis report, is denser (about one event per 200 bytes), and
benchmarks report both.
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
NUMBERS = ["12", "at least 40", "dozens of", "more than 3,000", "nearly 200", "eighteen"]
EVENT_TEMPLATES = [
    "{n} {g} were killed in {city} on {day}, the health ministry said.",
    "Police in {city} said {n} {g} had been detained since the weekend.",
    "Hospitals reported {n} {g} injured after clashes near the parliament.",
    "Authorities declared a state of emergency in {country} until {date}.",
    "A curfew was imposed in {city} from 10 p.m. to 6 a.m., officials said.",
    "About {size} troops would be deployed to {country}, the defence ministry said.",
    '"We will not leave the square until our demands are met," said one protester.',
    "The minister said the situation in {city} had stabilised and that talks would resume.",
]
BACKGROUND_TEMPLATES = [
    "The country, which gained independence in 1991, has a population of about 19 million.",
    "Fuel prices doubled at the start of the year, prompting the first demonstrations.",
    "Opposition leaders called for calm and urged supporters to avoid violence.",
    "Internet access was restricted across much of the region for a second day.",
    "Shops in the centre of {city} stayed shut and public transport ran a reduced service.",
    "The central bank raised its main interest rate by two percentage points in March.",
    "Analysts expect growth to slow to around 3 percent this year as exports weaken.",
    "Parliament is due to debate the new budget, which cuts subsidies on bread and gas.",
    "The government has blamed foreign-backed groups for organising the unrest.",
    "Rights groups have long criticised the authorities for restricting the media.",
    "Long queues formed outside banks in {city} as people tried to withdraw savings.",
    "The unrest began in a provincial town before spreading to {city} within days.",
    "Neighbouring governments said they were following events closely.",
    "Flights to {city} were cancelled or diverted on {day}, airlines said on their websites.",
    "Teachers and doctors joined the strike, demanding higher pay and better conditions.",
    "The president dismissed the cabinet and appointed an interim prime minister.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def article(
    rng: random.Random, index: int, sentences: int = 24, density: float = 0.2
) -> dict[str, str]:
    """One article of ``sentences`` sentences in paragraphs of three."""
    city, country = rng.choice(CITIES)
    parts = []
    for _ in range(sentences):
        templates = EVENT_TEMPLATES if rng.random() < density else BACKGROUND_TEMPLATES
        parts.append(
            rng.choice(templates).format(
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


def corpus(count: int, seed: int = 7, density: float = 0.2) -> list[dict[str, str]]:
    """``count`` articles, the same ones for the same seed and density."""
    rng = random.Random(seed)
    return [article(rng, i, density=density) for i in range(count)]
