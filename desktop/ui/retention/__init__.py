"""Tools ▸ the retention purge of finished school years' leave details."""
