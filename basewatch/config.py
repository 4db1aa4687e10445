"""Paths, controlled vocabularies, palette and defaults shared by every module."""

from __future__ import annotations

import os
import re
from pathlib import Path

from basewatch.i18n import N_

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DATA_DIR = ROOT / "data"
STATIC_DIR = ROOT / "static"
# Streamlit serves ./static at this prefix when server.enableStaticServing is on.
STATIC_URL = "/app/static/"

EVENTS_FILE = "events.csv"
SITES_FILE = "bases.geojson"
# Contract extensions: optional files. A folder without them stays valid; when present they are enforced.
PUBLISHERS_FILE = "publishers.csv"  # one row per source host: publisher, kind, reliability (issue 10)
SITE_STATUS_FILE = "site_status.csv"  # one row per change of a site's Russian status (issue 11)
COVERAGE_FILE = "coverage.csv"  # per country, the date up to which stored reporting was searched (issue 21)
DATA_FILES = (EVENTS_FILE, SITES_FILE, PUBLISHERS_FILE, SITE_STATUS_FILE, COVERAGE_FILE)
CHANGES_FILE = "CHANGES.md"  # the data changelog: shown in the app, not part of the data version

APP_TITLE = "Basewatch"
APP_TAGLINE = N_("Russia's military footprint around the Mediterranean")

# Licences: the code (LICENSE) and the data in data/ (data/README.md, the data package, exports, the API).
CODE_LICENSE = "Apache-2.0"
DATA_LICENSE = "CC-BY-4.0"  # SPDX id
DATA_LICENSE_TITLE = "Creative Commons Attribution 4.0 International"
DATA_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
DATA_LICENSE_SHORT = "CC BY 4.0"

EVENT_COLUMNS = (
    "id", "date", "date_precision", "actor", "counterpart", "event_type", "site_id",
    "place", "country", "lat", "lon", "personnel_low", "personnel_high", "summary",
    "claim_status", "source_name", "source_url", "source_date", "more_sources",
)
# Contract extensions: columns a data folder may add after the required ones, in any order. Older
# folders without them stay valid; the loader fills them with blanks.
OPTIONAL_EVENT_COLUMNS = (
    "destination_site_id",  # where a movement went (site id); site_id is where it came from
    "last_checked",  # YYYY-MM-DD: when the row was last checked against its sources
)
ALL_EVENT_COLUMNS = EVENT_COLUMNS + OPTIONAL_EVENT_COLUMNS

ACTORS = (
    "Russia",
    "Soviet Union",
    "Syria (Assad government)",
    "Syria (transitional government)",
    "Hayat Tahrir al-Sham",
    "Libyan National Army",
    "Libya (Government of National Unity)",
    "European Union",
    "United States",
    "Turkey",
    "Israel",
    "Ukraine",
    "Sudan",
    "United Nations",
    "Syrian Democratic Forces",
    "Wagner Group",
    "Africa Corps",
    "Unidentified",
)

EVENT_TYPES = (
    "agreement", "deployment", "withdrawal", "redeployment", "diplomacy", "demand",
    "statement", "strike", "observation", "estimate", "other",
)

CLAIM_STATUSES = ("confirmed", "reported", "claimed", "rumored", "denied")

# The claim-status rubric (data/README.md): how well a row's own claim is established by the pages it cites.
CLAIM_STATUS_MEANING = {
    "confirmed": N_("An official statement by the actor about its own action, or direct observation by a named "
                 "independent news agency or in named imagery. Never resting on aggregators, blogs or wikis alone."),
    "reported": N_("An analyst's, outlet's or neutral body's report or estimate, or a named outlet citing unnamed "
                "sources."),
    "claimed": N_("An estimate or accusation by an interested party: one government or its intelligence service about "
               "another's forces, or a party to the conflict about its rival."),
    "rumored": N_("Weak or anonymous, and not picked up elsewhere. Treat with caution."),
    "denied": N_("A party publicly denied it. The row records the denial or the denied claim and names the other row."),
}

DATE_PRECISIONS = ("day", "month", "year")

# What stands behind a source host (publishers.csv `kind`), strongest first; the rubric is in data/README.md.
SOURCE_KINDS = ("wire", "newspaper", "broadcaster", "official", "research", "specialist", "aggregator", "blog",
                "wiki", "other")
SOURCE_KIND_MEANING = {
    "wire": N_("news agency (Reuters, AP, AFP, Interfax, ...)"),
    "newspaper": N_("newspaper or news site with its own reporting"),
    "broadcaster": N_("radio or television broadcaster"),
    "official": N_("government, military, UN or parliament"),
    "research": N_("think tank, ISW, academic work"),
    "specialist": N_("defence or OSINT outlet"),
    "aggregator": N_("republishes or rewrites others' articles"),
    "blog": N_("blog or forum"),
    "wiki": N_("Wikipedia or one of its mirrors"),
    "other": N_("anything else"),
}
SITE_KINDS = ("naval", "air", "port", "airfield", "logistics", "other")
SITE_STATUSES = ("active", "reduced", "contested", "withdrawn", "proposed", "unknown")

# English names for the ISO 3166-1 codes the data uses; unknown codes are shown as they are.
COUNTRY_NAMES = {
    "SY": "Syria", "LY": "Libya", "SD": "Sudan", "RU": "Russia", "TR": "Turkey",
    "BE": "Belgium", "US": "United States", "UA": "Ukraine", "IL": "Israel", "EG": "Egypt",
    "CY": "Cyprus", "GR": "Greece", "IT": "Italy", "FR": "France", "DE": "Germany",
    "GB": "United Kingdom", "QA": "Qatar", "SA": "Saudi Arabia", "AE": "United Arab Emirates",
    "JO": "Jordan", "LB": "Lebanon", "IQ": "Iraq", "IR": "Iran", "DZ": "Algeria",
    "TN": "Tunisia", "ER": "Eritrea", "CF": "Central African Republic", "ML": "Mali",
    "NE": "Niger", "TD": "Chad", "BY": "Belarus", "KZ": "Kazakhstan", "AZ": "Azerbaijan",
    "MT": "Malta", "ES": "Spain", "CH": "Switzerland", "BF": "Burkina Faso",
}

# Okabe-Ito plus Paul Tol's muted set: colour-blind-safe, one colour per actor everywhere.
ACTOR_COLORS = {
    "Russia": "#D55E00",
    "Soviet Union": "#882255",
    "Syria (Assad government)": "#CC79A7",
    "Syria (transitional government)": "#009E73",
    "Hayat Tahrir al-Sham": "#117733",
    "Libyan National Army": "#E69F00",
    "Libya (Government of National Unity)": "#999933",
    "European Union": "#0072B2",
    "United States": "#332288",
    "Turkey": "#AA4499",
    "Israel": "#56B4E9",
    "Ukraine": "#44AA99",
    "Sudan": "#661100",
    "United Nations": "#6699CC",
    "Syrian Democratic Forces": "#88CCEE",
    "Wagner Group": "#000000",
    "Africa Corps": "#555555",
    "Unidentified": "#AAAAAA",
}
FALLBACK_COLOR = "#777777"
NO_PRESENCE_COLOR = "#FFFFFF"  # a site before its first status row: drawn as an outline only, never a status colour

# One colour per event type on the timeline (colour-blind-safe; claim status is drawn by shape).
EVENT_TYPE_COLORS = dict(zip(EVENT_TYPES, ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                                           "#882255", "#117733", "#999933", "#332288", "#888888")))

MOVEMENT_COLOR = "#332288"  # arcs on the map, arrows on the timeline: movements between sites

SITE_STATUS_COLORS = {
    "active": "#D55E00",
    "reduced": "#E69F00",
    "contested": "#CC79A7",
    "withdrawn": "#7F7F7F",
    "proposed": "#0072B2",
    "unknown": "#BBBBBB",
}

# One colour per country on charts, the map and the footprint view (Okabe-Ito, colour-blind-safe).
# Syria, Libya and Sudan avoid the site-status colours above; Russia keeps its actor colour.
COUNTRY_COLORS = {
    "SY": "#009E73",  # bluish green
    "LY": "#56B4E9",  # sky blue
    "SD": "#000000",  # black
    "RU": "#D55E00",  # vermillion, as the actor Russia
    "TR": "#CC79A7",  # reddish purple
    "EG": "#F0E442",  # yellow: fills only, too light for lines on white
}


# Claim status is drawn by shape/fill, never by colour, so it survives colour blindness.
CLAIM_STATUS_STYLE = {
    "confirmed": {"filled": True, "shape": "circle", "symbol": "●"},
    "reported": {"filled": False, "shape": "circle", "symbol": "○"},
    "claimed": {"filled": False, "shape": "diamond", "symbol": "◇"},
    "rumored": {"filled": False, "shape": "triangle-up", "symbol": "△"},
    "denied": {"filled": False, "shape": "cross", "symbol": "✕"},
}

KEY_MOMENTS = (
    ("1971-01-01", N_("Soviet supply point at Tartus")),
    ("2015-09-30", N_("Russian air campaign begins")),
    ("2017-01-18", N_("49-year base agreements")),
    ("2024-12-08", N_("Assad falls")),
)

MAP_DEFAULT_VIEW = (31.0, 27.6, 5)  # lat, lon, zoom: Tartus, Hmeimim and eastern Libya in one view
MAP_MAX_ZOOM = 18
DEFAULT_RING_KM = 500

_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slugify(value: str) -> str:
    """Lowercase a label and turn every run of non-alphanumerics into a single '-'."""
    return _SLUG_RE.sub("-", str(value).lower()).strip("-")


# Set by launcher.py: the process serves the web routes (head tags, preview images) beside the pages.
WEB_ROUTES_ENV = "BASEWATCH_WEB_ROUTES"
# Where the static snapshot (`python -m basewatch export`) is served, e.g. https://archive.basewatch.example/:
# the share box then offers a view's archived copy as the link to cite.
ARCHIVE_URL_ENV = "BASEWATCH_ARCHIVE_URL"


def web_routes_on() -> bool:
    """True when the server runs the web routes (started through launcher.py), not a plain `streamlit run app.py`."""
    return os.environ.get(WEB_ROUTES_ENV, "") == "1"


def archive_url() -> str | None:
    """The public address of the static snapshot, when one is configured."""
    return os.environ.get(ARCHIVE_URL_ENV, "").strip() or None


def data_dir() -> Path:
    """Folder holding events.csv and bases.geojson: $BASEWATCH_DATA_DIR, else the bundled data."""
    configured = os.environ.get("BASEWATCH_DATA_DIR", "").strip()
    return Path(configured).expanduser() if configured else BUNDLED_DATA_DIR
