"""The static snapshot: `python -m basewatch export --out DIR --base-url URL` writes the canonical views as files.

For mass readership, a sleeping app and citation: the overview, each country, each site, each actor and
each event as a plain HTML page (the same head tags as the app's head route, the view's sentence,
headline numbers, the event table with sources and claim status, the preview image, the view's CSV and
GeoJSON, and a link to the interactive view), under `archive/<data version>/` (append-only) with
`latest/` a copy of the newest. Any static host or CDN can serve the folder; nothing in it is fetched
from elsewhere. Floor: above the views, beside the shell and the web routes (imports neither).
"""
