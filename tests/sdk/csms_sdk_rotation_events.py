#!/usr/bin/env python3
"""The official Python SDK's rotation and event flow against `csvault serve`, end to end.

    python tests/sdk/csms_sdk_rotation_events.py target/debug/csvault      (or CSVAULT_BIN=...)

An event (SECRET_ROTATED, SECRET_VERSION_CREATED), a secret subscribed to it, RotateSecret, then
ListSecretTask (the task: SUCCESS, MANUAL_ROTATION) and ListNotificationRecords (the records, newest
first, no value in them); the event DISABLED fires nothing, ENABLED again fires again; unsubscribed
fires nothing; the event deleted; SECRET_DELETED on DeleteSecret, and SECRET_VERSION_EXPIRED once
when a version's expire_time has passed and the vault is next opened. Then a second serve with
CSVAULT_NOTIFY_COMMAND pointing at a small script that appends its stdin to a file: the file
receives each record as JSON, and a command that fails leaves a FAIL record. All through
CsmsClient's request and model classes, on loopback only (csms_sdk_e2e.py's trap), as
docs/DECISIONS.md says ("events", "what fires", "notification records", "RotateSecret",
"ListSecretTask").

Each check prints one line, `ok` or `FAIL`; the run ends with `N passed, N failed` and exits 1 when
anything failed.
"""

import sys

sys.dont_write_bytecode = True  # importing the sibling scripts must leave no __pycache__ in tests/sdk

import json  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

from csms_sdk_api import (  # noqa: E402
    SMN,
    check_secret,
    create,
    create_event,
    csms,
    delete,
    delete_event,
    expect_refusal,
    is_uuid,
    list_events,
    list_secrets,
    near,
    now_ms,
    raw,
    records,
    rotate,
    show_event,
    tasks,
    update,
    update_event,
    value,
)
from csms_sdk_e2e import (  # noqa: E402
    OUTBOUND_ATTEMPTS,
    PROXY_TRAP,
    Report,
    Server,
    clean_env,
    init_vault,
    make_client,
    run_csvault,
    short,
    binary_from_argv,
)

FLOW_TYPES = ["SECRET_ROTATED", "SECRET_VERSION_CREATED"]
RECORD_FIELDS = (
    "create_time",
    "event_name",
    "trigger_event_type",
    "secret_name",
    "secret_type",
    "notification_target_name",
    "notification_target_id",
    "notification_content",
    "notification_status",
)
DELIVERY_TIMEOUT = 30  # s: the command runs off the request path; its limit is 10 s


def record_dicts(c):
    """ListNotificationRecords as the server sent it: a list of dicts, newest first."""
    return raw(records(c)).get("records") or []


def wait_for(predicate, timeout=DELIVERY_TIMEOUT, step=0.2):
    deadline = time.monotonic() + timeout
    while True:
        got = predicate()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(step)


def content_of(record):
    try:
        parsed = json.loads(record.get("notification_content") or "")
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


class Context:
    def __init__(self, report, binary, tmp, home):
        self.report = report
        self.binary = binary
        self.tmp = tmp
        self.home = home
        self.values = []
        self.vault = self.env = None  # of the serve started last


def start(t, label, **extra_env):
    vault = t.tmp / f"{label}.db"
    env = clean_env(t.home, **extra_env)
    init_vault(t.binary, vault, env)
    server = Server(t.binary, vault, env, t.tmp / f"{label}.log")
    info = server.start()
    t.vault, t.env = vault, env
    print(f"== serve ({label}): {info.get('listening')} (log {server.log_path})", flush=True)
    return server, make_client(info["listening"], info["access_key"], info["secret_key"], info["project_id"])


def flow(t, c):
    """Subscribe, rotate, read the task and the records; DISABLED, unsubscribed, deleted."""
    r = t.report
    event = create_event(c, "flow-event", FLOW_TYPES).event
    r.equal(
        "CreateSecretEvent flow-event: SECRET_ROTATED + SECRET_VERSION_CREATED, ENABLED",
        (event.name, sorted(event.event_types or []), event.state),
        ("flow-event", sorted(FLOW_TYPES), "ENABLED"),
    )
    name = "flow-secret"
    made = check_secret(
        r,
        "CreateSecret subscribed to flow-event",
        create(c, name, string="flow initial value ✓", event_subscriptions=["flow-event"]),
        {"event_subscriptions": ["flow-event"], "rotation_time": None},
    )
    t.values.append("flow initial value ✓")
    first = record_dicts(c)
    r.equal(
        "CreateSecret with a subscription fires SECRET_VERSION_CREATED (v1)",
        [(x.get("secret_name"), x.get("trigger_event_type")) for x in first],
        [(name, "SECRET_VERSION_CREATED")],
    )

    rotated = rotate(c, name)
    r.check(
        "RotateSecret: secret_name, version_id v2, a task id",
        (rotated.secret_name, rotated.version_id) == (name, "v2") and is_uuid(rotated.rotation_task_id),
        short(raw(rotated)),
    )
    new_value = value(c, name).secret_string
    t.values.append(new_value or "")
    r.check(
        "the rotated value is current and new",
        bool(new_value) and new_value != "flow initial value ✓" and value(c, name, "v2").secret_string == new_value,
        "",
    )
    after = check_secret(
        r,
        "ShowSecret after the rotation",
        c.show_secret(csms.ShowSecretRequest(secret_name=name)),
        {"event_subscriptions": ["flow-event"]},
    )
    r.check("rotation_time = now", near(after.rotation_time, now_ms()), short(after.rotation_time))

    listed = tasks(c, secret_name=name)
    got = [(x.task_id, x.secret_name, x.task_status, x.operate_type) for x in listed.tasks or []]
    r.equal(
        "ListSecretTask: the task, SUCCESS, MANUAL_ROTATION",
        got,
        [(rotated.rotation_task_id, name, "SUCCESS", "MANUAL_ROTATION")],
    )
    r.equal("ListSecretTask: total 1, next_marker null", (listed.total, listed.next_marker), (1, None))
    task = (listed.tasks or [None])[0]
    r.check("the task's task_time is now", task is not None and near(task.task_time, now_ms()), short(task))

    recs = record_dicts(c)
    r.equal("ListNotificationRecords: three records (v1 created; v2 created, rotated)", len(recs), 3)
    r.equal(
        "the rotation's two records come first (newest first)",
        sorted(x.get("trigger_event_type") for x in recs[:2]),
        ["SECRET_ROTATED", "SECRET_VERSION_CREATED"],
    )
    r.equal(
        "the oldest is v1's SECRET_VERSION_CREATED",
        [x.get("trigger_event_type") for x in recs[2:]],
        ["SECRET_VERSION_CREATED"],
    )
    times = [x.get("create_time") for x in recs]
    r.check("create_time never increases down the list", times == sorted(times, reverse=True), short(times))
    r.check("the rotation's records are timed now (ms)", all(near(x, now_ms()) for x in times[:2]), short(times))
    r.check(
        "every record has the nine fields",
        all(sorted(x) == sorted(RECORD_FIELDS) for x in recs),
        short([sorted(x) for x in recs[:1]]),
    )
    r.equal(
        "every record: flow-event, the secret, COMMON, the event's target, SUCCESS",
        {
            (
                x.get("event_name"),
                x.get("secret_name"),
                x.get("secret_type"),
                x.get("notification_target_name"),
                x.get("notification_target_id"),
                x.get("notification_status"),
            )
            for x in recs
        },
        {("flow-event", name, "COMMON", SMN["target_name"], SMN["target_id"], "SUCCESS")},
    )
    contents = [content_of(x) for x in recs]
    r.check(
        "notification_content is JSON text (an object) in each",
        all(isinstance(x, dict) for x in contents),
        short([x.get("notification_content") for x in recs]),
    )
    r.check(
        "notification_content names the secret", all(name in (x.get("notification_content") or "") for x in recs), ""
    )
    created_v2 = [x for x in recs[:2] if x.get("trigger_event_type") == "SECRET_VERSION_CREATED"]
    r.check(
        "the v2 SECRET_VERSION_CREATED content names v2",
        bool(created_v2) and "v2" in (created_v2[0].get("notification_content") or ""),
        short(created_v2),
    )
    leaked = [short(v, 30) for v in t.values if v and any(v in (x.get("notification_content") or "") for x in recs)]
    r.check("no record holds a value (v1's or the rotated one)", not leaked, short(leaked))
    sdk_view = records(c).records or []
    r.equal(
        "the SDK's Record model reads the same (trigger_event_type, secret_name)",
        [(x.trigger_event_type, x.secret_name) for x in sdk_view],
        [(x.get("trigger_event_type"), x.get("secret_name")) for x in recs],
    )

    # DISABLED: a rotation records its task and fires nothing.
    off = update_event(c, "flow-event", state="DISABLED").event
    r.equal("UpdateSecretEvent state DISABLED", off.state, "DISABLED")
    quiet = rotate(c, name)
    r.equal("a rotation with the event DISABLED: v3", quiet.version_id, "v3")
    t.values.append(value(c, name).secret_string or "")
    r.equal("... fires nothing (still three records)", len(record_dicts(c)), 3)
    r.equal("... but records its task (total 2)", tasks(c, secret_name=name).total, 2)

    # ENABLED again: it fires again.
    update_event(c, "flow-event", state="ENABLED")
    loud = rotate(c, name)
    t.values.append(value(c, name).secret_string or "")
    recs = record_dicts(c)
    r.equal(
        "ENABLED again: the next rotation fires both types again (five records)",
        (len(recs), sorted(x.get("trigger_event_type") for x in recs[:2])),
        (5, ["SECRET_ROTATED", "SECRET_VERSION_CREATED"]),
    )
    r.check(
        "the v4 record names v4", any("v4" in (x.get("notification_content") or "") for x in recs[:2]), short(recs[:2])
    )
    _ = loud

    # Subscribed: the event cannot go.
    expect_refusal(
        r,
        "DeleteSecretEvent while flow-secret subscribes",
        400,
        "CSMS.0002",
        lambda: delete_event(c, "flow-event"),
        name,
    )
    r.equal(
        "ListSecrets event_name flow-event", [s.name for s in list_secrets(c, event_name="flow-event").secrets], [name]
    )

    # Unsubscribed: nothing fires.
    check_secret(
        r,
        "UpdateSecret event_subscriptions [] unsubscribes",
        update(c, name, event_subscriptions=[]),
        {"event_subscriptions": []},
    )
    last = rotate(c, name)
    t.values.append(value(c, name).secret_string or "")
    r.equal("a rotation after unsubscribing fires nothing (still five records)", len(record_dicts(c)), 5)
    r.equal("ListSecrets event_name flow-event: none now", list_secrets(c, event_name="flow-event").secrets, [])

    # The event deleted.
    r.equal("DeleteSecretEvent answers 204", delete_event(c, "flow-event").status_code, 204)
    expect_refusal(r, "ShowSecretEvent after the delete", 400, "CSMS.0005", lambda: show_event(c, "flow-event"))
    r.equal("ListSecretEvents: empty", [e.name for e in list_events(c).events or []], [])
    r.equal("the records stay after the event is gone", len(record_dicts(c)), 5)

    all_tasks = tasks(c, secret_name=name)
    r.equal(
        "ListSecretTask: four manual rotations, all SUCCESS, newest first",
        (
            [x.task_status for x in all_tasks.tasks or []],
            [x.operate_type for x in all_tasks.tasks or []],
            all_tasks.total,
        ),
        (["SUCCESS"] * 4, ["MANUAL_ROTATION"] * 4, 4),
    )
    r.equal(
        "the tasks are the four rotations', newest first",
        [x.task_id for x in all_tasks.tasks or []],
        [last.rotation_task_id, loud.rotation_task_id, quiet.rotation_task_id, rotated.rotation_task_id],
    )
    _ = made


def deletion_fires(t, c):
    """SECRET_DELETED fires on DeleteSecret for a subscriber; SECRET_VERSION_CREATED alone on a new version."""
    r = t.report
    create_event(c, "flow-deleted", ["SECRET_DELETED"])
    before = len(record_dicts(c))
    create(c, "flow-doomed", string="doomed value", event_subscriptions=["flow-deleted"])
    t.values.append("doomed value")
    r.equal("CreateSecret subscribed to a SECRET_DELETED-only event fires nothing", len(record_dicts(c)), before)
    c.create_secret_version(
        csms.CreateSecretVersionRequest(
            secret_name="flow-doomed", body=csms.CreateSecretVersionRequestBody(secret_string="doomed 2")
        )
    )
    r.equal("nor does a new version", len(record_dicts(c)), before)
    r.equal("DeleteSecret answers 204", delete(c, "flow-doomed").status_code, 204)
    newest = record_dicts(c)[:1]
    r.equal(
        "DeleteSecret fires SECRET_DELETED for flow-doomed",
        [(x.get("event_name"), x.get("trigger_event_type"), x.get("secret_name")) for x in newest],
        [("flow-deleted", "SECRET_DELETED", "flow-doomed")],
    )
    r.equal("DeleteSecretEvent once nobody subscribes", delete_event(c, "flow-deleted").status_code, 204)


def expiry_fires(t, c):
    """SECRET_VERSION_EXPIRED: a version's expire_time passes; noticed when the vault is next opened
    (here by the command line beside serve), once per version."""
    r = t.report
    create_event(c, "flow-expiry", ["SECRET_VERSION_EXPIRED"])
    create(c, "flow-expiring", string="expiring value", event_subscriptions=["flow-expiry"])
    t.values.append("expiring value")
    past = now_ms() - 1000
    c.update_version(
        csms.UpdateVersionRequest(
            secret_name="flow-expiring", version_id="v1", body=csms.UpdateVersionRequestBody(expire_time=past)
        )
    )

    def expired():
        return [x for x in record_dicts(c) if x.get("trigger_event_type") == "SECRET_VERSION_EXPIRED"]

    opened = run_csvault(t.binary, t.vault, t.env, "secret", "list")
    r.equal("the command line opens the vault beside serve (secret list exits 0)", opened.returncode, 0)
    got = wait_for(expired, timeout=75)  # else serve's housekeeping notices it within a minute
    r.equal(
        "an expire_time that passed fires SECRET_VERSION_EXPIRED for the subscriber",
        [(x.get("event_name"), x.get("secret_name")) for x in got or []],
        [("flow-expiry", "flow-expiring")],
    )
    r.check(
        "its content names the version (v1) and holds no value",
        bool(got) and "v1" in (got[0].get("notification_content") or "") and "expiring value" not in str(got),
        short(got),
    )
    run_csvault(t.binary, t.vault, t.env, "secret", "list")
    time.sleep(0.5)
    r.equal("once per version: opening the vault again fires nothing more", len(expired()), 1)
    update(c, "flow-expiring", event_subscriptions=[])
    delete_event(c, "flow-expiry")


NOTIFY_SCRIPT = """#!/bin/sh
# csms_sdk_rotation_events.py: appends the record on stdin to a file, one line each; a record that
# names notify-fail exits 3 (a failed delivery).
record=$(cat)
printf '%s\\n' "$record" >> '{out}'
case "$record" in *notify-fail*) exit 3 ;; esac
exit 0
"""


def notify_command(t):
    r = t.report
    out = t.tmp / "delivered.jsonl"
    script = t.tmp / "notify.sh"
    script.write_text(NOTIFY_SCRIPT.format(out=out))
    script.chmod(0o755)
    server, c = start(t, "notify", CSVAULT_NOTIFY_COMMAND=str(script))
    try:
        create_event(c, "notify-event", FLOW_TYPES, note=csms.Notification(**SMN))
        create(c, "notify-secret", string="notify initial value", event_subscriptions=["notify-event"])
        rotate(c, "notify-secret")
        t.values += ["notify initial value", value(c, "notify-secret").secret_string or ""]

        def lines():
            return out.read_text("utf-8").splitlines() if out.exists() else []

        got = wait_for(lambda: len(lines()) >= 3 and lines())
        r.equal("CSVAULT_NOTIFY_COMMAND ran once per record (3 lines in the file)", len(got or []), 3)
        delivered = []
        for line in got or []:
            try:
                delivered.append(json.loads(line))
            except ValueError:
                delivered.append({"unparsed": line})
        r.check(
            "each delivery is one JSON object",
            all(isinstance(x, dict) and "unparsed" not in x for x in delivered),
            short(got),
        )

        def all_delivered():
            listed = record_dicts(c)
            return len(listed) == 3 and all(x.get("notification_status") == "SUCCESS" for x in listed) and listed

        settled = wait_for(all_delivered)
        listed = settled or record_dicts(c)
        r.equal(
            "the records are SUCCESS once the command exited 0",
            [x.get("notification_status") for x in listed],
            ["SUCCESS"] * 3,
        )

        def key(x):
            return tuple((f, x.get(f)) for f in RECORD_FIELDS if f != "notification_status")

        r.equal(
            "the file holds the records' JSON (every field but the status)",
            sorted(key(x) for x in delivered),
            sorted(key(x) for x in listed),
        )
        r.check(
            "the delivered JSON carries the record's fields",
            all(set(RECORD_FIELDS) - {"notification_status"} <= set(x) for x in delivered),
            short([sorted(x) for x in delivered[:1]]),
        )
        text = out.read_text("utf-8") if out.exists() else ""
        leaked = [short(v, 30) for v in t.values if v and v in text]
        r.check("no value reached the command", not leaked, short(leaked))

        create(c, "notify-fail-secret", string="fail value", event_subscriptions=["notify-event"])
        t.values.append("fail value")
        failed = wait_for(
            lambda: [
                x
                for x in record_dicts(c)
                if x.get("secret_name") == "notify-fail-secret" and x.get("notification_status") == "FAIL"
            ]
        )
        r.equal(
            "a command that exits 3 leaves a FAIL record",
            [(x.get("trigger_event_type"), x.get("notification_status")) for x in failed or []],
            [("SECRET_VERSION_CREATED", "FAIL")],
        )
        r.check("... after it ran (4 lines in the file)", len(lines()) == 4, short(len(lines())))
        log = Path(server.log_path).read_text("utf-8", "replace")
        leaked = [short(v, 30) for v in t.values if v and len(v) >= 8 and v in log]
        r.check("the serve log holds no value", not leaked, short(leaked))
    finally:
        r.equal("SIGTERM stops the notifying serve with exit code 0", server.stop(), 0)
        server.kill()


def main():
    binary = binary_from_argv("csms_sdk_rotation_events.py")

    report = Report()
    with tempfile.TemporaryDirectory(prefix="csvault-sdk-flow-") as tmp_name:
        tmp = Path(tmp_name)
        home = tmp / "home"
        home.mkdir()
        t = Context(report, binary, tmp, home)
        server = None
        try:
            server, client = start(t, "flow")
            report.area("subscribe, rotate, task, records; DISABLED, unsubscribed, deleted", flow, t, client)
            report.area("SECRET_DELETED on DeleteSecret", deletion_fires, t, client)
            report.area("SECRET_VERSION_EXPIRED when an expire_time passes", expiry_fires, t, client)
            log = Path(server.log_path).read_text("utf-8", "replace")
            leaked = [short(v, 30) for v in t.values if v and len(v) >= 8 and v in log]
            report.check("the serve log holds no value", not leaked, short(leaked))
            report.equal("SIGTERM stops serve with exit code 0", server.stop(), 0)
        except Exception as err:  # noqa: BLE001 - the server did not come up: that is a failure
            report.check("serve started and answered", False, f"{type(err).__name__}: {err}")
            traceback.print_exc(limit=4)
        finally:
            if server is not None:
                server.kill()
        report.area("CSVAULT_NOTIFY_COMMAND delivery", notify_command, t)

    print("== loopback only", flush=True)
    report.check("the SDK resolved no host off loopback", not OUTBOUND_ATTEMPTS, short(OUTBOUND_ATTEMPTS))
    report.check("nothing went to the proxy", not PROXY_TRAP.requests, short(PROXY_TRAP.requests))

    if report.failures:
        print("\nFailures:", *report.failures, sep="\n  ", flush=True)
    print(f"\n{report.passed} passed, {len(report.failures)} failed", flush=True)
    sys.exit(1 if report.failures else 0)


if __name__ == "__main__":
    main()
