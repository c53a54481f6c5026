"""Built-in synthetic data and loaders for public datasets read from local files."""

from custseg.datasets._loaders import load_cdnow, load_online_retail
from custseg.datasets._synthetic import ATTRIBUTES, PERSONAS, make_transactions
from custseg.datasets._travel import TRIP_PURPOSES, make_travel_bookings

__all__ = [
    "ATTRIBUTES",
    "PERSONAS",
    "TRIP_PURPOSES",
    "load_cdnow",
    "load_online_retail",
    "make_transactions",
    "make_travel_bookings",
]
