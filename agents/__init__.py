"""Mesa agents of the ecosystem: human authors, content farms, model trainers, companies."""
