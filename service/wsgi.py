"""The WSGI entry point for the production server: `granian --interface wsgi service.wsgi:app`."""

from service import create_app

app = create_app()
