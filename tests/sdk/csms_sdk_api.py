#!/usr/bin/env python3
"""Every operation of the official Python SDK's CsmsClient against `csvault serve`, fields checked.

    python tests/sdk/csms_sdk_api.py target/debug/csvault      (or CSVAULT_BIN=... python ...)

The companion of csms_sdk_e2e.py (whose loopback-only proxy trap, Report and Server this script
imports): one fresh vault, one `csvault serve`, and all 45 operations of huaweicloudsdkcsms 3.1.219's
CsmsClient called through the SDK's own request and model classes, each response's fields checked
against docs/DECISIONS.md ("The rest of the CSMS API", "Secret record (issue 14)"): the whole Secret
record, tags, ListResourceInstances, rotation and its tasks, events and notification records, the
strength checks, ListSecrets by event, the cloud-only operations, and a client built without a
project id that finds it through serve's IAM project lookup. It ends by enumerating CsmsClient's
operations and failing for any this script never called.

Each check prints one line, `ok` or `FAIL`; the run ends with `N passed, N failed` and exits 1 when
anything failed. An area that raises unexpectedly counts as a failure and the next area still runs.
"""

import sys

sys.dont_write_bytecode = True  # importing csms_sdk_e2e must leave no __pycache__ in tests/sdk

import base64  # noqa: E402
import functools  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

# Importing it first sets up the loopback-only trap (proxy variables, name resolution) before the SDK.
from csms_sdk_e2e import (  # noqa: E402
    JSON_UTF8,
    OUTBOUND_ATTEMPTS,
    PASSPHRASE,
    PROXY_TRAP,
    RawResponse,
    Report,
    Server,
    clean_env,
    init_vault,
    make_client,
    run_csvault,
    short,
    binary_from_argv,
)
from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, SdkException  # noqa: E402
from huaweicloudsdkcore.http.http_config import HttpConfig  # noqa: E402
from huaweicloudsdkcore.region.region import Region  # noqa: E402
from huaweicloudsdkcsms.v1 import CsmsClient  # noqa: E402
from huaweicloudsdkcsms.v1 import model as csms  # noqa: E402

SDK_OPERATION_COUNT = 45  # huaweicloudsdkcsms 3.1.219 (tests/sdk/requirements.txt)

SECRET_FIELDS = (
    "id",
    "name",
    "state",
    "kms_key_id",
    "description",
    "create_time",
    "update_time",
    "scheduled_delete_time",
    "secret_type",
    "auto_rotation",
    "rotation_period",
    "rotation_config",
    "rotation_time",
    "next_rotation_time",
    "event_subscriptions",
    "enterprise_project_id",
    "rotation_func_urn",
)
EVENT_TYPES = (
    "SECRET_VERSION_CREATED",
    "SECRET_VERSION_EXPIRED",
    "SECRET_ROTATED",
    "SECRET_DELETED",
    "SECRET_ROTATED_FAILED",
)
PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
SLACK_MS = 2 * 60 * 1000  # clock slack between this script and serve


# ---------------------------------------------------------------------------------------------
# Which CsmsClient operations were called: every operation method is wrapped, for every client.


def sdk_operations():
    """CsmsClient's operation methods, found the SDK's way: a public method of CsmsClient itself taking
    one `request`, with its `_<name>_http_info` and a `<Name>Request` model (not *_async, not *_invoker)."""
    found = []
    for name, member in vars(CsmsClient).items():
        if name.startswith("_") or name.endswith(("_async", "_invoker")) or not inspect.isfunction(member):
            continue
        if list(inspect.signature(member).parameters) != ["self", "request"]:
            continue
        model = "".join(part.capitalize() for part in name.split("_")) + "Request"
        if hasattr(CsmsClient, f"_{name}_http_info") and hasattr(csms, model):
            found.append(name)
    return sorted(found)


OPERATIONS = sdk_operations()
CALLS = {name: {"called": 0, "answered": 0} for name in OPERATIONS}


def _recorded(name, method):
    @functools.wraps(method)
    def wrapper(self, request):
        CALLS[name]["called"] += 1
        response = method(self, request)
        CALLS[name]["answered"] += 1
        return response

    return wrapper


for _op in OPERATIONS:
    setattr(CsmsClient, _op, _recorded(_op, getattr(CsmsClient, _op)))


# ---------------------------------------------------------------------------------------------
# Small helpers


def now_ms():
    return int(time.time() * 1000)


def near(value, want, slack=SLACK_MS):
    return isinstance(value, int) and not isinstance(value, bool) and abs(value - want) <= slack


def is_uuid(text):
    return isinstance(text, str) and bool(
        re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text)
    )


def raw(response):
    """The response's JSON as the server sent it (the SDK keeps the bytes)."""
    return response.to_json_object()


def refusal_of(call):
    """(status, error_code, error_msg) of the ClientRequestException `call` raises; None if it succeeds."""
    try:
        call()
    except ClientRequestException as err:
        return err.status_code, err.error_code, err.error_msg or ""
    return None


def expect_refusal(r, label, status, code, call, says=()):
    """`call` is refused with this status and code, and the message holds every text of `says`."""
    says = (says,) if isinstance(says, str) else tuple(says)
    got = refusal_of(call)
    want = f"{status} {code}" + "".join(f" naming {s!r}" for s in says)
    return r.check(
        f"{label} -> {want}",
        got is not None and got[:2] == (status, code) and bool(got[2]) and all(s in got[2] for s in says),
        "the call succeeded" if got is None else short(got),
    )


def check_secret(r, label, response, want, key="secret"):
    """The response's Secret has exactly the 17 fields (raw JSON), and the SDK model reads `want`."""
    body = raw(response) or {}
    record = body.get(key) if isinstance(body, dict) else None
    r.equal(f"{label}: the Secret's 17 fields, no more", sorted(record or {}), sorted(SECRET_FIELDS))
    model = getattr(response, key)
    got = {field: getattr(model, field, None) for field in want}
    r.equal(f"{label}: {', '.join(want)}", got, want)
    return model


def record_fields(r, label, record):
    """A raw Secret dict (in a list or a resource) has exactly the 17 fields."""
    return r.equal(f"{label}: the Secret's 17 fields, no more", sorted(record or {}), sorted(SECRET_FIELDS))


# SDK calls, all through the request and model classes


def create(c, name, string=None, binary=None, **fields):
    body = csms.CreateSecretRequestBody(name=name, secret_string=string, secret_binary=binary, **fields)
    return c.create_secret(csms.CreateSecretRequest(body=body))


def update(c, name, **fields):
    return c.update_secret(csms.UpdateSecretRequest(secret_name=name, body=csms.UpdateSecretRequestBody(**fields)))


def show(c, name):
    return c.show_secret(csms.ShowSecretRequest(secret_name=name)).secret


def value(c, name, version_id="latest"):
    return c.show_secret_version(csms.ShowSecretVersionRequest(secret_name=name, version_id=version_id)).version


def new_version(c, name, string=None, binary=None, stages=None):
    body = csms.CreateSecretVersionRequestBody(secret_string=string, secret_binary=binary, version_stages=stages)
    return c.create_secret_version(csms.CreateSecretVersionRequest(secret_name=name, body=body))


def delete(c, name):
    return c.delete_secret(csms.DeleteSecretRequest(secret_name=name))


def schedule_delete(c, name, days=7):
    body = csms.DeleteSecretForScheduleRequestBody(recovery_window_in_days=days)
    return c.delete_secret_for_schedule(csms.DeleteSecretForScheduleRequest(secret_name=name, body=body))


def restore(c, name):
    return c.restore_secret(csms.RestoreSecretRequest(secret_name=name))


def list_secrets(c, limit=None, marker=None, event_name=None):
    limit = None if limit is None else str(limit)  # the SDK models ListSecrets' limit as a string
    return c.list_secrets(csms.ListSecretsRequest(limit=limit, marker=marker, event_name=event_name))


def all_names(c, event_name=None):
    names, marker = [], None
    for _ in range(100):
        page = list_secrets(c, limit=1000, marker=marker, event_name=event_name)
        names += [s.name for s in page.secrets or []]
        marker = page.page_info.next_marker
        if not marker:
            return names
    return names


def download(c, name):
    return c.download_secret_blob(csms.DownloadSecretBlobRequest(secret_name=name))


def upload(c, blob):
    return c.upload_secret_blob(csms.UploadSecretBlobRequest(body=csms.UploadSecretBlobRequestBody(secret_blob=blob)))


def tag(c, secret_id, key, val):
    body = csms.CreateSecretTagRequestBody(tag=csms.TagItem(key=key, value=val))
    return c.create_secret_tag(csms.CreateSecretTagRequest(secret_id=secret_id, body=body))


def untag(c, secret_id, key):
    return c.delete_secret_tag(csms.DeleteSecretTagRequest(secret_id=secret_id, key=key))


def tags_of(c, secret_id):
    return c.list_secret_tags(csms.ListSecretTagsRequest(secret_id=secret_id))


def tag_dict(response):
    return {t.key: t.value for t in response.tags or []}


def batch_tags(c, secret_id, action, pairs):
    body = csms.BatchCreateOrDeleteTagsRequestBody(action=action, tags=[csms.TagItem(key=k, value=v) for k, v in pairs])
    return c.batch_create_or_delete_tags(csms.BatchCreateOrDeleteTagsRequest(secret_id=secret_id, body=body))


def project_tags(c):
    return c.list_project_secrets_tags(csms.ListProjectSecretsTagsRequest())


def resources(c, action="filter", tags=None, matches=None, limit=None, offset=None):
    body = csms.ListResourceInstancesRequestBody(
        action=action,
        tags=None if tags is None else [csms.Tag(key=k, values=v) for k, v in tags],
        matches=None if matches is None else [csms.TagMatches(key=k, value=v) for k, v in matches],
        limit=None if limit is None else str(limit),  # the SDK models limit and offset as strings
        offset=None if offset is None else str(offset),
    )
    return c.list_resource_instances(
        csms.ListResourceInstancesRequest(resource_instances="resource_instances", body=body)
    )


def rotate(c, name):
    return c.rotate_secret(csms.RotateSecretRequest(secret_name=name))


def tasks(c, **query):
    return c.list_secret_task(csms.ListSecretTaskRequest(**query))


SMN = {"target_type": "SMN", "target_id": "urn:smn:local-1:0123456789abcdef:csvault-api", "target_name": "csvault-api"}


def notification(**over):
    return csms.Notification(**{**SMN, **over})


def create_event(c, name, types, state="ENABLED", note=None):
    body = csms.CreateSecretEventRequestBody(
        name=name, event_types=list(types), state=state, notification=note or notification()
    )
    return c.create_secret_event(csms.CreateSecretEventRequest(body=body))


def update_event(c, name, **fields):
    body = csms.UpdateSecretEventRequestBody(**fields)
    return c.update_secret_event(csms.UpdateSecretEventRequest(event_name=name, body=body))


def show_event(c, name):
    return c.show_secret_event(csms.ShowSecretEventRequest(event_name=name))


def delete_event(c, name):
    return c.delete_secret_event(csms.DeleteSecretEventRequest(event_name=name))


def list_events(c, limit=None, marker=None):
    limit = None if limit is None else str(limit)  # a string in the SDK's model
    return c.list_secret_events(csms.ListSecretEventsRequest(limit=limit, marker=marker))


def records(c):
    return c.list_notification_records(csms.ListNotificationRecordsRequest())


def check_strength(c, text, kind="strength"):
    body = csms.CheckSecretsRequestBody(type=kind, data={"secret_string": text})
    return c.check_secrets(csms.CheckSecretsRequest(body=body))


def check_event(r, label, event, name, types, state, note):
    r.equal(
        f"{label}: name, event_types, state",
        (event.name, list(event.event_types or []), event.state),
        (name, list(types), state),
    )
    n = event.notification
    r.equal(
        f"{label}: notification",
        None if n is None else {"target_type": n.target_type, "target_id": n.target_id, "target_name": n.target_name},
        note,
    )
    r.check(f"{label}: event_id is a UUID", is_uuid(event.event_id), short(event.event_id))
    r.check(
        f"{label}: create_time/update_time in epoch ms",
        near(event.create_time, now_ms()) and near(event.update_time, now_ms()),
        f"{event.create_time} {event.update_time}",
    )


# ---------------------------------------------------------------------------------------------


class Context:
    def __init__(self, report, binary, tmp, home, vault, env, server):
        self.report = report
        self.binary = binary
        self.tmp = tmp
        self.home = home
        self.vault = vault
        self.env = env
        self.server = server
        self.endpoint = self.ak = self.sk = self.project_id = None
        self.client = None
        self.values = []  # values this run saw: none may reach the server log


def secret_record(t):
    """CreateSecret with every field, the defaults, each field's rules, and UpdateSecret's settings."""
    r, c = t.report, t.client
    urn = "urn:fss:local-1:0123456789abcdef:function:default:rotate-api:latest"
    epid = "0c4a8a44-6f8e-4a0b-9b46-3d2f1c6a7e55"
    made = create(
        c,
        "api-record-full",
        string="record value ✓",
        description="every field",
        secret_type="COMMON",
        auto_rotation=True,
        rotation_period="30d",
        rotation_config='{"note": "stored, never run"}',
        rotation_func_urn=urn,
        enterprise_project_id=epid,
    )
    now = now_ms()
    s = check_secret(
        r,
        "CreateSecret with every field",
        made,
        {
            "name": "api-record-full",
            "state": "ENABLED",
            "description": "every field",
            "scheduled_delete_time": None,
            "secret_type": "COMMON",
            "auto_rotation": True,
            "rotation_period": "30d",
            "rotation_config": '{"note": "stored, never run"}',
            "rotation_time": None,
            "event_subscriptions": [],
            "enterprise_project_id": epid,
            "rotation_func_urn": urn,
        },
    )
    r.check("CreateSecret: id and kms_key_id are UUIDs", is_uuid(s.id) and is_uuid(s.kms_key_id), short(s))
    r.check(
        "CreateSecret: create_time/update_time near now (ms)",
        near(s.create_time, now) and near(s.update_time, now),
        f"{s.create_time} {s.update_time}",
    )
    r.check(
        "CreateSecret auto_rotation 30d: next_rotation_time = now + 30 days",
        near(s.next_rotation_time, s.create_time + 30 * DAY_MS, 5000),
        f"create {s.create_time}, next {s.next_rotation_time}",
    )
    check_secret(
        r,
        "ShowSecret returns every field as created",
        c.show_secret(csms.ShowSecretRequest(secret_name="api-record-full")),
        {
            "id": s.id,
            "auto_rotation": True,
            "rotation_period": "30d",
            "rotation_config": s.rotation_config,
            "next_rotation_time": s.next_rotation_time,
            "enterprise_project_id": epid,
            "rotation_func_urn": urn,
            "event_subscriptions": [],
        },
    )

    plain = create(c, "api-record-plain", string="plain value")
    check_secret(
        r,
        "CreateSecret with name and value only: the defaults",
        plain,
        {
            "secret_type": "COMMON",
            "auto_rotation": False,
            "rotation_period": None,
            "rotation_config": None,
            "rotation_time": None,
            "next_rotation_time": None,
            "event_subscriptions": [],
            "enterprise_project_id": "0",
            "rotation_func_urn": None,
            "scheduled_delete_time": None,
        },
    )
    raw_plain = raw(plain)["secret"]
    r.check(
        'the defaults are sent as null / [] / "0", not left out',
        all(k in raw_plain for k in ("rotation_period", "rotation_time", "next_rotation_time", "rotation_func_urn"))
        and raw_plain.get("event_subscriptions") == []
        and raw_plain.get("enterprise_project_id") == "0",
        short(raw_plain),
    )
    listed = raw(list_secrets(c, limit=1000))
    r.check(
        "ListSecrets: every listed Secret has the 17 fields",
        bool(listed.get("secrets")) and all(sorted(x) == sorted(SECRET_FIELDS) for x in listed["secrets"]),
        short([sorted(x) for x in listed.get("secrets", [])][:1]),
    )
    full = [x for x in listed.get("secrets", []) if x.get("name") == "api-record-full"]
    r.equal(
        "ListSecrets: the settings as created",
        [(x["auto_rotation"], x["rotation_period"], x["enterprise_project_id"], x["rotation_func_urn"]) for x in full],
        [(True, "30d", epid, urn)],
    )

    for period in ("6h", "8760h", "21600s", "360m", "365d"):
        got = create(c, f"api-period-{period}", string="x", auto_rotation=True, rotation_period=period).secret
        r.equal(f"rotation_period {period} accepted", (got.auto_rotation, got.rotation_period), (True, period))
    bad = (
        ("auto_rotation true without rotation_period", {"auto_rotation": True}, "auto_rotation"),
        ("rotation_period 5h (under 6 h)", {"rotation_period": "5h"}, "rotation_period"),
        ("rotation_period 21599s (under 6 h)", {"rotation_period": "21599s"}, "rotation_period"),
        ("rotation_period 8761h (over 8,760 h)", {"rotation_period": "8761h"}, "rotation_period"),
        ("rotation_period 366d", {"rotation_period": "366d"}, "rotation_period"),
        ("rotation_period 030d (leading zero)", {"rotation_period": "030d"}, "rotation_period"),
        ("rotation_period 30w (unit)", {"rotation_period": "30w"}, "rotation_period"),
        ("rotation_period 1.5d", {"rotation_period": "1.5d"}, "rotation_period"),
        ("secret_type RDS-FG", {"secret_type": "RDS-FG"}, "secret_type"),
        ("rotation_config of 1,025 bytes", {"rotation_config": "é" * 512 + "x"}, "rotation_config"),
        ("rotation_func_urn of 1,025 bytes", {"rotation_func_urn": "u" * 1025}, "rotation_func_urn"),
        ("enterprise_project_id of 37 characters", {"enterprise_project_id": "e" * 37}, "enterprise_project_id"),
        ("enterprise_project_id empty (the API's minLength 1)", {"enterprise_project_id": ""}, "enterprise_project_id"),
        ("event_subscriptions naming no event", {"event_subscriptions": ["api-no-such-event"]}, "event_subscriptions"),
        ("two event_subscriptions", {"event_subscriptions": ["a", "b"]}, "event_subscriptions"),
    )
    for i, (label, fields, field) in enumerate(bad):
        expect_refusal(
            r,
            f"CreateSecret {label}",
            400,
            "CSMS.0002",
            lambda f=fields, i=i: create(c, f"api-bad-{i}", string="x", **f),
            field,
        )
    r.equal(
        "nothing written by the refused creates",
        [n for n in all_names(c) if n.startswith("api-bad-")],
        [],
    )
    ok_limits = create(
        c,
        "api-record-limits",
        string="x",
        rotation_config="é" * 512,
        rotation_func_urn="u" * 1024,
        enterprise_project_id="e" * 36,
    ).secret
    r.equal(
        "1,024-byte rotation_config and rotation_func_urn, 36-character enterprise_project_id accepted",
        (len(ok_limits.rotation_config.encode()), len(ok_limits.rotation_func_urn), ok_limits.enterprise_project_id),
        (1024, 1024, "e" * 36),
    )

    # UpdateSecret: the settings its body carries.
    off = check_secret(
        r,
        "UpdateSecret auto_rotation false",
        update(c, "api-record-full", auto_rotation=False),
        {
            "auto_rotation": False,
            "rotation_period": "30d",
            "next_rotation_time": None,
            "rotation_config": s.rotation_config,
        },
    )
    r.check("UpdateSecret moves update_time", off.update_time >= s.update_time, f"{s.update_time} -> {off.update_time}")
    on = update(c, "api-record-full", auto_rotation=True).secret
    r.check(
        "UpdateSecret auto_rotation true again (the kept period): next_rotation_time = now + 30 days",
        on.auto_rotation is True and near(on.next_rotation_time, now_ms() + 30 * DAY_MS),
        f"{on.auto_rotation} {on.next_rotation_time}",
    )
    period = update(c, "api-record-full", rotation_period="12h").secret
    r.check(
        "UpdateSecret rotation_period 12h: next_rotation_time = now + 12 h",
        period.rotation_period == "12h" and near(period.next_rotation_time, now_ms() + 12 * HOUR_MS),
        f"{period.rotation_period} {period.next_rotation_time}",
    )
    other = update(c, "api-record-full", description="only the description").secret
    r.equal(
        "UpdateSecret of other fields leaves the schedule",
        (other.next_rotation_time, other.rotation_period, other.auto_rotation),
        (period.next_rotation_time, "12h", True),
    )
    urn2 = urn.replace("rotate-api", "rotate-api-2")
    r.equal(
        "UpdateSecret rotation_func_urn",
        update(c, "api-record-full", rotation_func_urn=urn2).secret.rotation_func_urn,
        urn2,
    )
    expect_refusal(
        r,
        "UpdateSecret auto_rotation true on a secret with no period",
        400,
        "CSMS.0002",
        lambda: update(c, "api-record-plain", auto_rotation=True),
        "auto_rotation",
    )
    expect_refusal(
        r,
        "UpdateSecret rotation_period 5h",
        400,
        "CSMS.0002",
        lambda: update(c, "api-record-full", rotation_period="5h"),
    )
    expect_refusal(
        r,
        "UpdateSecret event_subscriptions naming no event",
        400,
        "CSMS.0002",
        lambda: update(c, "api-record-full", event_subscriptions=["api-no-such-event"]),
    )
    expect_refusal(
        r,
        "UpdateSecret of a missing secret (settings valid)",
        400,
        "CSMS.0106",
        lambda: update(c, "api-no-such-secret", rotation_period="30d"),
    )
    r.equal(
        "the refused updates changed nothing",
        (show(c, "api-record-plain").auto_rotation, show(c, "api-record-full").rotation_period),
        (False, "12h"),
    )


def existing_operations(t):
    """The 18 operations served before issue 14, each with its fields (csms_sdk_e2e.py goes deeper)."""
    r, c = t.report, t.client
    name = "api-existing"
    made = create(c, name, string="first ✓", description="existing ops")
    secret_id = made.secret.id
    v2 = new_version(c, name, string="second ✓").version_metadata
    r.equal(
        "CreateSecretVersion: v2 with [SYSCURRENT]",
        (v2.id, v2.version_stages, v2.secret_name),
        ("v2", ["SYSCURRENT"], name),
    )
    r.check(
        "CreateSecretVersion: create_time in ms, kms_key_id",
        near(v2.create_time, now_ms()) and is_uuid(v2.kms_key_id),
        short(v2),
    )
    v3 = new_version(c, name, binary=base64.b64encode(b"\x00third").decode(), stages=["STAGED"]).version_metadata
    r.equal("CreateSecretVersion with stages: v3 [STAGED]", (v3.id, v3.version_stages), ("v3", ["STAGED"]))
    listed = c.list_secret_versions(csms.ListSecretVersionsRequest(secret_name=name, limit=2))
    r.equal(
        "ListSecretVersions limit 2: v1, v2; next_marker v2; current_count 2",
        ([m.id for m in listed.version_metadatas], listed.page_info.next_marker, listed.page_info.current_count),
        (["v1", "v2"], "v2", 2),
    )
    shown = value(c, name, "v3")
    r.equal(
        "ShowSecretVersion v3: binary value, no secret_string",
        (base64.b64decode(shown.secret_binary or ""), shown.secret_string, shown.version_metadata.version_stages),
        (b"\x00third", None, ["STAGED"]),
    )
    expire = now_ms() + 7 * DAY_MS
    meta = c.update_version(
        csms.UpdateVersionRequest(
            secret_name=name, version_id="v1", body=csms.UpdateVersionRequestBody(expire_time=expire)
        )
    ).version_metadata
    r.equal("UpdateVersion: expire_time on v1", (meta.id, meta.expire_time), ("v1", expire))
    st = c.show_secret_stage(csms.ShowSecretStageRequest(secret_name=name, stage_name="SYSCURRENT")).stage
    r.equal("ShowSecretStage SYSCURRENT", (st.name, st.version_id, st.secret_name), ("SYSCURRENT", "v2", name))
    moved = c.update_secret_stage(
        csms.UpdateSecretStageRequest(
            secret_name=name, stage_name="STAGED", body=csms.UpdateSecretStageRequestBody(version_id="v1")
        )
    ).stage
    r.check(
        "UpdateSecretStage STAGED -> v1 (update_time in ms)",
        (moved.name, moved.version_id) == ("STAGED", "v1") and near(moved.update_time, now_ms()),
        short(moved),
    )
    gone = c.delete_secret_stage(csms.DeleteSecretStageRequest(secret_name=name, stage_name="STAGED"))
    r.equal("DeleteSecretStage answers 204", gone.status_code, 204)
    check_secret(
        r,
        "UpdateSecret description",
        update(c, name, description="changed"),
        {"id": secret_id, "description": "changed", "auto_rotation": False, "enterprise_project_id": "0"},
    )
    pending = check_secret(
        r,
        "DeleteSecretForSchedule",
        schedule_delete(c, name, 7),
        {"id": secret_id, "state": "PENDING_DELETE", "event_subscriptions": []},
    )
    r.check(
        "DeleteSecretForSchedule: scheduled_delete_time = now + 7 days",
        near(pending.scheduled_delete_time, now_ms() + 7 * DAY_MS),
        short(pending.scheduled_delete_time),
    )
    check_secret(
        r,
        "RestoreSecret",
        restore(c, name),
        {"id": secret_id, "state": "ENABLED", "scheduled_delete_time": None, "auto_rotation": False},
    )

    blob = download(c, name).secret_blob
    r.check(
        "DownloadSecretBlob: csvb1. + base64url", bool(re.fullmatch(r"csvb1\.[A-Za-z0-9_-]+", blob or "")), short(blob)
    )
    r.equal("DeleteSecret answers 204", delete(c, name).status_code, 204)
    back = check_secret(
        r,
        "UploadSecretBlob",
        upload(c, blob),
        {"id": secret_id, "name": name, "state": "ENABLED", "description": "changed", "auto_rotation": False},
    )
    r.equal("UploadSecretBlob: the value reads back", value(c, name).secret_string, "second ✓")
    nxt = new_version(c, name, string="after restore").version_metadata
    r.equal("a version after the restore is v4 (ids continue)", nxt.id, "v4")
    _ = back

    # Version ids never reused: a blob of v1 alone, restored after v2 existed, numbers the next v3.
    once = "api-no-reuse"
    create(c, once, string="one")
    early = download(c, once).secret_blob
    new_version(c, once, string="two")
    delete(c, once)
    upload(c, early)
    r.equal(
        "delete, restore an older blob, add a version: v3, not a reused v2",
        new_version(c, once, string="three").version_metadata.id,
        "v3",
    )

    imported = c.batch_import_secrets(
        csms.BatchImportSecretsRequest(
            body=csms.ImportSecretsRequest(
                secrets=[
                    csms.CreateSecretRequestBody(
                        name="api-import-rot",
                        secret_string="imported",
                        auto_rotation=True,
                        rotation_period="7d",
                        enterprise_project_id="ep-import",
                    ),
                    csms.CreateSecretRequestBody(name="api-import-bad", secret_string="x", rotation_period="1h"),
                ]
            )
        )
    )
    r.equal("BatchImportSecrets: total/success/failed", (imported.total, imported.success, imported.failed), (2, 1, 1))
    r.equal(
        "BatchImportSecrets: error_list names the bad rotation_period",
        [(e.name, "rotation_period" in (e.error_msg or "")) for e in imported.error_list or []],
        [("api-import-bad", True)],
    )
    got = show(c, "api-import-rot")
    r.check(
        "BatchImportSecrets stores the new fields (auto_rotation, period, schedule, enterprise project)",
        (got.auto_rotation, got.rotation_period, got.enterprise_project_id) == (True, "7d", "ep-import")
        and near(got.next_rotation_time, now_ms() + 7 * DAY_MS),
        short(got),
    )
    pw = c.generate_random_password(
        csms.GenerateRandomPasswordRequest(body=csms.CreatePasswordRequestBody(length=40, exclude_punctuation=True))
    ).password
    r.check(
        "GenerateRandomPassword: 40 letters and digits",
        isinstance(pw, str) and len(pw) == 40 and pw.isalnum(),
        short(pw),
    )
    page = list_secrets(c, limit=1, marker="api-existing")
    r.equal(
        "ListSecrets limit 1 after api-existing: api-import-rot, current_count 1",
        ([s.name for s in page.secrets], page.page_info.current_count, page.page_info.next_marker),
        (["api-import-rot"], 1, "api-import-rot"),
    )


def tags(t):
    r, c = t.report, t.client
    sid = create(c, "api-tags", string="tagged").secret.id
    other = create(c, "api-tags-other", string="tagged too").secret.id

    made = tag(c, sid, "env", "prod")
    r.equal("CreateSecretTag answers 204", made.status_code, 204)
    listed = tags_of(c, sid)
    r.equal("ListSecretTags: [{key env, value prod}]", tag_dict(listed), {"env": "prod"})
    body = raw(listed)
    r.check(
        "ListSecretTags: tags [{key, value}] and sys_tags a list",
        body.get("tags") == [{"key": "env", "value": "prod"}] and isinstance(body.get("sys_tags", []), list),
        short(body),
    )
    tag(c, sid, "env", "staging")
    r.equal("setting a key again replaces its value", tag_dict(tags_of(c, sid)), {"env": "staging"})

    accepted = {
        "環境": "本番",
        "team lead": "A. Person",
        "a_b.c:d=e+f-g@h": "v_./:=+-@ 1",
        "k" * 128: "v" * 255,
        "empty": "",
    }
    for key, val in accepted.items():
        tag(c, sid, key, val)
    r.equal(
        "unicode, inner spaces, _.:=+-@, 128/255 characters, an empty value: all stored",
        tag_dict(tags_of(c, sid)),
        {"env": "staging", **accepted},
    )
    refused = (
        ("a key starting with _sys_", "_sys_owner", "x"),
        ("a key with a leading space", " lead", "x"),
        ("a key with a trailing space", "trail ", "x"),
        ("an empty key", "", "x"),
        ("a key of 129 characters", "k" * 129, "x"),
        ("a key with /", "a/b", "x"),
        ("a value of 256 characters", "long", "v" * 256),
        ("a value with ,", "comma", "a,b"),
    )
    for label, key, val in refused:
        expect_refusal(r, f"CreateSecretTag {label}", 400, "CSMS.0002", lambda k=key, v=val: tag(c, sid, k, v))
    r.equal("the refused tags wrote nothing", len(tag_dict(tags_of(c, sid))), 1 + len(accepted))

    gone = untag(c, sid, "環境")
    r.equal("DeleteSecretTag of a unicode key answers 204", gone.status_code, 204)
    r.equal("DeleteSecretTag: team lead (a space in the path)", untag(c, sid, "team lead").status_code, 204)
    r.check("the deleted keys are gone", not {"環境", "team lead"} & set(tag_dict(tags_of(c, sid))))
    expect_refusal(r, "DeleteSecretTag of a key that is not there", 400, "CSMS.0005", lambda: untag(c, sid, "nope"))

    # 20 tags at most.
    current = tag_dict(tags_of(c, sid))
    for i in range(20 - len(current)):
        tag(c, sid, f"fill{i:02d}", str(i))
    r.equal("20 tags on one secret", len(tag_dict(tags_of(c, sid))), 20)
    expect_refusal(r, "a 21st tag", 400, "CSMS.0203", lambda: tag(c, sid, "one-too-many", "x"))
    r.equal(
        "setting an existing key at 20 replaces it",
        (tag(c, sid, "env", "prod").status_code, tag_dict(tags_of(c, sid))["env"]),
        (204, "prod"),
    )
    expect_refusal(
        r,
        "BatchCreateOrDeleteTags create past 20",
        400,
        "CSMS.0203",
        lambda: batch_tags(c, sid, "create", [("extra1", "x"), ("extra2", "y")]),
    )

    # Batches: all or nothing.
    done = batch_tags(c, other, "create", [("owner", "ops"), ("tier", "gold"), ("env", "prod")])
    r.equal("BatchCreateOrDeleteTags create answers 204", done.status_code, 204)
    r.equal("the batch created all three", tag_dict(tags_of(c, other)), {"owner": "ops", "tier": "gold", "env": "prod"})
    done = batch_tags(c, other, "delete", [("tier", "gold"), ("never-set", "")])
    r.equal("BatchCreateOrDeleteTags delete (a missing key ignored) answers 204", done.status_code, 204)
    r.equal("the batch deleted tier", tag_dict(tags_of(c, other)), {"owner": "ops", "env": "prod"})
    expect_refusal(
        r,
        "a batch with one bad key (_sys_)",
        400,
        "CSMS.0002",
        lambda: batch_tags(c, other, "create", [("fine", "1"), ("_sys_bad", "2")]),
    )
    r.equal("the refused batch wrote nothing", tag_dict(tags_of(c, other)), {"owner": "ops", "env": "prod"})
    expect_refusal(
        r,
        "BatchCreateOrDeleteTags action update",
        400,
        "CSMS.0002",
        lambda: batch_tags(c, other, "update", [("a", "b")]),
    )

    missing = str(uuid.uuid4())
    expect_refusal(r, "CreateSecretTag on an unknown secret id", 400, "CSMS.0106", lambda: tag(c, missing, "a", "b"))
    expect_refusal(r, "ListSecretTags of an unknown secret id", 400, "CSMS.0106", lambda: tags_of(c, missing))
    expect_refusal(r, "DeleteSecretTag on an unknown secret id", 400, "CSMS.0106", lambda: untag(c, missing, "a"))
    expect_refusal(
        r,
        "BatchCreateOrDeleteTags on an unknown secret id",
        400,
        "CSMS.0106",
        lambda: batch_tags(c, missing, "create", [("a", "b")]),
    )

    schedule_delete(c, "api-tags-other", 7)
    expect_refusal(
        r, "CreateSecretTag on a PENDING_DELETE secret", 400, "CSMS.0103", lambda: tag(c, other, "late", "x")
    )
    expect_refusal(r, "DeleteSecretTag on a PENDING_DELETE secret", 400, "CSMS.0103", lambda: untag(c, other, "owner"))
    expect_refusal(
        r,
        "BatchCreateOrDeleteTags on a PENDING_DELETE secret",
        400,
        "CSMS.0103",
        lambda: batch_tags(c, other, "delete", [("owner", "")]),
    )
    r.equal("a pending secret's tags still list", tag_dict(tags_of(c, other)), {"owner": "ops", "env": "prod"})

    # The project's keys and values: every secret in every state, sorted in byte order.
    mine = tag_dict(tags_of(c, sid))
    expected = {}
    for key, val in list(mine.items()) + [("owner", "ops"), ("env", "prod")]:
        expected.setdefault(key, set()).add(val)
    want = [
        {"key": k, "values": sorted(v, key=str.encode)}
        for k, v in sorted(expected.items(), key=lambda kv: kv[0].encode())
    ]
    got = raw(project_tags(c)).get("tags")
    r.equal(
        "ListProjectSecretsTags: every key with its distinct values, byte order (pending secret included)", got, want
    )
    sdk = project_tags(c).tags or []
    r.equal(
        "ListProjectSecretsTags through the SDK model (TagResponse)",
        [(x.key, x.values) for x in sdk][:2],
        [(w["key"], w["values"]) for w in want][:2],
    )
    restore(c, "api-tags-other")
    t.tagged = {"api-tags": sid, "api-tags-other": other}


def resource_instances(t):
    r, c = t.report, t.client
    plan = {
        "rix-alpha": {"rix-env": "prod", "rix-team": "a"},
        "rix-beta": {"rix-env": "dev", "rix-team": "a"},
        "rix-gamma": {"rix-env": "prod"},
        "rix-delta": {"rix-env": "prod"},
    }
    ids = {}
    for name, pairs in plan.items():
        ids[name] = create(c, name, string=f"{name} value").secret.id
        batch_tags(c, ids[name], "create", list(pairs.items()))
    schedule_delete(c, "rix-delta", 7)

    found = resources(c, tags=[("rix-env", ["prod"])])
    names = [x.resource_name for x in found.resources or []]
    r.equal(
        "filter rix-env=prod: sorted by name, a PENDING_DELETE secret included",
        names,
        ["rix-alpha", "rix-delta", "rix-gamma"],
    )
    r.equal("filter: total_count 3", found.total_count, 3)
    body = raw(found)
    r.equal("filter: the answer has resources and total_count", sorted(body), ["resources", "total_count"])
    first = (body.get("resources") or [{}])[0]
    r.equal(
        "filter: a resource has resource_id, resource_name, resource_detail, tags, sys_tags",
        sorted(first),
        ["resource_detail", "resource_id", "resource_name", "sys_tags", "tags"],
    )
    record_fields(r, "filter: resource_detail", first.get("resource_detail"))
    alpha = (found.resources or [None])[0]
    if alpha is not None:
        r.equal(
            "filter: resource_id is the secret id, resource_detail its record",
            (alpha.resource_id, alpha.resource_detail.id, alpha.resource_detail.name, alpha.resource_detail.state),
            (ids["rix-alpha"], ids["rix-alpha"], "rix-alpha", "ENABLED"),
        )
        r.equal("filter: tags of the resource", {x.key: x.value for x in alpha.tags or []}, plan["rix-alpha"])
        r.equal("filter: sys_tags []", alpha.sys_tags, [])
    delta = [x for x in found.resources or [] if x.resource_name == "rix-delta"]
    r.equal(
        "filter: the pending secret's resource_detail state",
        [x.resource_detail.state for x in delta],
        ["PENDING_DELETE"],
    )

    counted = resources(c, action="count", tags=[("rix-env", ["prod"])])
    r.equal('count rix-env=prod: {"total_count": 3} alone', raw(counted), {"total_count": 3})
    r.equal("count through the SDK model", (counted.total_count, counted.resources), (3, None))

    def names_of(**query):
        return [x.resource_name for x in resources(c, limit=1000, **query).resources or []]

    r.equal(
        "values [] matches any value of the key",
        names_of(tags=[("rix-env", [])]),
        ["rix-alpha", "rix-beta", "rix-delta", "rix-gamma"],
    )
    r.equal(
        "values [prod, dev] matches either",
        names_of(tags=[("rix-env", ["prod", "dev"])]),
        ["rix-alpha", "rix-beta", "rix-delta", "rix-gamma"],
    )
    r.equal(
        "two tag entries must both match", names_of(tags=[("rix-env", ["prod"]), ("rix-team", ["a"])]), ["rix-alpha"]
    )
    r.equal("a key no secret has matches nothing", names_of(tags=[("rix-nobody", [])]), [])
    r.equal(
        "matches resource_name GAM (case-insensitive substring) with a tag",
        names_of(tags=[("rix-env", [])], matches=[("resource_name", "GAM")]),
        ["rix-gamma"],
    )
    r.equal(
        "matches alone (no tags): resource_name rix-",
        names_of(matches=[("resource_name", "RIX-")]),
        ["rix-alpha", "rix-beta", "rix-delta", "rix-gamma"],
    )
    r.equal(
        "tags [] and matches: the same",
        names_of(tags=[], matches=[("resource_name", "rix-")]),
        ["rix-alpha", "rix-beta", "rix-delta", "rix-gamma"],
    )
    r.equal(
        "matches with an empty value matches nothing",
        raw(resources(c, action="count", matches=[("resource_name", "")])),
        {"total_count": 0},
    )
    page = resources(c, tags=[("rix-env", [])], limit=2, offset=1)
    r.equal(
        "limit 2 offset 1: the 2nd and 3rd by name, total_count counts every match",
        ([x.resource_name for x in page.resources or []], page.total_count),
        (["rix-beta", "rix-delta"], 4),
    )
    r.equal(
        "offset past the end: no resources, total_count 4",
        (
            [x.resource_name for x in resources(c, tags=[("rix-env", [])], offset=10).resources or []],
            resources(c, tags=[("rix-env", [])], offset=10).total_count,
        ),
        ([], 4),
    )
    for i in range(12):
        tag(c, create(c, f"rim-{i:02d}", string="x").secret.id, "rix-many", str(i))
    r.equal(
        "filter without limit: the default 10",
        len(resources(c, tags=[("rix-many", [])]).resources or []),
        10,
    )
    for label, query in (
        ("action list", {"action": "list", "tags": [("rix-env", [])]}),
        ("limit 0", {"limit": 0, "tags": [("rix-env", [])]}),
        ("limit 1001", {"limit": 1001, "tags": [("rix-env", [])]}),
        ("offset -1", {"offset": -1, "tags": [("rix-env", [])]}),
        ("matches key name", {"matches": [("name", "rix")]}),
        ("11 tag entries", {"tags": [(f"k{i}", []) for i in range(11)]}),
    ):
        expect_refusal(r, f"ListResourceInstances {label}", 400, "CSMS.0002", lambda q=query: resources(c, **q))
    restore(c, "rix-delta")


def events(t):
    """Events CRUD, subscriptions, ListSecrets by event_name, notification records."""
    r, c = t.report, t.client
    note_a = SMN
    a = create_event(c, "api-ev-a", ["SECRET_VERSION_CREATED", "SECRET_ROTATED"]).event
    check_event(
        r, "CreateSecretEvent api-ev-a", a, "api-ev-a", ["SECRET_VERSION_CREATED", "SECRET_ROTATED"], "ENABLED", note_a
    )
    note_b = {"target_type": "SMN", "target_id": "urn:smn:local-1:0123456789abcdef:other", "target_name": "other"}
    b = create_event(c, "api-ev-b", ["SECRET_DELETED"], state="DISABLED", note=notification(**note_b)).event
    check_event(r, "CreateSecretEvent api-ev-b (DISABLED)", b, "api-ev-b", ["SECRET_DELETED"], "DISABLED", note_b)
    shown = show_event(c, "api-ev-a").event
    r.equal(
        "ShowSecretEvent: as created",
        (shown.name, shown.event_id, shown.event_types, shown.state, shown.create_time),
        (a.name, a.event_id, a.event_types, a.state, a.create_time),
    )
    r.equal('ShowSecretEvent: the answer is {"event": {...}}', sorted(raw(show_event(c, "api-ev-a"))), ["event"])

    for label, kwargs in (
        ("a duplicate name", {"name": "api-ev-a", "types": ["SECRET_DELETED"]}),
        ("a bad name", {"name": "bad name!", "types": ["SECRET_DELETED"]}),
        ("no event_types", {"name": "api-ev-x1", "types": []}),
        ("an unknown event type", {"name": "api-ev-x2", "types": ["SECRET_READ"]}),
        ("a repeated event type", {"name": "api-ev-x3", "types": ["SECRET_DELETED", "SECRET_DELETED"]}),
        ("state ON", {"name": "api-ev-x4", "types": ["SECRET_DELETED"], "state": "ON"}),
    ):
        expect_refusal(r, f"CreateSecretEvent {label}", 400, "CSMS.0002", lambda k=kwargs: create_event(c, **k))
    all_five = create_event(c, "api-ev-all", list(EVENT_TYPES)).event
    r.equal("CreateSecretEvent with all five types", sorted(all_five.event_types), sorted(EVENT_TYPES))

    time.sleep(0.01)
    changed = update_event(
        c,
        "api-ev-b",
        state="ENABLED",
        event_types=["SECRET_DELETED", "SECRET_VERSION_EXPIRED"],
        notification=notification(),
    ).event
    check_event(
        r,
        "UpdateSecretEvent api-ev-b",
        changed,
        "api-ev-b",
        ["SECRET_DELETED", "SECRET_VERSION_EXPIRED"],
        "ENABLED",
        note_a,
    )
    r.check(
        "UpdateSecretEvent: same event_id and create_time, update_time moved",
        changed.event_id == b.event_id and changed.create_time == b.create_time and changed.update_time > b.update_time,
        short(changed),
    )
    r.equal("ShowSecretEvent sees the update", show_event(c, "api-ev-b").event.state, "ENABLED")
    expect_refusal(r, "UpdateSecretEvent state ON", 400, "CSMS.0002", lambda: update_event(c, "api-ev-b", state="ON"))
    expect_refusal(r, "ShowSecretEvent of an unknown event", 400, "CSMS.0005", lambda: show_event(c, "api-ev-nope"))
    expect_refusal(
        r,
        "UpdateSecretEvent of an unknown event",
        400,
        "CSMS.0005",
        lambda: update_event(c, "api-ev-nope", state="DISABLED"),
    )
    expect_refusal(r, "DeleteSecretEvent of an unknown event", 400, "CSMS.0005", lambda: delete_event(c, "api-ev-nope"))

    listing = list_events(c)
    r.equal("ListSecretEvents: by name", [e.name for e in listing.events or []], ["api-ev-a", "api-ev-all", "api-ev-b"])
    r.equal("ListSecretEvents: the answer has events and page_info", sorted(raw(listing)), ["events", "page_info"])
    pages, marker = [], None
    for _ in range(5):
        page = list_events(c, limit=2, marker=marker)
        pages.append(([e.name for e in page.events or []], page.page_info.current_count))
        marker = page.page_info.next_marker
        if not marker:
            break
    r.equal("ListSecretEvents limit 2: pages by name", pages, [(["api-ev-a", "api-ev-all"], 2), (["api-ev-b"], 1)])
    expect_refusal(r, "ListSecretEvents limit 0", 400, "CSMS.0002", lambda: list_events(c, limit=0))

    # Subscriptions and ListSecrets event_name.
    before = len(records(c).records or [])
    sub = check_secret(
        r,
        "CreateSecret subscribed to api-ev-a",
        create(c, "api-sub-1", string="subscribed value 1", event_subscriptions=["api-ev-a"]),
        {"event_subscriptions": ["api-ev-a"]},
    )
    _ = sub
    create(c, "api-sub-2", string="subscribed value 2")
    check_secret(
        r,
        "UpdateSecret event_subscriptions [api-ev-a]",
        update(c, "api-sub-2", event_subscriptions=["api-ev-a"]),
        {"event_subscriptions": ["api-ev-a"]},
    )
    create(c, "api-sub-3", string="not subscribed")
    r.equal(
        "ListSecrets event_name api-ev-a",
        [s.name for s in list_secrets(c, event_name="api-ev-a").secrets],
        ["api-sub-1", "api-sub-2"],
    )
    one = list_secrets(c, limit=1, event_name="api-ev-a")
    r.equal(
        "ListSecrets event_name with limit 1: filtered before paging",
        ([s.name for s in one.secrets], one.page_info.next_marker),
        (["api-sub-1"], "api-sub-1"),
    )
    two = list_secrets(c, limit=1, marker="api-sub-1", event_name="api-ev-a")
    r.equal("ListSecrets event_name, second page", [s.name for s in two.secrets], ["api-sub-2"])
    r.equal(
        "ListSecrets event_name of an event nobody subscribes to", list_secrets(c, event_name="api-ev-b").secrets, []
    )
    r.equal("ListSecrets event_name of no event", list_secrets(c, event_name="api-ev-none").secrets, [])
    expect_refusal(
        r,
        "DeleteSecretEvent of a subscribed event",
        400,
        "CSMS.0002",
        lambda: delete_event(c, "api-ev-a"),
        ("api-sub-1", "api-sub-2"),
    )
    r.equal("the refused delete left the event", show_event(c, "api-ev-a").event.name, "api-ev-a")

    # Records: api-sub-1's v1 (created subscribed), then a version of api-sub-2.
    new_version(c, "api-sub-2", string="subscribed value 2b")
    listed = records(c)
    got = listed.records or []
    fresh = got[: len(got) - before]
    r.equal(
        "ListNotificationRecords: two new records, newest first",
        [(x.secret_name, x.trigger_event_type) for x in fresh],
        [("api-sub-2", "SECRET_VERSION_CREATED"), ("api-sub-1", "SECRET_VERSION_CREATED")],
    )
    body = raw(listed)
    r.equal("ListNotificationRecords: records and page_info", sorted(body), ["page_info", "records"])
    r.equal(
        "ListNotificationRecords: a record's nine fields",
        sorted((body.get("records") or [{}])[0]),
        sorted(
            (
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
        ),
    )
    if fresh:
        x = fresh[0]
        r.equal(
            "record: event, secret type, target, status",
            (x.event_name, x.secret_type, x.notification_target_name, x.notification_target_id, x.notification_status),
            ("api-ev-a", "COMMON", SMN["target_name"], SMN["target_id"], "SUCCESS"),
        )
        r.check("record: create_time near now (ms)", near(x.create_time, now_ms()), short(x.create_time))
        try:
            content = json.loads(x.notification_content)
        except (TypeError, ValueError):
            content = None
        r.check(
            "record: notification_content is JSON text naming the secret",
            isinstance(content, dict) and "api-sub-2" in x.notification_content,
            short(x.notification_content),
        )
        leaked = [
            v
            for v in ("subscribed value 2", "subscribed value 2b", "subscribed value 1")
            if any(v in (y.notification_content or "") for y in got)
        ]
        r.check("no record's notification_content holds a value", not leaked, short(leaked))
    r.equal(
        "ListNotificationRecords page_info: current_count, next_marker null",
        (listed.page_info.current_count, listed.page_info.next_marker),
        (len(got), None),
    )
    create(c, "api-sub-quiet", string="x")
    new_version(c, "api-sub-quiet", string="y")
    r.equal("an unsubscribed secret fires nothing", len(records(c).records or []), len(got))

    # Unsubscribe; then the event can go.
    check_secret(
        r,
        "UpdateSecret event_subscriptions [] unsubscribes",
        update(c, "api-sub-1", event_subscriptions=[]),
        {"event_subscriptions": []},
    )
    update(c, "api-sub-2", event_subscriptions=[])
    r.equal("ListSecrets event_name after unsubscribing", list_secrets(c, event_name="api-ev-a").secrets, [])
    r.equal("DeleteSecretEvent answers 204", delete_event(c, "api-ev-a").status_code, 204)
    expect_refusal(r, "ShowSecretEvent after the delete", 400, "CSMS.0005", lambda: show_event(c, "api-ev-a"))
    r.equal(
        "ListSecretEvents after the delete", [e.name for e in list_events(c).events or []], ["api-ev-all", "api-ev-b"]
    )
    t.values += ["subscribed value 1", "subscribed value 2", "subscribed value 2b"]


def blob_whole_record(t):
    """A backup blob carries every field, the tags and the subscription; a missing event refuses it."""
    r, c = t.report, t.client
    create_event(c, "api-ev-blob", ["SECRET_DELETED"])
    name = "api-blob-full"
    made = create(
        c,
        name,
        string="blob value",
        auto_rotation=True,
        rotation_period="90d",
        rotation_config="cfg",
        rotation_func_urn="urn:blob",
        enterprise_project_id="ep-blob",
        event_subscriptions=["api-ev-blob"],
    ).secret
    batch_tags(c, made.id, "create", [("blob-key", "blob value tag"), ("second", "2")])
    blob = download(c, name).secret_blob
    delete(c, name)
    back = upload(c, blob)
    check_secret(
        r,
        "UploadSecretBlob restores every field",
        back,
        {field: getattr(made, field) for field in SECRET_FIELDS if field not in ("update_time",)},
    )
    r.equal(
        "UploadSecretBlob restores the tags",
        tag_dict(tags_of(c, made.id)),
        {"blob-key": "blob value tag", "second": "2"},
    )
    delete(c, name)
    delete_event(c, "api-ev-blob")
    expect_refusal(
        r, "UploadSecretBlob subscribed to a deleted event", 400, "CSMS.0002", lambda: upload(c, blob), "api-ev-blob"
    )
    expect_refusal(r, "nothing written by the refused upload", 400, "CSMS.0106", lambda: show(c, name))
    create_event(c, "api-ev-blob", ["SECRET_DELETED"])
    r.equal("with the event back, the blob restores", upload(c, blob).secret.event_subscriptions, ["api-ev-blob"])


def rotation(t):
    r, c = t.report, t.client
    name = "api-rot-text"
    urn = "urn:fss:local-1:0123456789abcdef:function:default:rot:latest"
    create(c, name, string="before rotation", auto_rotation=True, rotation_period="7d", rotation_func_urn=urn)
    done = rotate(c, name)
    r.equal("RotateSecret: secret_name, version_id v2", (done.secret_name, done.version_id), (name, "v2"))
    r.check("RotateSecret: rotation_task_id is a UUID", is_uuid(done.rotation_task_id), short(done.rotation_task_id))
    r.equal(
        "RotateSecret: the answer's three fields", sorted(raw(done)), ["rotation_task_id", "secret_name", "version_id"]
    )
    v = value(c, name)
    text = v.secret_string or ""
    r.equal(
        "the rotated version holds SYSCURRENT",
        (v.version_metadata.id, v.version_metadata.version_stages),
        ("v2", ["SYSCURRENT"]),
    )
    r.equal("v1 holds SYSPREVIOUS", value(c, name, "v1").version_metadata.version_stages, ["SYSPREVIOUS"])
    r.check(
        "the generated text: 32 characters with a lower, an upper, a digit and a punctuation mark",
        len(text) == 32
        and any(ch.islower() for ch in text)
        and any(ch.isupper() for ch in text)
        and any(ch.isdigit() for ch in text)
        and any(ch in PUNCTUATION for ch in text)
        and all(ch.isascii() and (ch.isalnum() or ch in PUNCTUATION) for ch in text),
        f"{len(text)} characters",
    )
    t.values.append(text)
    after = show(c, name)
    r.check("rotation_time = now", near(after.rotation_time, now_ms()), short(after.rotation_time))
    r.check(
        "next_rotation_time = rotation_time + 7 days",
        isinstance(after.rotation_time, int) and near(after.next_rotation_time, after.rotation_time + 7 * DAY_MS, 1000),
        f"{after.rotation_time} -> {after.next_rotation_time}",
    )
    second = rotate(c, name)
    r.equal("a second rotation: v3", second.version_id, "v3")
    third_text = value(c, name).secret_string
    r.check("each rotation generates a new value", third_text != text, "same value twice")
    t.values.append(third_text or "")

    create(c, "api-rot-bin", binary=base64.b64encode(b"\x00\x01\x02").decode())
    rotated = rotate(c, "api-rot-bin")
    bin_value = value(c, "api-rot-bin")
    r.check(
        "RotateSecret of a binary secret: 32 random bytes, no secret_string",
        rotated.version_id == "v2"
        and len(base64.b64decode(bin_value.secret_binary or "")) == 32
        and bin_value.secret_string is None,
        short(bin_value.secret_binary),
    )
    manual = show(c, "api-rot-bin")
    r.equal(
        "a secret without automatic rotation: rotation_time set, next_rotation_time null",
        (near(manual.rotation_time, now_ms()), manual.next_rotation_time),
        (True, None),
    )

    # Refusals record no task.
    create(c, "api-rot-pending", string="x")
    schedule_delete(c, "api-rot-pending", 7)
    expect_refusal(r, "RotateSecret of a PENDING_DELETE secret", 403, "CSMS.0109", lambda: rotate(c, "api-rot-pending"))
    create(c, "api-rot-disabled", string="x")
    disabled = run_csvault(t.binary, t.vault, t.env, "secret", "disable", "api-rot-disabled")
    r.equal("csvault secret disable (beside serve) exits 0", disabled.returncode, 0)
    expect_refusal(r, "RotateSecret of a DISABLED secret", 403, "CSMS.0109", lambda: rotate(c, "api-rot-disabled"))
    expect_refusal(r, "RotateSecret of a missing secret", 400, "CSMS.0106", lambda: rotate(c, "api-rot-nope"))

    # ListSecretTask.
    listed = tasks(c, secret_name=name)
    r.equal(
        "ListSecretTask secret_name: two tasks, newest first",
        [x.task_id for x in listed.tasks or []],
        [second.rotation_task_id, done.rotation_task_id],
    )
    r.equal("ListSecretTask: total 2, next_marker null", (listed.total, listed.next_marker), (2, None))
    r.equal(
        "ListSecretTask: the answer has tasks, total, next_marker",
        sorted(raw(listed)),
        ["next_marker", "tasks", "total"],
    )
    task_raw = (raw(listed).get("tasks") or [{}])[0]
    r.equal(
        "ListSecretTask: a task's nine fields",
        sorted(task_raw),
        sorted(
            (
                "task_id",
                "secret_name",
                "rotation_func_urn",
                "operate_type",
                "task_time",
                "attempt_nums",
                "task_status",
                "task_error_code",
                "task_error_msg",
            )
        ),
    )
    first = (listed.tasks or [None])[0]
    if first is not None:
        r.equal(
            "task: secret_name, rotation_func_urn, MANUAL_ROTATION, SUCCESS",
            (first.secret_name, first.rotation_func_urn, first.operate_type, first.task_status),
            (name, urn, "MANUAL_ROTATION", "SUCCESS"),
        )
        r.check("task: task_time near now (ms)", near(first.task_time, now_ms()), short(first.task_time))
        r.check(
            "task: attempt_nums ≥ 1",
            isinstance(first.attempt_nums, int) and first.attempt_nums >= 1,
            short(first.attempt_nums),
        )
        r.check("task: no error code or message", not first.task_error_code and not first.task_error_msg, short(first))
        times = [x.task_time for x in listed.tasks]
        r.check("tasks newest first by task_time", times == sorted(times, reverse=True), short(times))
    page = tasks(c, secret_name=name, limit=1)
    r.equal(
        "ListSecretTask limit 1: the newest, next_marker its task_id, total 2",
        ([x.task_id for x in page.tasks or []], page.next_marker, page.total),
        ([second.rotation_task_id], second.rotation_task_id, 2),
    )
    rest = tasks(c, secret_name=name, limit=1, marker=page.next_marker)
    r.equal(
        "ListSecretTask marker: the older, next_marker null",
        ([x.task_id for x in rest.tasks or []], rest.next_marker),
        ([done.rotation_task_id], None),
    )
    by_id = tasks(c, task_id=done.rotation_task_id)
    r.equal(
        "ListSecretTask task_id: that task alone",
        ([x.task_id for x in by_id.tasks or []], by_id.total),
        ([done.rotation_task_id], 1),
    )
    r.equal("ListSecretTask status SUCCESS + secret_name", tasks(c, secret_name=name, status="SUCCESS").total, 2)
    r.equal(
        "ListSecretTask status FAILED + secret_name: none",
        (tasks(c, secret_name=name, status="FAILED").tasks, tasks(c, secret_name=name, status="FAILED").total),
        ([], 0),
    )
    r.equal(
        "the refused rotations recorded no task",
        (tasks(c, secret_name="api-rot-pending").total, tasks(c, secret_name="api-rot-disabled").total),
        (0, 0),
    )
    every = tasks(c)
    r.equal(
        "ListSecretTask with no filter: the three tasks of this run",
        sorted(x.secret_name for x in every.tasks or []),
        sorted([name, name, "api-rot-bin"]),
    )
    expect_refusal(
        r,
        "ListSecretTask task_id with secret_name",
        400,
        "CSMS.0002",
        lambda: tasks(c, task_id=done.rotation_task_id, secret_name=name),
    )
    expect_refusal(r, "ListSecretTask limit 0", 400, "CSMS.0002", lambda: tasks(c, limit=0))
    expect_refusal(r, "ListSecretTask limit 1001", 400, "CSMS.0002", lambda: tasks(c, limit=1001))


def checks(t):
    r, c = t.report, t.client
    shown = c.show_secrets_config(csms.ShowSecretsConfigRequest())
    r.equal(
        'ShowSecretsConfig: {"checking_secret_strength": false} by default',
        raw(shown),
        {"checking_secret_strength": False},
    )
    on = c.update_secrets_config(
        csms.UpdateSecretsConfigRequest(body=csms.UpdateSecretsConfigRequestBody(checking_secret_strength=True))
    )
    r.equal("UpdateSecretsConfig true answers true", on.checking_secret_strength, True)
    r.equal(
        "ShowSecretsConfig sees true",
        c.show_secrets_config(csms.ShowSecretsConfigRequest()).checking_secret_strength,
        True,
    )
    weak_value = "password"
    weak = check_strength(c, weak_value)
    r.equal("CheckSecrets: the answer is {type, data}", sorted(raw(weak)), ["data", "type"])
    data = weak.data if isinstance(weak.data, dict) else {}
    r.equal("CheckSecrets 'password': type strength, WEAK", (weak.type, data.get("strength")), ("strength", "WEAK"))
    r.equal("CheckSecrets data: strength, score, warnings", sorted(data), ["score", "strength", "warnings"])
    r.check("CheckSecrets 'password': score 0 or 1", data.get("score") in (0, 1), short(data))
    r.check(
        "CheckSecrets warnings: a list of texts",
        isinstance(data.get("warnings"), list) and all(isinstance(w, str) for w in data.get("warnings")),
        short(data),
    )
    strong_value = secrets.token_urlsafe(24) + "!Aa9"
    strong = check_strength(c, strong_value).data or {}
    r.equal(
        "CheckSecrets of 36 random characters: STRONG, score 4",
        (strong.get("strength"), strong.get("score")),
        ("STRONG", 4),
    )
    unique_weak = "aaaaaaaa" + secrets.token_hex(2)
    t.values += [strong_value, unique_weak]  # "password" is a word a log may hold for other reasons
    mid = check_strength(c, unique_weak).data or {}
    r.check(
        "CheckSecrets data.score is 0-4 and strength one of three",
        mid.get("score") in range(5) and mid.get("strength") in ("WEAK", "MEDIUM", "STRONG"),
        short(mid),
    )
    expect_refusal(r, "CheckSecrets type duplicate", 400, "CSMS.0002", lambda: check_strength(c, "x", kind="duplicate"))
    made = create(c, "api-weak-stored", string="password").secret
    r.equal("with checking on, a weak value is still stored (warn, never refuse)", made.name, "api-weak-stored")
    off = c.update_secrets_config(
        csms.UpdateSecretsConfigRequest(body=csms.UpdateSecretsConfigRequestBody(checking_secret_strength=False))
    )
    r.equal("UpdateSecretsConfig false answers false", raw(off), {"checking_secret_strength": False})


def cloud_only(t):
    """Huawei Cloud's own operations: truthful empty reads, refused writes."""
    r, c = t.report, t.client
    grants = c.list_grants(csms.ListGrantsRequest(resource_id=show(c, "api-record-plain").id))
    r.equal('ListGrants: {"data": {"grantee_user": []}}', raw(grants), {"data": {"grantee_user": []}})
    r.equal("ListGrants through the model: data.grantee_user []", grants.data.grantee_user, [])
    users = c.list_users(csms.ListUsersRequest(offset=0, limit=10))
    r.equal('ListUsers: {"total": 0, "users": []}', raw(users), {"total": 0, "users": []})
    r.equal("ListUsers through the model", (users.total, users.users), (0, []))
    agency = c.show_agency(csms.ShowAgencyRequest(secret_type="RDS-FG"))
    r.equal('ShowAgency: {"agency_granted": "false"}', raw(agency), {"agency_granted": "false"})
    templates = c.show_secret_function_templates(
        csms.ShowSecretFunctionTemplatesRequest(secret_type="RDS-FG", secret_sub_type="SingleUser", engine="mysql")
    )
    r.equal('ShowSecretFunctionTemplates: {"function_templates": "[]"}', raw(templates), {"function_templates": "[]"})
    expect_refusal(
        r,
        "ShowUserDetail",
        400,
        "CSMS.0005",
        lambda: c.show_user_detail(csms.ShowUserDetailRequest(user_id="user-0001")),
    )
    grant = csms.GrantSecretReqBody(
        resource_id="api-resource", type="SECRET", grantee_type="0", grantee_target_id="user-0001"
    )
    writes = (
        ("CreateGrants", lambda: c.create_grants(csms.CreateGrantsRequest(body=grant))),
        ("UpdateGrant", lambda: c.update_grant(csms.UpdateGrantRequest(resource_id="api-resource", body=grant))),
        (
            "DeleteGrant",
            lambda: c.delete_grant(csms.DeleteGrantRequest(resource_id="api-resource", grantee_user="user-0001")),
        ),
        (
            "CreateAgency",
            lambda: c.create_agency(csms.CreateAgencyRequest(body=csms.CreateAgencyRequestBody(secret_type="RDS-FG"))),
        ),
        (
            "UpdateUserPassword",
            lambda: c.update_user_password(
                csms.UpdateUserPasswordRequest(
                    body=csms.ChangeUsersPassword(old_password="api-old-pw", password="api-new-pw")
                )
            ),
        ),
    )
    for name, call in writes:
        got = refusal_of(call)
        r.check(
            f"{name} -> 400 CSMS.0003 saying it belongs to the cloud, not a local vault",
            got is not None
            and got[:2] == (400, "CSMS.0003")
            and re.search(r"belongs to (Huawei )?Cloud", got[2], re.I) is not None
            and "local" in got[2],
            short(got),
        )
    t.values += ["api-old-pw", "api-new-pw"]


def iam_lookup(t):
    """BasicCredentials(ak, sk) with no project id: the SDK asks serve's IAM lookup for it."""
    r = t.report
    credentials = BasicCredentials(t.ak, t.sk).with_iam_endpoint(t.endpoint)
    config = HttpConfig.get_default_config()
    config.timeout = (10, 60)
    client = (
        CsmsClient.new_builder()
        .with_http_config(config)
        .with_credentials(credentials)
        .with_region(Region("api-region-1", t.endpoint))  # a region makes the SDK look the project up
        .build()
    )
    r.equal(
        "no project id + with_iam_endpoint: the SDK found the vault's project", credentials.project_id, t.project_id
    )
    made = create(client, "api-iam", string="through IAM ✓").secret
    r.equal(
        "a real CSMS call through it (CreateSecret), read back by the other client",
        value(t.client, "api-iam").secret_string,
        "through IAM ✓",
    )
    r.equal("ShowSecret through it", show(client, "api-iam").id, made.id)

    lookup = t.client.call_api(
        "/v3/projects",
        "GET",
        query_params=[("name", "api-region-1")],
        header_params={"Content-Type": JSON_UTF8},
        response_type=RawResponse,
    )
    body = raw(lookup) or {}
    projects = body.get("projects") or [{}]
    p = projects[0]
    r.equal("GET /v3/projects?name=api-region-1: one project", len(body.get("projects") or []), 1)
    r.equal(
        "the project: id, name, enabled, is_domain, description",
        (p.get("id"), p.get("name"), p.get("enabled"), p.get("is_domain"), p.get("description")),
        (t.project_id, "api-region-1", True, False, ""),
    )
    r.check(
        "the project: domain_id is stable text and parent_id the same",
        isinstance(p.get("domain_id"), str) and p.get("domain_id") and p.get("parent_id") == p.get("domain_id"),
        short(p),
    )
    r.check(
        "links.self is there", isinstance(body.get("links"), dict) and "self" in body["links"], short(body.get("links"))
    )

    unfilled = (
        CsmsClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials(t.ak, t.sk))
        .with_endpoint(t.endpoint)  # no region: nothing is looked up and {project_id} goes out as it is
        .build()
    )
    expect_refusal(
        r, "no project id and no region: {project_id} unfilled", 400, "CSMS.0003", lambda: list_secrets(unfilled)
    )
    try:
        (
            CsmsClient.new_builder()
            .with_credentials(BasicCredentials(t.ak, t.sk + "x").with_iam_endpoint(t.endpoint))
            .with_region(Region("api-region-bad-sk", t.endpoint))
            .build()
        )
        r.check("a lookup signed with a wrong SK fails the build", False, "the build succeeded")
    except SdkException as err:
        r.check(
            "a lookup signed with a wrong SK fails the build (401 from serve)",
            "401" in str(err) or "APIGW.0301" in str(err),
            short(str(err)),
        )


def log_hygiene(t):
    r = t.report
    time.sleep(0.3)
    log = Path(t.server.log_path).read_text("utf-8", "replace")
    leaked = [short(v, 40) for v in t.values if v and len(v) >= 8 and v in log]
    if t.sk in log:
        leaked.append("the SK")
    if PASSPHRASE in log:
        leaked.append("the passphrase")
    r.check("the serve log holds no value, checked text, password, SK or passphrase", not leaked, short(leaked))


def coverage(r):
    print("== every CsmsClient operation was called", flush=True)
    r.equal(
        f"CsmsClient (huaweicloudsdkcsms) has {SDK_OPERATION_COUNT} operations", len(OPERATIONS), SDK_OPERATION_COUNT
    )
    never = [op for op in OPERATIONS if CALLS[op]["called"] == 0]
    r.check(
        f"all {len(OPERATIONS)} operations were called by this script", not never, f"never called: {', '.join(never)}"
    )
    refused_by_design = {
        "create_grants",
        "update_grant",
        "delete_grant",
        "create_agency",
        "update_user_password",
        "show_user_detail",
    }
    unanswered = [op for op in OPERATIONS if op not in refused_by_design and CALLS[op]["answered"] == 0]
    r.check(
        "every operation the contract serves answered at least once without an error",
        not unanswered,
        f"never answered: {', '.join(unanswered)}",
    )


def main():
    binary = binary_from_argv("csms_sdk_api.py")

    report = Report()
    with tempfile.TemporaryDirectory(prefix="csvault-sdk-api-") as tmp_name:
        tmp = Path(tmp_name)
        home = tmp / "home"
        home.mkdir()
        vault = tmp / "vault.db"
        env = clean_env(home)
        init_vault(binary, vault, env)
        server = Server(binary, vault, env, tmp / "serve.log")
        t = Context(report, binary, tmp, home, vault, env, server)
        try:
            info = server.start()
            print(f"== serve: {info.get('listening')} (log {server.log_path})", flush=True)
            t.endpoint, t.project_id = info["listening"], info["project_id"]
            t.ak, t.sk = info["access_key"], info["secret_key"]
            t.client = make_client(t.endpoint, t.ak, t.sk, t.project_id)

            report.area("the Secret record: every field, defaults, rules, UpdateSecret", secret_record, t)
            report.area("the operations served before issue 14", existing_operations, t)
            report.area("tags", tags, t)
            report.area("ListResourceInstances (filter, count)", resource_instances, t)
            report.area("events, subscriptions, ListSecrets event_name, notification records", events, t)
            report.area("backup blobs carry the whole record", blob_whole_record, t)
            report.area("RotateSecret and ListSecretTask", rotation, t)
            report.area("Show/UpdateSecretsConfig and CheckSecrets", checks, t)
            report.area("the cloud-only operations", cloud_only, t)
            report.area("a client without a project id (IAM project lookup)", iam_lookup, t)
            report.area("the serve log", log_hygiene, t)
            report.equal("SIGTERM stops serve with exit code 0", server.stop(), 0)
        except Exception as err:  # noqa: BLE001 - the server did not come up: that is a failure
            report.check("serve started and answered", False, f"{type(err).__name__}: {err}")
            traceback.print_exc(limit=4)
        finally:
            server.kill()
            if report.failures and server.proc:
                print(f"-- serve log tail:\n{server.log_tail(20)}", flush=True)

    print("== loopback only", flush=True)
    report.check("the SDK resolved no host off loopback", not OUTBOUND_ATTEMPTS, short(OUTBOUND_ATTEMPTS))
    report.check(
        "nothing went to the proxy (no IAM, metadata or other remote call)",
        not PROXY_TRAP.requests,
        short(PROXY_TRAP.requests),
    )
    coverage(report)

    if report.failures:
        print("\nFailures:", *report.failures, sep="\n  ", flush=True)
    print(f"\n{report.passed} passed, {len(report.failures)} failed", flush=True)
    sys.exit(1 if report.failures else 0)


if __name__ == "__main__":
    main()
