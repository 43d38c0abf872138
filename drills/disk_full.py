"""Drill disk_full: the upload folder refuses writes while a staff member files an activity with evidence and
checks in with a selfie.

UPLOAD_FOLDER is a small tmpfs filled to the last byte (ENOSPC); where mounting is not allowed, the folder is made
immutable with `chattr +i` (EPERM) instead. Expected: a clear Indonesian message in the page, the form's input
kept, no HTTP 500, and no activity, evidence or attendance row nor any file left behind. Once space is freed the
same form is saved, exactly once.
"""

from __future__ import annotations

import errno
import io
import os
import re
import subprocess
from pathlib import Path

from PIL import Image

from drills.client import DEMO_STAFF, ActivityFiler, Browser, filing_day, wait_healthy
from drills.result import DrillResult
from drills.servers import DrillError, World

TMPFS_SIZE = "2m"
FILLER = ".filler"
EVIDENCE_MESSAGE = "Berkas bukti gagal disimpan di server"
SELFIE_MESSAGE = "Swafoto gagal disimpan di server"
DRILL_ACTIVITIES = "SELECT count(*) FROM activity WHERE description LIKE 'Latihan gangguan disk_full%'"
DRILL_EVIDENCE = ("SELECT count(*) FROM evidence e JOIN activity a ON a.id = e.activity_id "
                  "WHERE a.description LIKE 'Latihan gangguan disk_full%'")
KIND_INPUT = re.compile(r'name="kind" type="hidden" value="(in|out)"|value="(in|out)"[^>]*name="kind"')


def system(*args: str) -> bool:
    """Run a system tool (mount, umount, chattr); True when it succeeded."""
    return subprocess.run(args, capture_output=True, check=False).returncode == 0  # noqa: S603 - fixed tools


def refuse_writes(world: World) -> str:
    """Make the upload folder refuse writes; returns the method used (tmpfs full or immutable folder)."""
    folder = str(world.uploads)
    if system("mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", folder):
        world.stack.callback(system, "umount", "-l", folder)
        fill(world.uploads / FILLER)
        return "tmpfs-full"
    if not system("chattr", "+i", folder):
        raise DrillError("cannot make the upload folder refuse writes (neither mount nor chattr allowed)")
    world.stack.callback(system, "chattr", "-i", folder)
    return "immutable-folder"


def allow_writes(world: World, method: str) -> None:
    if method == "tmpfs-full":
        (world.uploads / FILLER).unlink()
    elif not system("chattr", "-i", str(world.uploads)):
        raise DrillError("cannot make the upload folder writable again")


def fill(path: Path) -> None:
    """Write zeros until the file system is full."""
    block = b"\0" * 65536
    with open(path, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(block)
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
    with open(path, "ab", buffering=0) as handle:  # the last partial block
        try:
            while True:
                handle.write(b"\0" * 512)
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise


def stored_files(world: World) -> list[str]:
    return sorted(str(path.relative_to(world.uploads)) for path in world.uploads.rglob("*")
                  if path.is_file() and path.name != FILLER)


def sample_pdf() -> bytes:
    return b"%PDF-1.4\n" + os.urandom(300_000) + b"\n%%EOF\n"


def sample_selfie() -> bytes:
    output = io.BytesIO()
    Image.effect_noise((480, 640), 64).convert("RGB").save(output, "JPEG", quality=90)
    return output.getvalue()


def count(world: World, sql: str) -> int:
    return int(world.postgres.scalar(sql))


def evidence_part(result: DrillResult, world: World, staff: Browser) -> ActivityFiler:
    filer = ActivityFiler(staff, filing_day(), "disk_full")
    description = filer.form()["description"]
    evidence_before = count(world, "SELECT count(*) FROM evidence")
    outcome, response = filer.save(files=[("files", ("laporan.pdf", sample_pdf(), "application/pdf"))])
    result.figures["evidence_status"] = outcome.status or outcome.error
    result.expect(outcome.status == 200, f"activity with evidence on a full disk answered {outcome.status}")
    text = response.text if response is not None else ""
    result.expect(EVIDENCE_MESSAGE in text, "no Indonesian message that the evidence could not be stored")
    result.expect(description in text, "the form's input was not kept")
    result.expect(count(world, DRILL_ACTIVITIES) == 0,
                  "an activity row was saved without its evidence")
    result.expect(count(world, "SELECT count(*) FROM evidence") == evidence_before, "an evidence row was saved")
    return filer


def office_position(world: World) -> dict[str, str]:
    """Standing at an office of the demo staff member's agency (Disdukcapil), with a good GPS fix."""
    latitude, longitude = world.postgres.scalar(
        "SELECT o.latitude || ',' || o.longitude FROM office o JOIN agency a ON a.id = o.agency_id "
        "WHERE a.code = 'DISDUKCAPIL' ORDER BY o.id LIMIT 1").split(",")
    return {"latitude": latitude, "longitude": longitude, "accuracy": "10"}


def selfie_part(result: DrillResult, world: World, staff: Browser) -> dict | None:
    page = staff.request("GET", "/presensi/")
    found = KIND_INPUT.search(page.text)
    if found is None:
        result.figures["selfie"] = "skipped (no check-in due today)"
        return None
    form = {"csrf_token": staff.csrf_token, "kind": found.group(1) or found.group(2), "mode": "WFO",
            "assignment_letter": "", "device_id": "drill-device-0001", **office_position(world)}
    records_before = count(world, "SELECT count(*) FROM attendance_record")
    outcome, response = staff.probe("selfie", "POST", "/presensi/", data=form,
                                    files=[("selfie", ("swafoto.jpg", sample_selfie(), "image/jpeg"))])
    result.figures["selfie_status"] = outcome.status or outcome.error
    result.expect(outcome.status == 200, f"check-in with a selfie on a full disk answered {outcome.status}")
    result.expect(response is not None and SELFIE_MESSAGE in response.text,
                  "no Indonesian message that the selfie could not be stored")
    result.expect(count(world, "SELECT count(*) FROM attendance_record") == records_before,
                  "an attendance record was saved without its selfie")
    return form


def run(world: World) -> DrillResult:
    result = DrillResult("disk_full")
    method = refuse_writes(world)
    result.figures["method"] = method
    world.start_servers()
    world.gunicorn()
    wait_healthy(world.base_url)
    staff = Browser(world.base_url)
    staff.sign_in(*DEMO_STAFF)

    filer = evidence_part(result, world, staff)
    selfie_form = selfie_part(result, world, staff)
    left = stored_files(world)
    result.expect(not left, f"files left in the upload folder: {', '.join(left)}")

    allow_writes(world, method)
    outcome, _response = filer.save(files=[("files", ("laporan.pdf", sample_pdf(), "application/pdf"))])
    result.figures["after_space_freed"] = outcome.status
    result.expect(outcome.status == 302, f"once space was freed the activity answered {outcome.status}")
    result.expect(count(world, DRILL_ACTIVITIES) == 1,
                  "the activity is not stored exactly once after space was freed")
    result.expect(count(world, DRILL_EVIDENCE) == 1, "the evidence is not stored once with the activity")
    if selfie_form is not None:
        outcome, _response = staff.probe("selfie", "POST", "/presensi/", data=selfie_form,
                                         files=[("selfie", ("swafoto.jpg", sample_selfie(), "image/jpeg"))])
        result.figures["selfie_after_space_freed"] = outcome.status
        result.expect(outcome.status == 302, f"once space was freed the check-in answered {outcome.status}")
    result.figures["files_after"] = len(stored_files(world))
    return result
