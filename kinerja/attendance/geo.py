"""Distances on the Earth's surface and the nearest office."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from kinerja.models import Office

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine): well under 0.5% off the ellipsoid at these scales."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class NearestOffice:
    office: Office
    distance_m: float

    @property
    def within_radius(self) -> bool:
        return self.distance_m <= self.office.radius_m


def nearest_office(latitude: float, longitude: float, offices: Iterable[Office]) -> NearestOffice | None:
    """The office closest to the position, preferring one whose radius the position is inside."""
    candidates = [NearestOffice(office, distance_m(latitude, longitude, office.latitude, office.longitude))
                  for office in offices]
    if not candidates:
        return None
    inside = [item for item in candidates if item.within_radius]
    return min(inside or candidates, key=lambda item: item.distance_m)


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """'min_lat,min_lon,max_lat,max_lon' → four floats."""
    min_lat, min_lon, max_lat, max_lon = (float(part) for part in text.split(","))
    return min_lat, min_lon, max_lat, max_lon


def inside_bbox(latitude: float, longitude: float, bbox: tuple[float, float, float, float]) -> bool:
    min_lat, min_lon, max_lat, max_lon = bbox
    return min_lat <= latitude <= max_lat and min_lon <= longitude <= max_lon
