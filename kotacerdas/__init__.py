"""Kota Cerdas: the platform of a national smart-city evaluation programme."""
