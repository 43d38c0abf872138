"""Kinerja: e-kinerja / SKP portal for Indonesian regional governments."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix

from kinerja import assets, audit, clock, i18n, logs, monitoring
from kinerja.core import people
from kinerja.core.forms import hidden_input
from kinerja.database import configure_engine_events, engine_options
from kinerja.extensions import babel, csrf, db, limiter, login_manager, migrate
from kinerja.json_input import LimitedJSONProvider
from kinerja.templating import FragmentCache

PROJECT_DIR = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the application: configuration, extensions, blueprints, error handlers, commands."""
    # config.py sits beside wsgi.py, outside the package: imported here, once the entry point has put that
    # directory on the path, so that importing kinerja (the demo's CLI plugin does, before the app) needs nothing.
    from config import INSTANCE_DIR, get_config

    app = Flask(
        __name__,
        template_folder=str(PROJECT_DIR / "templates"),
        static_folder=str(PROJECT_DIR / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.json = LimitedJSONProvider(app)
    config_class = get_config(config_name)
    app.config.from_object(config_class)
    app.config.update(overrides)
    config_class.finalize(app.config)
    logs.configure_logging(app)
    if clock.is_set():  # a clock frozen or moved for tests, drills or a demo: say so (a bad value stops here)
        app.logger.warning("%s is set: the clock reads %s", clock.SETTING, clock.utcnow().isoformat())
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    if app.config.get("PROXY_FIX_HOPS"):
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_static_files(app)
    register_errorhandlers(app)
    register_commands(app)
    monitoring.init_app(app)
    return app


def register_extensions(app: Flask) -> None:
    app.jinja_env.add_extension(FragmentCache)
    db.init_app(app)
    with app.app_context():
        configure_engine_events(app)
    migrate.init_app(app, db, directory=str(PROJECT_DIR / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)
    i18n.init_app(app)
    audit.init_app(app)
    app.add_template_filter(people.staff_id, "staff_id")
    app.add_template_filter(hidden_input, "hidden_input")


def register_blueprints(app: Flask) -> None:
    from kinerja.absence import bp as absence_bp
    from kinerja.activities import bp as activities_bp
    from kinerja.admin import bp as admin_bp
    from kinerja.api import init_app as init_api
    from kinerja.attendance import bp as attendance_bp
    from kinerja.auth import bp as auth_bp
    from kinerja.converters import DayConverter, MonthConverter
    from kinerja.devices import bp as devices_bp
    from kinerja.devices import iclock as iclock_bp
    from kinerja.jobs import bp as jobs_bp
    from kinerja.main import bp as main_bp
    from kinerja.messaging import bp as messaging_bp
    from kinerja.oversight import bp as oversight_bp
    from kinerja.pwa import bp as pwa_bp
    from kinerja.reports import bp as reports_bp
    from kinerja.reports import prerender
    from kinerja.review import bp as review_bp
    from kinerja.roster import bp as roster_bp
    from kinerja.signatures import bp as signatures_bp
    from kinerja.skp import bp as skp_bp
    from kinerja.tpp import bp as tpp_bp

    app.url_map.converters["day"] = DayConverter
    app.url_map.converters["month"] = MonthConverter
    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(activities_bp)
    app.register_blueprint(absence_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(oversight_bp)
    app.register_blueprint(skp_bp)
    app.register_blueprint(attendance_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(roster_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(tpp_bp)
    app.register_blueprint(devices_bp)
    app.register_blueprint(iclock_bp)
    app.register_blueprint(messaging_bp)
    app.register_blueprint(signatures_bp)
    app.register_blueprint(pwa_bp)
    init_api(app)
    prerender.init_app(app)

    @app.route("/health")
    @limiter.exempt
    def health():
        """Liveness and database reachability, for the proxy and monitoring."""
        try:
            db.session.execute(text("SELECT 1"))
        except OperationalError:
            db.session.rollback()
            return jsonify(status="error", database="unreachable"), 503
        return jsonify(status="ok", database="ok")


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Attendance needs the position and the camera on this site only; every other powerful feature is off.
    "Permissions-Policy": ", ".join([
        "geolocation=(self)", "camera=(self)", "microphone=()", "payment=()", "usb=()", "display-capture=()",
        "fullscreen=()", "serial=()", "bluetooth=()", "hid=()", "midi=()", "publickey-credentials-get=()",
        "screen-wake-lock=()", "xr-spatial-tracking=()", "browsing-topics=()", "accelerometer=()", "gyroscope=()",
        "magnetometer=()", "autoplay=()", "encrypted-media=()", "picture-in-picture=()",
    ]),
}


HSTS = "max-age=31536000; includeSubDomains"


def register_request_hooks(app: Flask) -> None:
    from flask_login import current_user

    from kinerja import notify
    from kinerja.auth.views import enforce_session_rules
    from kinerja.navigation import navigation_for

    app.before_request(enforce_session_rules)

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        policy = response.headers["Content-Security-Policy"]
        if "frame-ancestors" not in policy:  # a view's own, stricter policy (served files) must not allow framing
            response.headers["Content-Security-Policy"] = f"{policy.rstrip('; ')}; frame-ancestors 'none'"
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.context_processor
    def layout_context() -> dict:
        """What the layout shows on every page. The footer's language switch and the sign-out button are plain
        forms in base.html (building WTForms objects for two hidden fields cost more than the rest of it)."""
        return {
            "navigation": navigation_for(),
            "unread_notifications": notify.unread_count(current_user.id) if current_user.is_authenticated else 0,
            "return_path": request.full_path.rstrip("?"),
        }


def register_static_files(app: Flask) -> None:
    """Static files under content-hashed names, precompressed and cached long (kinerja/assets), with the same
    security headers as every page."""
    headers = dict(SECURITY_HEADERS)
    if app.config["SESSION_COOKIE_SECURE"]:
        headers["Strict-Transport-Security"] = HSTS
    assets.init_app(app, headers)


def register_errorhandlers(app: Flask) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from kinerja.database import end_session_quietly

    messages = {
        400: (_l("Permintaan tidak valid"),
              _l("Permintaan tidak dapat diproses. Muat ulang halaman dan coba lagi.")),
        403: (_l("Akses ditolak"), _l("Anda tidak memiliki hak untuk membuka halaman ini.")),
        404: (_l("Halaman tidak ditemukan"),
              _l("Halaman atau data yang Anda cari tidak ada atau bukan wewenang Anda.")),
        405: (_l("Metode tidak diizinkan"), _l("Halaman ini tidak dapat dibuka dengan cara tersebut.")),
        413: (_l("Berkas terlalu besar"),
              _l("Berkas yang Anda unggah melebihi batas ukuran. Perkecil berkas lalu coba lagi.")),
        429: (_l("Terlalu banyak percobaan"),
              _l("Terlalu banyak percobaan dalam waktu singkat. Tunggu beberapa menit lalu coba lagi.")),
        500: (_l("Terjadi kesalahan"),
              _l("Terjadi kesalahan pada server. Data Anda tidak berubah; silakan coba lagi.")),
        503: (_l("Layanan sedang sibuk"),
              _l("Layanan sementara tidak tersedia. Silakan coba lagi sebentar lagi.")),
    }

    def render_error(code: int):
        title, message = messages[code]
        return render_template("errors/error.html", code=code, title=title, message=message), code

    for code in messages:
        app.register_error_handler(code, lambda error, code=code: render_error(code))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template(
            "errors/error.html",
            code=400,
            title=_l("Formulir kedaluwarsa"),
            message=_l("Formulir ini sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi."),
        ), 400

    # The database going away between the response and the end of the request is not an error of the page.
    app.teardown_appcontext(end_session_quietly)

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        """A friendly 503 rendered without the layout, which would ask the database for the user."""
        try:
            db.session.rollback()
        except SQLAlchemyError as rollback_error:  # the connection died under the rollback too
            app.logger.warning("Rollback after a database error failed: %s", rollback_error)
        app.logger.error("Database unavailable: %s", error)
        title, message = messages[503]
        page = app.jinja_env.get_template("errors/unavailable.html").render(
            title=title, message=message, lang=str(get_locale())
        )
        return page, 503, {"Retry-After": "30"}


def register_commands(app: Flask) -> None:
    from kinerja.admin.commands import staff_cli
    from kinerja.commands import register
    from kinerja.jobs.commands import jobs_cli
    from kinerja.tpp.commands import tpp_cli

    register(app)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(staff_cli)
    app.cli.add_command(tpp_cli)
