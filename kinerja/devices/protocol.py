"""The text of the ADMS "iclock" push protocol that ZKTeco and compatible machines speak, without the web or the
database: ATTLOG lines, the options handshake, command lines and command results.

- Handshake: ``GET /iclock/cdata?SN=…&options=all`` is answered with ``GET OPTION FROM: <SN>`` and one
  ``Key=Value`` per line: the stamps from which the machine resends (Stamp/ATTLOGStamp, OpStamp/OPERLOGStamp),
  ErrorDelay and Delay (seconds between retries and between polls), TransTimes and TransInterval (when and how
  often it uploads), TransFlag (what it uploads), TimeZone (hours from UTC), Realtime=1 (each punch at once).
- Punches: ``POST /iclock/cdata?SN=…&table=ATTLOG&Stamp=…``, one line per punch:
  ``PIN<TAB>YYYY-MM-DD HH:MM:SS<TAB>status<TAB>verify<TAB>workcode…`` in the machine's local time, answered
  ``OK: <lines received>``.
- Commands: ``GET /iclock/getrequest?SN=…`` is answered with ``C:<id>:<command>`` lines, or ``OK``; the machine
  reports each result to ``POST /iclock/devicecmd?SN=…`` as ``ID=<id>&Return=<code>&CMD=<command>`` (one per
  line, or as key=value lines with a Content= line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl

PIN = re.compile(r"^[0-9A-Za-z]{1,20}$")
SERIAL = re.compile(r"^[0-9A-Za-z_-]{1,40}$")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# Keys under which firmwares report their own clock in an options or INFO upload.
CLOCK_KEYS = ("DateTime", "DeviceTime", "Time")


class Malformed(ValueError):
    """A line the protocol does not allow; the message says why (shown to admins as is)."""


@dataclass(frozen=True)
class Punch:
    pin: str
    local: datetime  # naive, in the machine's time zone
    status: int | None
    verify: int | None


def lines_of(body: str) -> list[str]:
    """The non-blank lines of an upload, without their line endings."""
    return [line.rstrip("\r") for line in body.split("\n") if line.strip()]


def optional_int(text: str | None, name: str) -> int | None:
    if text is None or text.strip() == "":
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise Malformed(f"{name} bukan angka: {text.strip()[:20]!r}") from None


def parse_attlog(line: str) -> Punch:
    """One ATTLOG line: PIN, local time, status and verify mode (tab-separated; further fields ignored)."""
    fields = line.split("\t")
    if len(fields) < 2:
        raise Malformed("kurang dari dua kolom (PIN dan waktu dipisah tab)")
    pin = fields[0].strip()
    if not PIN.match(pin):
        raise Malformed(f"PIN tidak sah: {pin[:20]!r}")
    try:
        local = datetime.strptime(fields[1].strip(), TIME_FORMAT)
    except ValueError:
        raise Malformed(f"waktu tidak sah: {fields[1].strip()[:25]!r}") from None
    status = optional_int(fields[2] if len(fields) > 2 else None, "status")
    verify = optional_int(fields[3] if len(fields) > 3 else None, "verifikasi")
    return Punch(pin, local, status, verify)


def options_text(serial: str, attlog_stamp: str, operlog_stamp: str, utc_offset_hours: float) -> str:
    """The handshake's answer: the options a machine takes from the server."""
    offset = f"{utc_offset_hours:g}"
    lines = [
        f"GET OPTION FROM: {serial}",
        f"Stamp={attlog_stamp}",
        f"ATTLOGStamp={attlog_stamp}",
        f"OpStamp={operlog_stamp}",
        f"OPERLOGStamp={operlog_stamp}",
        "ErrorDelay=60",
        "Delay=30",
        "TransTimes=00:00;14:05",
        "TransInterval=1",
        "TransFlag=TransData AttLog OpLog",
        f"TimeZone={offset}",
        "Realtime=1",
        "Encrypt=0",
    ]
    return "\n".join(lines) + "\n"


def command_line(command_id: int, command: str) -> str:
    return f"C:{command_id}:{command}"


def parse_command_results(body: str) -> list[dict[str, str]]:
    """Results of commands: ``ID=..&Return=..&CMD=..`` per line, or one ``Key=Value`` per line (a Content= line
    holding the output), several results in one body."""
    results: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines_of(body):
        pairs = dict(parse_qsl(line, keep_blank_values=True)) if "&" in line else None
        if pairs and "ID" in pairs:
            results.append(pairs)
            current = None
            continue
        key, sep, value = line.partition("=")
        if not sep:
            continue
        key = key.strip()
        if key == "ID" or current is None:
            current = {}
            results.append(current)
        current[key] = value.strip()
    return [result for result in results if result.get("ID", "").strip().isdigit()]


def parse_key_values(body: str) -> dict[str, str]:
    """An options or INFO upload: ``Key=Value`` items separated by new lines or commas (a leading ~ dropped)."""
    values: dict[str, str] = {}
    for line in lines_of(body):
        for item in line.split(","):
            key, sep, value = item.partition("=")
            if sep:
                values[key.strip().lstrip("~")] = value.strip()
    return values


def reported_clock(values: dict[str, str]) -> datetime | None:
    """The machine's own clock in an options or INFO upload (naive, its local time), if it gave one."""
    for key in CLOCK_KEYS:
        text = values.get(key)
        if text:
            try:
                return datetime.strptime(text.strip(), TIME_FORMAT)
            except ValueError:
                return None
    return None
