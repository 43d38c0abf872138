"""Sign-in, sign-out, sessions and passwords."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

# Fetched by the browser on its own (the service worker's update check, the manifest, the offline page it keeps):
# they neither end an idle session nor keep it alive, are never redirected (a worker script may not be), and never
# send the session cookie back: a copy fetched with the cookie of a moment ago, answered after a sign-in, would
# otherwise overwrite the new session and sign the person out.
UNATTENDED_ENDPOINTS = frozenset({"pwa.manifest", "pwa.service_worker", "pwa.offline"})

from kinerja.auth import views  # noqa: E402,F401
