"""Distance on the earth's surface, for the sign-in geofence."""

from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_M = 6_371_000


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Haversine distance in metres."""
    p1, p2 = radians(lat1), radians(lat2)
    dp, dl = p2 - p1, radians(lng2 - lng1)
    a = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(sqrt(a))


def inside(distance: float, radius_m: float, accuracy_m: float | None = None) -> bool:
    """Inside when the reported position is within the radius; a fix less accurate than
    the radius itself cannot prove presence and is refused by the caller."""
    return distance <= radius_m
