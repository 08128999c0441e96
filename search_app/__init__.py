"""search_app: the command line (`tracuu`), and the FastAPI + Jinja2 pages and JSON API."""
