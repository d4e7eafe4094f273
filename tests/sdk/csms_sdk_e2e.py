#!/usr/bin/env python3
"""End-to-end test of `csvault serve` through Huawei Cloud's official Python SDK.

    python tests/sdk/csms_sdk_e2e.py target/debug/csvault      (or CSVAULT_BIN=... python ...)

Needs the packages of tests/sdk/requirements.txt and the `openssl` command. Everything happens in a
temporary directory (vaults, HOME, TLS certificate) and on loopback: every proxy variable names a
loopback trap that records what reaches it, only loopback bypasses it, and any name resolution off
loopback is refused and counted. The SDK must send nothing to either.

Each check prints one line, `ok` or `FAIL`; the run ends with `N passed, N failed` and exits 1 when
anything failed. An area that raises unexpectedly counts as a failure and the next area still runs.
"""

import base64
import ipaddress
import json
import logging
import os
import queue
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from http.client import HTTPConnection
from pathlib import Path


class ProxyTrap:
    """A loopback listener standing in as HTTP(S)_PROXY: it records what reaches it and answers nothing."""

    def __init__(self):
        self.requests = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            conn, _ = self._sock.accept()
            with conn:
                conn.settimeout(2)
                try:
                    self.requests.append(conn.recv(200).split(b"\r\n", 1)[0].decode("latin-1"))
                except OSError:
                    self.requests.append("(connection without a request line)")


# Loopback only, before the SDK (and requests) are imported: every proxy variable names the trap, and
# only loopback bypasses it (with NO_PROXY empty, requests would send loopback calls to it too).
PROXY_TRAP = ProxyTrap()
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ[_name] = PROXY_TRAP.url
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost,::1"

from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402
from huaweicloudsdkcore.exceptions.exceptions import (  # noqa: E402
    ClientRequestException,
    SdkException,
    ServiceResponseException,
    SslHandShakeException,
)
from huaweicloudsdkcore.http.http_config import HttpConfig  # noqa: E402
from huaweicloudsdkcore.region.region import Region  # noqa: E402
from huaweicloudsdkcore.sdk_response import SdkResponse  # noqa: E402
from huaweicloudsdkcsms.v1 import CsmsClient  # noqa: E402
from huaweicloudsdkcsms.v1 import model as csms  # noqa: E402

# The SDK logs expected failures (the refused TLS handshake) to stderr through logging's last resort.
logging.getLogger("HuaweiCloud-SDK-CsmsClient").addHandler(logging.NullHandler())

PASSPHRASE = "e2e-sdk-passphrase-0123"
MAX_VALUE = 32_768
STARTUP_TIMEOUT = 120
JSON_UTF8 = "application/json;charset=UTF-8"

# Values the server must never write to its log.
UNICODE_VALUE = "密码 🔑 パスワード — ünïcödé ✓"
UNICODE_DESCRIPTION = "数据库密码 🚀 Ünïcode"


# ---------------------------------------------------------------------------------------------
# And for anything that would bypass the proxy: no name resolution off loopback.

OUTBOUND_ATTEMPTS = []
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback(host):
    if host in (None, "localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _loopback_only_getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if not _is_loopback(name):
        OUTBOUND_ATTEMPTS.append(name)
        raise socket.gaierror(socket.EAI_NONAME, f"e2e test: {name} is not loopback")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_only_getaddrinfo


# ---------------------------------------------------------------------------------------------
# Reporting


def short(value, limit=160):
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


class Report:
    def __init__(self):
        self.passed = 0
        self.failures = []
        self._lock = threading.Lock()

    def check(self, label, ok, detail=""):
        with self._lock:
            if ok:
                self.passed += 1
                print(f"  ok    {label}", flush=True)
            else:
                self.failures.append(f"{label}: {detail}")
                print(f"  FAIL  {label} -- {detail}", flush=True)
        return ok

    def equal(self, label, got, want):
        return self.check(label, got == want, f"expected {short(want)}, got {short(got)}")

    def expect_error(self, label, status, codes, call):
        """`call` must raise ClientRequestException with this HTTP status and error code."""
        codes = (codes,) if isinstance(codes, str) else tuple(codes)
        want = f"{status} {'/'.join(codes)}"
        try:
            result = call()
        except ClientRequestException as err:
            got = (err.status_code, err.error_code)
            return self.check(
                f"{label} -> {want}",
                err.status_code == status and err.error_code in codes and bool(err.error_msg),
                f"got {got[0]} {got[1]} {short(err.error_msg)}",
            )
        except ServiceResponseException as err:
            return self.check(
                f"{label} -> {want}",
                False,
                f"got {type(err).__name__} {err.status_code} {err.error_code} {short(err.error_msg)}",
            )
        except SdkException as err:
            return self.check(f"{label} -> {want}", False, f"got {type(err).__name__}: {short(str(err))}")
        return self.check(f"{label} -> {want}", False, f"the call succeeded: {short(result)}")

    def area(self, title, run, *args):
        print(f"== {title}", flush=True)
        try:
            run(*args)
        except Exception as err:  # noqa: BLE001 - any surprise is a failure of this area
            detail = f"{type(err).__name__}: {err}"
            if isinstance(err, ServiceResponseException):
                detail = f"{type(err).__name__} {err.status_code} {err.error_code} {short(err.error_msg)}"
            self.check(f"{title}: ran to the end", False, detail)
            traceback.print_exc(limit=4)


# ---------------------------------------------------------------------------------------------
# The csvault process


def clean_env(home, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CSVAULT_", "XDG_"))}
    env.update(HOME=str(home), CSVAULT_PASSPHRASE=PASSPHRASE, **extra)
    return env


def run_csvault(binary, vault, env, *args):
    """`csvault --vault VAULT ARGS...` to completion, without a terminal."""
    return subprocess.run(
        [binary, "--vault", str(vault), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def init_vault(binary, vault, env):
    done = run_csvault(binary, vault, env, "init")
    if done.returncode != 0:
        raise RuntimeError(f"csvault init failed ({done.returncode}): {done.stderr.strip()}")


class Server:
    """`csvault serve` on a free loopback port; `info` is its first stdout line, parsed."""

    def __init__(self, binary, vault, env, log_path, extra_args=()):
        self.args = [binary, "--vault", str(vault), "serve", "--listen", "127.0.0.1:0", *extra_args]
        self.env = env
        self.log_path = log_path
        self.proc = None
        self.info = None
        self.first_line = None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.args, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log
            )
        lines = queue.Queue()

        def pump():
            for raw in self.proc.stdout:
                lines.put(raw)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        try:
            first = lines.get(timeout=STARTUP_TIMEOUT)
        except queue.Empty:
            self.kill()
            raise RuntimeError(f"serve printed nothing in {STARTUP_TIMEOUT} s; log: {self.log_tail()}") from None
        if first is None:
            code = self.proc.wait()
            raise RuntimeError(f"serve exited with {code} before its first line; log: {self.log_tail()}")
        self.first_line = first.decode("utf-8", "replace")
        self.info = json.loads(self.first_line)
        return self.info

    def stop(self, signum=signal.SIGTERM, timeout=40):
        """Signals serve; returns its exit code (None if it did not exit in time, then it is killed)."""
        self.proc.send_signal(signum)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, lines=15):
        text = Path(self.log_path).read_text("utf-8", "replace")
        return "\n".join(text.splitlines()[-lines:])


def make_client(endpoint, ak, sk, project_id, ca_cert=None):
    """The SDK's own way: BasicCredentials with a project id, an explicit endpoint, an HttpConfig."""
    config = HttpConfig.get_default_config()
    config.timeout = (10, 60)
    if ca_cert:
        config.ssl_ca_cert = ca_cert
    return (
        CsmsClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials(ak, sk, project_id))
        .with_endpoint(endpoint)
        .build()
    )


# ---------------------------------------------------------------------------------------------
# Calls the SDK has no model for go through CsmsClient.call_api, the SDK's generic machinery
# (signed like every other call); the response type is a small SdkResponse in the SDK's style.


class BatchGetSecretValueResponse(SdkResponse):
    openapi_types = {"versions": "list[Version]", "total_count": "int"}
    attribute_map = {"versions": "versions", "total_count": "total_count"}

    def __init__(self, versions=None, total_count=None):
        super().__init__()
        self.versions = versions
        self.total_count = total_count


class RawResponse(SdkResponse):
    """Any answer; the caller reads status_code / raw_content."""

    openapi_types = {}
    attribute_map = {}


def batch_get_secret_value(client, names):
    return client.call_api(
        "/v1/{project_id}/secrets/batch-get-secret-value",
        "POST",
        header_params={"Content-Type": JSON_UTF8},
        body={"secret_name_list": names},
        response_type=BatchGetSecretValueResponse,
    )


def raw_call(client, method, path, body=None):
    return client.call_api(
        path, method, header_params={"Content-Type": JSON_UTF8}, body=body, response_type=RawResponse
    )


# ---------------------------------------------------------------------------------------------
# Small helpers over the SDK's request models


def create(client, name, string=None, binary=None, description=None):
    body = csms.CreateSecretRequestBody(name=name, secret_string=string, secret_binary=binary, description=description)
    return client.create_secret(csms.CreateSecretRequest(body=body)).secret


def new_version(client, name, string=None, binary=None, stages=None):
    body = csms.CreateSecretVersionRequestBody(secret_string=string, secret_binary=binary, version_stages=stages)
    return client.create_secret_version(csms.CreateSecretVersionRequest(secret_name=name, body=body)).version_metadata


def show(client, name):
    return client.show_secret(csms.ShowSecretRequest(secret_name=name)).secret


def version(client, name, version_id="latest"):
    return client.show_secret_version(csms.ShowSecretVersionRequest(secret_name=name, version_id=version_id)).version


def stage(client, name, stage_name):
    return client.show_secret_stage(csms.ShowSecretStageRequest(secret_name=name, stage_name=stage_name)).stage


def set_stage(client, name, stage_name, version_id):
    body = csms.UpdateSecretStageRequestBody(version_id=version_id)
    return client.update_secret_stage(
        csms.UpdateSecretStageRequest(secret_name=name, stage_name=stage_name, body=body)
    ).stage


def delete(client, name):
    return client.delete_secret(csms.DeleteSecretRequest(secret_name=name))


def list_page(client, limit=None, marker=None):
    limit = None if limit is None else str(limit)  # the SDK models ListSecrets' limit as a string
    return client.list_secrets(csms.ListSecretsRequest(limit=limit, marker=marker))


def list_versions(client, name, limit=None, marker=None):
    return client.list_secret_versions(csms.ListSecretVersionsRequest(secret_name=name, limit=limit, marker=marker))


def schedule_delete(client, name, days=None):
    body = csms.DeleteSecretForScheduleRequestBody(recovery_window_in_days=days)
    return client.delete_secret_for_schedule(csms.DeleteSecretForScheduleRequest(secret_name=name, body=body)).secret


def restore(client, name):
    return client.restore_secret(csms.RestoreSecretRequest(secret_name=name)).secret


def password(client, **options):
    body = csms.CreatePasswordRequestBody(**options)
    return client.generate_random_password(csms.GenerateRandomPasswordRequest(body=body)).password


def b64(data):
    return base64.b64encode(data).decode("ascii")


def now_ms():
    return int(time.time() * 1000)


def is_epoch_ms_near_now(value, slack_ms=10 * 60 * 1000):
    return isinstance(value, int) and 10**12 <= value < 10**13 and abs(value - now_ms()) <= slack_ms


# ---------------------------------------------------------------------------------------------
# Areas. Each takes the context `t` (client, report, server info, temp dir).


class Context:
    def __init__(self, report, binary, tmp, home):
        self.report = report
        self.binary = binary
        self.tmp = tmp
        self.home = home
        self.client = None
        self.endpoint = None
        self.ak = self.sk = self.project_id = None
        self.values = {}  # secret name -> plaintext expected at SYSCURRENT, checked after restart


def startup_line(t, info):
    r = t.report
    r.check(
        "first line has listening/project_id/access_key/secret_key",
        {"listening", "project_id", "access_key", "secret_key"} <= set(info),
        short(info),
    )
    r.check(
        "listening is http://127.0.0.1:PORT",
        bool(re.fullmatch(r"http://127\.0\.0\.1:\d+", str(info.get("listening")))),
        short(info.get("listening")),
    )
    r.check(
        "project_id is 32 hex digits",
        bool(re.fullmatch(r"[0-9a-f]{32}", str(info.get("project_id")))),
        short(info.get("project_id")),
    )
    r.check(
        "access_key and secret_key are non-empty strings",
        all(isinstance(info.get(k), str) and info.get(k) for k in ("access_key", "secret_key")),
        short(info),
    )


def paging(t):
    """Runs first, on the empty vault, so the listing is exactly the 120 secrets made here."""
    r, c = t.report, t.client
    prefixes = ["a", "Z", "_", "0", "-", "A", ".", "z"]  # byte order: - . 0 A Z _ a z
    names = [f"{prefixes[i % len(prefixes)]}pg{i:03d}" for i in range(120)]
    for name in names:
        create(c, name, string=f"paging value {name}")
    r.check("created 120 secrets", True)
    expected = sorted(names, key=lambda n: n.encode())

    first = list_page(c)
    r.equal("ListSecrets without limit returns the default 50", len(first.secrets), 50)

    seen, sizes, marker = [], [], None
    for _ in range(10):
        page = list_page(c, limit=50, marker=marker)
        sizes.append(len(page.secrets))
        seen += [s.name for s in page.secrets]
        r.equal(f"page {len(sizes)} page_info.current_count", page.page_info.current_count, len(page.secrets))
        marker = page.page_info.next_marker
        if marker is None:
            break
    r.equal("limit 50 over 120 secrets gives pages of", sizes, [50, 50, 20])
    r.equal("every name seen once, in byte order", seen, expected)

    whole = list_page(c, limit=1000)
    r.check(
        "limit 1000 returns all 120 with next_marker null",
        [s.name for s in whole.secrets] == expected and whole.page_info.next_marker is None,
        f"{len(whole.secrets)} secrets, next_marker {whole.page_info.next_marker!r}",
    )
    after_m = list_page(c, limit=50, marker="M")
    r.equal(
        "marker need not exist (marker 'M')", [s.name for s in after_m.secrets], [n for n in expected if n > "M"][:50]
    )
    r.equal("marker '' is the first page", [s.name for s in list_page(c, limit=3, marker="").secrets], expected[:3])

    for bad in (0, 1001, -1):
        r.expect_error(f"ListSecrets limit {bad}", 400, "CSMS.0002", lambda b=bad: list_page(c, limit=b))

    statuses = {delete(c, name).status_code for name in names}
    r.equal("DeleteSecret answers 204 (120 deletes)", statuses, {204})
    r.equal("the vault lists nothing after the deletes", list_page(c, limit=1000).secrets, [])


def lifecycle(t):
    r, c = t.report, t.client
    name = "e2e-lifecycle"
    s = create(c, name, string=UNICODE_VALUE, description=UNICODE_DESCRIPTION)
    r.equal("CreateSecret: name", s.name, name)
    r.equal("CreateSecret: state ENABLED", s.state, "ENABLED")
    r.equal("CreateSecret: secret_type COMMON", s.secret_type, "COMMON")
    r.equal("CreateSecret: unicode description", s.description, UNICODE_DESCRIPTION)
    r.check("CreateSecret: id is a UUID v4", _is_uuid4(s.id), short(s.id))
    r.check("CreateSecret: kms_key_id is a UUID", _is_uuid(s.kms_key_id), short(s.kms_key_id))
    r.check(
        "CreateSecret: create_time/update_time in epoch ms",
        is_epoch_ms_near_now(s.create_time) and is_epoch_ms_near_now(s.update_time),
        f"{s.create_time} {s.update_time}",
    )
    r.equal("CreateSecret: scheduled_delete_time null", s.scheduled_delete_time, None)

    shown = show(c, name)
    r.equal(
        "ShowSecret returns the created record",
        (shown.id, shown.name, shown.description, shown.state),
        (s.id, name, UNICODE_DESCRIPTION, "ENABLED"),
    )

    v = version(c, name)
    r.equal("ShowSecretVersion latest: unicode secret_string", v.secret_string, UNICODE_VALUE)
    r.equal(
        "ShowSecretVersion latest: v1 with [SYSCURRENT]",
        (v.version_metadata.id, v.version_metadata.version_stages, v.version_metadata.secret_name),
        ("v1", ["SYSCURRENT"], name),
    )
    r.equal("ShowSecretVersion latest: no secret_binary", v.secret_binary, None)

    time.sleep(0.01)
    updated = c.update_secret(
        csms.UpdateSecretRequest(secret_name=name, body=csms.UpdateSecretRequestBody(description=""))
    ).secret
    r.equal("UpdateSecret description '' clears it", updated.description, "")
    r.check(
        "UpdateSecret moves update_time",
        updated.update_time > s.update_time,
        f"{s.update_time} -> {updated.update_time}",
    )
    c.update_secret(
        csms.UpdateSecretRequest(secret_name=name, body=csms.UpdateSecretRequestBody(description=UNICODE_DESCRIPTION))
    )
    r.equal("UpdateSecret sets a unicode description", show(c, name).description, UNICODE_DESCRIPTION)

    v2 = new_version(c, name, string="second value")
    r.equal(
        "CreateSecretVersion: v2 takes SYSCURRENT",
        (v2.id, v2.version_stages, v2.secret_name),
        ("v2", ["SYSCURRENT"], name),
    )
    r.equal("v1 now carries SYSPREVIOUS", version(c, name, "v1").version_metadata.version_stages, ["SYSPREVIOUS"])
    r.equal("ShowSecretVersion v1 still has the first value", version(c, name, "v1").secret_string, UNICODE_VALUE)
    r.equal("latest is the v2 value", version(c, name).secret_string, "second value")

    v3 = new_version(c, name, string="staged value", stages=["STAGED"])
    r.equal(
        "CreateSecretVersion with version_stages: v3 carries only them", (v3.id, v3.version_stages), ("v3", ["STAGED"])
    )
    r.equal("SYSCURRENT stays on v2", stage(c, name, "SYSCURRENT").version_id, "v2")

    listed = list_versions(c, name)
    r.equal("ListSecretVersions in creation order", [m.id for m in listed.version_metadatas], ["v1", "v2", "v3"])
    ids, marker = [], None
    for _ in range(5):
        page = list_versions(c, name, limit=2, marker=marker)
        ids.append([m.id for m in page.version_metadatas])
        marker = page.page_info.next_marker
        if marker is None:
            break
    r.equal("ListSecretVersions limit 2 pages", ids, [["v1", "v2"], ["v3"]])

    expire = now_ms() + 86_400_000
    meta = c.update_version(
        csms.UpdateVersionRequest(
            secret_name=name, version_id="v1", body=csms.UpdateVersionRequestBody(expire_time=expire)
        )
    ).version_metadata
    r.equal("UpdateVersion sets expire_time", (meta.id, meta.expire_time), ("v1", expire))
    r.equal("ShowSecretVersion v1 shows expire_time", version(c, name, "v1").version_metadata.expire_time, expire)

    st = stage(c, name, "STAGED")
    r.equal("ShowSecretStage STAGED", (st.name, st.version_id, st.secret_name), ("STAGED", "v3", name))
    r.check("ShowSecretStage update_time in epoch ms", is_epoch_ms_near_now(st.update_time), short(st.update_time))
    r.equal("UpdateSecretStage moves STAGED to v1", set_stage(c, name, "STAGED", "v1").version_id, "v1")
    r.equal("ShowSecretStage sees the move", stage(c, name, "STAGED").version_id, "v1")
    r.equal("UpdateSecretStage SYSCURRENT -> v3", set_stage(c, name, "SYSCURRENT", "v3").version_id, "v3")
    r.equal("SYSPREVIOUS followed to v2", stage(c, name, "SYSPREVIOUS").version_id, "v2")
    r.equal("latest is now the v3 value", version(c, name).secret_string, "staged value")

    gone = c.delete_secret_stage(csms.DeleteSecretStageRequest(secret_name=name, stage_name="STAGED"))
    r.equal("DeleteSecretStage answers 204", gone.status_code, 204)
    r.expect_error("ShowSecretStage of the deleted stage", 400, "CSMS.0005", lambda: stage(c, name, "STAGED"))
    for fixed in ("SYSCURRENT", "SYSPREVIOUS"):
        r.expect_error(
            f"DeleteSecretStage {fixed}",
            400,
            "CSMS.0105",
            lambda f=fixed: c.delete_secret_stage(csms.DeleteSecretStageRequest(secret_name=name, stage_name=f)),
        )

    for i in range(10):  # SYSCURRENT + SYSPREVIOUS + 10 = the quota of 12
        set_stage(c, name, f"S{i}", "v1")
    r.check("12 stages on one secret are accepted", True)
    r.equal("moving an existing stage is no add", set_stage(c, name, "S0", "v2").version_id, "v2")
    r.expect_error("a 13th stage", 400, "CSMS.0203", lambda: set_stage(c, name, "S10", "v1"))
    r.expect_error("UpdateSecretStage to a missing version", 400, "CSMS.0005", lambda: set_stage(c, name, "S1", "v99"))
    r.expect_error(
        "UpdateSecretStage with a bad stage name", 400, "CSMS.0002", lambda: set_stage(c, name, "bad stage!", "v1")
    )
    t.values[name] = "staged value"


def version_limit(t):
    """At most 20 versions: each one past that removes the oldest version without a stage."""
    r, c = t.report, t.client
    name = "e2e-versions"
    create(c, name, string="value 1")
    for n in range(2, 23):
        new_version(c, name, string=f"value {n}")
    ids, marker = [], None
    for _ in range(10):
        page = list_versions(c, name, limit=7, marker=marker)
        ids += [m.id for m in page.version_metadatas]
        marker = page.page_info.next_marker
        if marker is None:
            break
    r.equal("22 versions made, 20 kept (v1, v2 dropped), paged 7 at a time", ids, [f"v{n}" for n in range(3, 23)])
    r.expect_error("ShowSecretVersion of the dropped v1", 400, "CSMS.0005", lambda: version(c, name, "v1"))
    r.equal(
        "v21 is SYSPREVIOUS, v22 is latest",
        (stage(c, name, "SYSPREVIOUS").version_id, version(c, name).secret_string),
        ("v21", "value 22"),
    )


def schedule_and_restore(t):
    r, c = t.report, t.client
    name = "e2e-pending"
    create(c, name, string="pending value")

    pending = schedule_delete(c, name, days=7)
    r.equal("DeleteSecretForSchedule: PENDING_DELETE", pending.state, "PENDING_DELETE")
    r.check(
        "scheduled_delete_time = now + 7 days (ms)",
        isinstance(pending.scheduled_delete_time, int)
        and abs(pending.scheduled_delete_time - (now_ms() + 7 * 86_400_000)) < 10 * 60 * 1000,
        short(pending.scheduled_delete_time),
    )
    r.equal("ShowSecret sees PENDING_DELETE", show(c, name).state, "PENDING_DELETE")
    r.check("a pending secret is still listed", name in [s.name for s in list_page(c, limit=1000).secrets])
    r.expect_error("ShowSecretVersion of a pending secret", 403, "CSMS.0109", lambda: version(c, name))
    r.expect_error(
        "CreateSecretVersion on a pending secret", 403, "CSMS.0109", lambda: new_version(c, name, string="x")
    )
    r.expect_error(
        "UpdateVersion on a pending secret",
        403,
        "CSMS.0109",
        lambda: c.update_version(
            csms.UpdateVersionRequest(
                secret_name=name, version_id="v1", body=csms.UpdateVersionRequestBody(expire_time=now_ms())
            )
        ),
    )
    r.expect_error(
        "UpdateSecret on a pending secret",
        400,
        "CSMS.0103",
        lambda: c.update_secret(
            csms.UpdateSecretRequest(secret_name=name, body=csms.UpdateSecretRequestBody(description="x"))
        ),
    )
    r.expect_error("UpdateSecretStage on a pending secret", 400, "CSMS.0103", lambda: set_stage(c, name, "X", "v1"))
    r.expect_error("scheduling it again", 400, "CSMS.0107", lambda: schedule_delete(c, name, days=7))
    r.expect_error("CreateSecret with its name", 400, "CSMS.0002", lambda: create(c, name, string="x"))

    restored = restore(c, name)
    r.equal(
        "RestoreSecret: ENABLED, scheduled_delete_time null",
        (restored.state, restored.scheduled_delete_time),
        ("ENABLED", None),
    )
    r.equal("the value reads again", version(c, name).secret_string, "pending value")
    r.expect_error("RestoreSecret of a secret that is not pending", 400, "CSMS.0108", lambda: restore(c, name))
    for days in (6, 31):
        r.expect_error(
            f"recovery_window_in_days {days}", 400, "CSMS.0002", lambda d=days: schedule_delete(c, name, days=d)
        )

    default = schedule_delete(c, name)  # body {} : the window defaults to 30 days
    r.check(
        "an absent recovery window defaults to 30 days",
        isinstance(default.scheduled_delete_time, int)
        and abs(default.scheduled_delete_time - (now_ms() + 30 * 86_400_000)) < 10 * 60 * 1000,
        short(default.scheduled_delete_time),
    )
    restore(c, name)
    r.expect_error(
        "DeleteSecretForSchedule of a missing secret", 400, "CSMS.0106", lambda: schedule_delete(c, "e2e-nope", 7)
    )
    r.expect_error("RestoreSecret of a missing secret", 400, "CSMS.0106", lambda: restore(c, "e2e-nope"))
    t.values[name] = "pending value"


def backup_blob(t):
    r, c = t.report, t.client
    name = "e2e-blob"
    plain = "blob plaintext ÆØÅ 🔒 " + secrets.token_hex(8)
    before = create(c, name, string=plain, description="blob description")
    new_version(c, name, binary=b64(b"\x00\x01second\x00"))
    new_version(c, name, string="third", stages=["KEEP"])

    blob = c.download_secret_blob(csms.DownloadSecretBlobRequest(secret_name=name)).secret_blob
    # The README's format: `csvb1.` + base64url without padding.
    blob_form = re.fullmatch(r"csvb1\.([A-Za-z0-9_-]+)", blob or "")
    r.check("DownloadSecretBlob returns csvb1. + base64url", bool(blob_form), short(blob))
    payload = blob_form.group(1) if blob_form else ""
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    leaks = [
        form
        for form in (plain.encode(), b64(plain.encode()).encode(), b"second", b"third")
        if form in decoded or form in blob.encode()
    ]
    r.check("no value appears in the blob", not leaks, short(leaks))

    def upload(text):
        body = csms.UploadSecretBlobRequestBody(secret_blob=text)
        return c.upload_secret_blob(csms.UploadSecretBlobRequest(body=body)).secret

    r.expect_error("UploadSecretBlob while the name exists", 400, ("CSMS.0002", "CSMS.0004"), lambda: upload(blob))
    r.equal("DeleteSecret answers 204", delete(c, name).status_code, 204)
    r.expect_error("ShowSecret after DeleteSecret", 400, "CSMS.0106", lambda: show(c, name))
    r.expect_error("DeleteSecret of a missing secret", 400, "CSMS.0106", lambda: delete(c, name))

    middle = len(blob) // 2
    tampered = blob[:middle] + ("A" if blob[middle] != "A" else "B") + blob[middle + 1 :]
    r.expect_error(
        "UploadSecretBlob with a changed character", 400, ("CSMS.0002", "CSMS.0004"), lambda: upload(tampered)
    )
    r.expect_error("ShowSecret after the refused upload (nothing written)", 400, "CSMS.0106", lambda: show(c, name))

    back = upload(blob)
    r.equal(
        "UploadSecretBlob restores name, id, description, CMK, ENABLED",
        (back.name, back.id, back.description, back.kms_key_id, back.state),
        (name, before.id, "blob description", before.kms_key_id, "ENABLED"),
    )
    r.equal("restored v1 value", version(c, name, "v1").secret_string, plain)
    r.equal("restored v2 binary value", base64.b64decode(version(c, name, "v2").secret_binary), b"\x00\x01second\x00")
    r.equal(
        "restored stages",
        {s: stage(c, name, s).version_id for s in ("SYSCURRENT", "SYSPREVIOUS", "KEEP")},
        {"SYSCURRENT": "v2", "SYSPREVIOUS": "v1", "KEEP": "v3"},
    )
    r.expect_error("UploadSecretBlob of garbage", 400, ("CSMS.0002", "CSMS.0004"), lambda: upload("not-a-blob"))
    r.expect_error(
        "DownloadSecretBlob of a missing secret",
        400,
        "CSMS.0106",
        lambda: c.download_secret_blob(csms.DownloadSecretBlobRequest(secret_name="e2e-nope")),
    )
    t.values[name] = None  # binary at SYSCURRENT; checked above


def values_and_limits(t):
    r, c = t.report, t.client
    raw = bytes(range(256)) * 3 + b"\x00\x00tail\x00"
    create(c, "e2e-binary", binary=b64(raw))
    v = version(c, "e2e-binary")
    r.equal("binary value with NUL bytes round-trips exactly", base64.b64decode(v.secret_binary), raw)
    r.equal("a binary secret has no secret_string", v.secret_string, None)

    create(c, "e2e-empty", string="")
    r.equal("an empty secret_string is a value", version(c, "e2e-empty").secret_string, "")

    exact = "€" * 10_922 + "ab"  # 3 * 10,922 + 2 = 32,768 bytes
    assert len(exact.encode()) == MAX_VALUE
    create(c, "e2e-max-string", string=exact)
    r.equal(
        "secret_string of exactly 32,768 UTF-8 bytes round-trips", version(c, "e2e-max-string").secret_string, exact
    )
    over = "€" * 10_923  # 32,769 bytes, 10,923 characters
    r.expect_error(
        "secret_string of 32,769 bytes (10,923 chars)", 400, "CSMS.0002", lambda: create(c, "e2e-over", string=over)
    )
    r.expect_error(
        "new version of 32,769 bytes", 400, "CSMS.0002", lambda: new_version(c, "e2e-max-string", string=over)
    )

    max_binary = os.urandom(MAX_VALUE // 4 * 3)  # base64: exactly 32,768 characters
    assert len(b64(max_binary)) == MAX_VALUE
    create(c, "e2e-max-binary", binary=b64(max_binary))
    r.equal(
        "secret_binary of exactly 32,768 base64 chars round-trips",
        base64.b64decode(version(c, "e2e-max-binary").secret_binary),
        max_binary,
    )
    r.expect_error(
        "secret_binary of 32,769 chars", 400, "CSMS.0002", lambda: create(c, "e2e-over", binary=b64(max_binary) + "A")
    )
    r.expect_error(
        "secret_binary of 32,772 chars (valid base64)",
        400,
        "CSMS.0002",
        lambda: create(c, "e2e-over", binary=b64(max_binary + b"abc")),
    )
    r.expect_error("secret_binary that is not base64", 400, "CSMS.0002", lambda: create(c, "e2e-over", binary="@@@@"))
    r.expect_error(
        "both secret_string and secret_binary",
        400,
        "CSMS.0002",
        lambda: create(c, "e2e-over", string="a", binary=b64(b"a")),
    )
    r.expect_error("neither secret_string nor secret_binary", 400, "CSMS.0002", lambda: create(c, "e2e-over"))
    r.expect_error(
        "description of 2,049 bytes",
        400,
        "CSMS.0002",
        lambda: create(c, "e2e-over", string="a", description="密" * 683),
    )
    r.expect_error("name with a space", 400, "CSMS.0002", lambda: create(c, "bad name", string="a"))
    r.expect_error("name of 65 characters", 400, "CSMS.0002", lambda: create(c, "n" * 65, string="a"))
    r.expect_error("name in CJK", 400, "CSMS.0002", lambda: create(c, "名字", string="a"))
    r.expect_error("duplicate name", 400, "CSMS.0002", lambda: create(c, "e2e-binary", string="a"))
    r.expect_error(
        "unknown kms_key_id",
        400,
        "CSMS.0401",
        lambda: c.create_secret(
            csms.CreateSecretRequest(
                body=csms.CreateSecretRequestBody(name="e2e-over", secret_string="a", kms_key_id=str(uuid.uuid4()))
            )
        ),
    )
    r.expect_error("ShowSecret of a missing secret", 400, "CSMS.0106", lambda: show(c, "e2e-nope"))
    r.expect_error("ShowSecretVersion v99", 400, "CSMS.0005", lambda: version(c, "e2e-binary", "v99"))
    r.expect_error("ShowSecretStage of a missing stage", 400, "CSMS.0005", lambda: stage(c, "e2e-binary", "NOPE"))
    r.expect_error("ShowSecretVersion of a missing secret", 400, "CSMS.0106", lambda: version(c, "e2e-nope"))
    r.expect_error("ListSecretVersions of a missing secret", 400, "CSMS.0106", lambda: list_versions(c, "e2e-nope"))
    t.values["e2e-max-string"] = exact


def batch_calls(t):
    r, c = t.report, t.client
    create(c, "e2e-batch-a", string="value a ✓")
    create(c, "e2e-batch-b", string="value b")
    new_version(c, "e2e-batch-b", string="value b2")

    got = batch_get_secret_value(c, ["e2e-batch-a", "e2e-batch-b"])
    r.equal("BatchGetSecretValue (call_api): total_count", got.total_count, 2)
    r.equal(
        "BatchGetSecretValue: the SYSCURRENT values",
        sorted((v.version_metadata.secret_name, v.version_metadata.id, v.secret_string) for v in got.versions or []),
        [("e2e-batch-a", "v1", "value a ✓"), ("e2e-batch-b", "v2", "value b2")],
    )
    r.expect_error(
        "BatchGetSecretValue with a missing name",
        400,
        "CSMS.0106",
        lambda: batch_get_secret_value(c, ["e2e-batch-a", "e2e-nope"]),
    )

    bodies = [
        csms.CreateSecretRequestBody(name="e2e-import-1", secret_string="imported 1"),
        csms.CreateSecretRequestBody(name="e2e-import-2", secret_binary=b64(b"\x00imported\x00"), description="二"),
        csms.CreateSecretRequestBody(name="e2e-batch-a", secret_string="clash"),
        csms.CreateSecretRequestBody(name="bad name", secret_string="x"),
        csms.CreateSecretRequestBody(name="e2e-import-3", secret_string="imported 3"),
    ]
    result = c.batch_import_secrets(csms.BatchImportSecretsRequest(body=csms.ImportSecretsRequest(secrets=bodies)))
    r.equal(
        "BatchImportSecrets (SDK model): total/success/failed", (result.total, result.success, result.failed), (5, 3, 2)
    )
    errors = {e.name: e.error_msg for e in result.error_list or []}
    r.check(
        "BatchImportSecrets: error_list names the two failures with messages",
        set(errors) == {"e2e-batch-a", "bad name"} and all(errors.values()),
        short(errors),
    )
    r.equal(
        "imported secrets read back",
        (
            version(c, "e2e-import-1").secret_string,
            base64.b64decode(version(c, "e2e-import-2").secret_binary),
            show(c, "e2e-import-2").description,
            version(c, "e2e-import-3").secret_string,
        ),
        ("imported 1", b"\x00imported\x00", "二", "imported 3"),
    )
    r.equal("the clashing import left the original", version(c, "e2e-batch-a").secret_string, "value a ✓")


def tags(t):
    """The six tag operations of issue 14, through the SDK's own models: secrets named by id."""
    r, c = t.report, t.client
    tagged = create(c, "sdk-tagged", string="v")
    create(c, "sdk-untagged", string="v")
    sid = tagged.id

    def tag_item(key, value):
        return csms.TagItem(key=key, value=value)

    def set_tag(secret_id, key, value):
        body = csms.CreateSecretTagRequestBody(tag=tag_item(key, value))
        return c.create_secret_tag(csms.CreateSecretTagRequest(secret_id=secret_id, body=body))

    def batch(action, items):
        body = csms.BatchCreateOrDeleteTagsRequestBody(action=action, tags=items)
        return c.batch_create_or_delete_tags(csms.BatchCreateOrDeleteTagsRequest(secret_id=sid, body=body))

    def resources(**body):
        request = csms.ListResourceInstancesRequest(
            resource_instances="resource_instances", body=csms.ListResourceInstancesRequestBody(**body)
        )
        return c.list_resource_instances(request)

    r.equal("CreateSecretTag answers 204", set_tag(sid, "env", "prod").status_code, 204)
    answer = batch("create", [tag_item("team", "data"), tag_item("tmp", "x")])
    r.equal("BatchCreateOrDeleteTags answers 204", answer.status_code, 204)
    gone = c.delete_secret_tag(csms.DeleteSecretTagRequest(secret_id=sid, key="tmp"))
    r.equal("DeleteSecretTag answers 204", gone.status_code, 204)
    listed = c.list_secret_tags(csms.ListSecretTagsRequest(secret_id=sid))
    r.equal(
        "ListSecretTags: the tags, by key",
        [(x.key, x.value) for x in listed.tags],
        [("env", "prod"), ("team", "data")],
    )
    r.equal("ListSecretTags: sys_tags []", listed.sys_tags, [])
    project = c.list_project_secrets_tags(csms.ListProjectSecretsTagsRequest())
    r.check(
        "ListProjectSecretsTags: env with its values",
        any(x.key == "env" and x.values == ["prod"] for x in project.tags),
        short([(x.key, x.values) for x in project.tags]),
    )
    found = resources(action="filter", limit="10", offset="0", tags=[csms.Tag(key="env", values=["prod"])])
    r.equal("ListResourceInstances filter: total_count", found.total_count, 1)
    first = found.resources[0] if found.resources else None
    r.check(
        "ListResourceInstances filter: the secret, its record and tags",
        first is not None
        and first.resource_id == sid
        and first.resource_name == "sdk-tagged"
        and first.resource_detail.id == sid
        and first.resource_detail.state == "ENABLED"
        and [(x.key, x.value) for x in first.tags] == [("env", "prod"), ("team", "data")]
        and first.sys_tags == [],
        short(first),
    )
    counted = resources(action="count", matches=[csms.TagMatches(key="resource_name", value="SDK-TAGGED")])
    r.equal("ListResourceInstances count by name (case ignored)", counted.total_count, 1)
    r.expect_error(
        "CreateSecretTag on a name instead of an id", 400, "CSMS.0106", lambda: set_tag("sdk-tagged", "k", "v")
    )
    r.expect_error("CreateSecretTag with a _sys_ key", 400, "CSMS.0002", lambda: set_tag(sid, "_sys_k", "v"))
    r.expect_error(
        "DeleteSecretTag of a key that is not there",
        400,
        "CSMS.0005",
        lambda: c.delete_secret_tag(csms.DeleteSecretTagRequest(secret_id=sid, key="nope")),
    )
    r.expect_error(
        "BatchCreateOrDeleteTags with action update", 400, "CSMS.0002", lambda: batch("update", [tag_item("k", "v")])
    )
    r.expect_error(
        "a 21st tag",
        400,
        "CSMS.0203",
        lambda: batch("create", [tag_item(f"k{i:02}", "v") for i in range(19)]),
    )
    r.expect_error(
        "ListResourceInstances limit 1001", 400, "CSMS.0002", lambda: resources(action="filter", limit="1001")
    )


def passwords(t):
    r, c = t.report, t.client
    p = password(c)
    r.check("GenerateRandomPassword default length 32", isinstance(p, str) and len(p) == 32, short(p))
    p = password(c, length=64, exclude_punctuation=True, require_each_included_type=True)
    r.check(
        "length 64, no punctuation, each class present",
        len(p) == 64
        and p.isalnum()
        and any(ch.islower() for ch in p)
        and any(ch.isupper() for ch in p)
        and any(ch.isdigit() for ch in p),
        short(p),
    )
    p = password(
        c,
        length=200,
        exclude_lowercase=True,
        exclude_uppercase=True,
        exclude_punctuation=True,
        exclude_characters="02468",
    )
    r.check("digits only minus exclude_characters", len(p) == 200 and set(p) <= set("13579"), short(p))
    p = password(c, length=255, include_space=True, password_policy_name="ignored")
    r.check("length 255 with include_space (policy name ignored)", len(p) == 255, short(p))
    for label, options in (
        ("length 0", {"length": 0}),
        ("length 256", {"length": 256}),
        (
            "every class excluded",
            {f"exclude_{cls}": True for cls in ("lowercase", "uppercase", "numbers", "punctuation")},
        ),
        ("require_each with length below the class count", {"length": 3, "require_each_included_type": True}),
    ):
        r.expect_error(f"GenerateRandomPassword {label}", 400, "CSMS.0002", lambda o=options: password(c, **o))


def protocol_errors(t):
    r, c = t.report, t.client
    r.expect_error(
        "unknown path (signed, call_api)",
        400,
        "CSMS.0003",
        lambda: raw_call(c, "GET", "/v1/{project_id}/no-such-thing"),
    )
    r.expect_error(
        "malformed JSON body (signed, call_api)",
        400,
        "CSMS.0004",
        lambda: raw_call(c, "POST", "/v1/{project_id}/secrets", body='{"name": "x", '),
    )
    big = json.dumps({"name": "e2e-huge", "secret_string": "a", "padding": "x" * (1024 * 1024 + 16)})
    r.expect_error(
        "body over 1 MiB", 400, "CSMS.0004", lambda: raw_call(c, "POST", "/v1/{project_id}/secrets", body=big)
    )
    r.expect_error("ShowSecret after the refused bodies", 400, "CSMS.0106", lambda: show(c, "e2e-huge"))

    bad_sk = make_client(t.endpoint, t.ak, t.sk[:-1] + ("x" if t.sk[-1] != "x" else "y"), t.project_id)
    r.expect_error("bad SK", 401, "APIGW.0301", lambda: create(bad_sk, "e2e-badsk", string="x"))
    r.expect_error("nothing was done for the bad SK", 400, "CSMS.0106", lambda: show(c, "e2e-badsk"))
    unknown_ak = make_client(t.endpoint, "UNKNOWNAK0000000000", t.sk, t.project_id)
    r.expect_error("unknown AK", 401, "APIGW.0301", lambda: list_page(unknown_ak))

    host = t.endpoint.split("://", 1)[1]
    conn = HTTPConnection(host, timeout=10)
    conn.request("GET", f"/v1/{t.project_id}/secrets", headers={"Content-Type": "application/json"})
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    try:
        code = json.loads(body).get("error_code")
    except ValueError:
        code = None
    r.equal("unsigned request (plain http.client) -> 401 APIGW.0301", (answer.status, code), (401, "APIGW.0301"))


def refusal_of(call):
    """(status, error_code, error_msg) of the ClientRequestException `call` raises; None if it succeeds."""
    try:
        call()
    except ClientRequestException as err:
        return err.status_code, err.error_code, err.error_msg or ""
    return None


def cloud_only_operations(t):
    """Huawei Cloud's own operations in the CSMS API, through CsmsClient's models: the reads answer
    that a local vault has none, ShowUserDetail finds nobody, the writes are refused; KMS paths point
    at `csvault key`."""
    r, c = t.report, t.client
    grants = c.list_grants(csms.ListGrantsRequest(resource_id="e2e-resource"))
    r.equal("ListGrants: 200, data.grantee_user []", (grants.status_code, grants.data.grantee_user), (200, []))
    r.equal("ListGrants: no grant id", grants.data.id, None)
    users = c.list_users(csms.ListUsersRequest(offset=0, limit=10))
    r.equal("ListUsers: total 0, users []", (users.total, users.users), (0, []))
    r.expect_error(
        "ListUsers limit 5 (10-100)", 400, "CSMS.0002", lambda: c.list_users(csms.ListUsersRequest(offset=0, limit=5))
    )
    agency = c.show_agency(csms.ShowAgencyRequest(secret_type="RDS-FG"))
    r.equal("ShowAgency: agency_granted 'false'", agency.agency_granted, "false")
    templates = c.show_secret_function_templates(
        csms.ShowSecretFunctionTemplatesRequest(secret_type="RDS-FG", secret_sub_type="SingleUser", engine="mysql")
    )
    r.equal("ShowSecretFunctionTemplates: function_templates '[]'", templates.function_templates, "[]")
    r.expect_error(
        "ShowUserDetail",
        400,
        "CSMS.0005",
        lambda: c.show_user_detail(csms.ShowUserDetailRequest(user_id="20220413165737132-3BA0-91FCA2CB7")),
    )

    grant = csms.GrantSecretReqBody(resource_id="e2e", type="SECRET", grantee_type="0", grantee_target_id="user_01")
    writes = (
        ("CreateGrants", lambda: c.create_grants(csms.CreateGrantsRequest(body=grant))),
        ("UpdateGrant", lambda: c.update_grant(csms.UpdateGrantRequest(resource_id="e2e", body=grant))),
        ("DeleteGrant", lambda: c.delete_grant(csms.DeleteGrantRequest(resource_id="e2e", grantee_user="user_01"))),
        (
            "CreateAgency",
            lambda: c.create_agency(csms.CreateAgencyRequest(body=csms.CreateAgencyRequestBody(secret_type="RDS-FG"))),
        ),
        (
            "UpdateUserPassword",
            lambda: c.update_user_password(
                csms.UpdateUserPasswordRequest(
                    body=csms.ChangeUsersPassword(old_password="e2e-old", password="e2e-new")
                )
            ),
        ),
    )
    for name, call in writes:
        got = refusal_of(call)
        r.check(
            f"{name} -> 400 CSMS.0003 saying it belongs to Huawei Cloud",
            got is not None
            and got[:2] == (400, "CSMS.0003")
            and got[2].startswith(f"{name} belongs to Huawei Cloud")
            and "not available in a local vault" in got[2],
            short(got),
        )

    kms = refusal_of(lambda: raw_call(c, "POST", "/v1.0/{project_id}/kms/create-key", body={"key_alias": "e2e"}))
    r.check(
        "a KMS path (call_api) -> 400 CSMS.0003 pointing at csvault key",
        kms is not None and kms[:2] == (400, "CSMS.0003") and "KMS" in kms[2] and "csvault key" in kms[2],
        short(kms),
    )


def client_without_project_id(t, server):
    """BasicCredentials(ak, sk) without a project id: the SDK asks IAM (`GET /v3/projects?name=REGION`)
    for it, and serve is that IAM endpoint too, given by with_iam_endpoint or HUAWEICLOUD_SDK_IAM_ENDPOINT."""
    r = t.report

    def lookups():
        return Path(server.log_path).read_text("utf-8", "replace").count("GET /v3/projects 200")

    def build(credentials, region_id):
        return (
            CsmsClient.new_builder()
            .with_credentials(credentials)
            .with_region(Region(region_id, t.endpoint))  # the SDK looks project ids up for a region
            .build()
        )

    before = lookups()
    credentials = BasicCredentials(t.ak, t.sk).with_iam_endpoint(t.endpoint)
    client = build(credentials, "e2e-region-iam")
    r.equal("with_iam_endpoint: the SDK found the vault's project id", credentials.project_id, t.project_id)
    name = "e2e-no-project-id"
    create(client, name, string="found by IAM ✓")
    r.equal(
        "with_iam_endpoint: a real CSMS call (CreateSecret, read back by the other client)",
        version(t.client, name).secret_string,
        "found by IAM ✓",
    )
    r.equal("with_iam_endpoint: ShowSecret through it", show(client, name).name, name)

    saved = os.environ.get("HUAWEICLOUD_SDK_IAM_ENDPOINT")
    os.environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = t.endpoint
    try:
        from_env = BasicCredentials(t.ak, t.sk)
        env_client = build(from_env, "e2e-region-env")
    finally:
        if saved is None:
            del os.environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"]
        else:
            os.environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = saved
    r.equal("HUAWEICLOUD_SDK_IAM_ENDPOINT: the same project id", from_env.project_id, t.project_id)
    r.check(
        "HUAWEICLOUD_SDK_IAM_ENDPOINT: ListSecrets through it sees the secret",
        name in [s.name for s in list_page(env_client, limit=1000).secrets],
    )
    r.equal("HUAWEICLOUD_SDK_IAM_ENDPOINT: DeleteSecret through it", delete(env_client, name).status_code, 204)
    deadline = time.monotonic() + 5
    while lookups() - before < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    r.equal("serve answered the two lookups (GET /v3/projects 200 in its log)", lookups() - before, 2)

    try:
        build(BasicCredentials(t.ak, t.sk + "x").with_iam_endpoint(t.endpoint), "e2e-region-bad-sk")
        r.check("a lookup signed with a wrong SK fails the client's build", False, "the build succeeded")
    except SdkException as err:
        r.check(
            "a lookup signed with a wrong SK fails the client's build (401 from serve)",
            "APIGW.0301" in str(err) or "401" in str(err),
            short(str(err)),
        )

    unfilled = (
        CsmsClient.new_builder()
        .with_credentials(BasicCredentials(t.ak, t.sk))
        .with_endpoint(t.endpoint)  # no region: the SDK looks nothing up and sends {project_id} as it is
        .build()
    )
    got = refusal_of(lambda: list_page(unfilled))
    r.check(
        "no project id and no region -> 400 CSMS.0003 saying the project id is unfilled",
        got is not None and got[:2] == (400, "CSMS.0003") and "project id in the path is unfilled" in got[2],
        short(got),
    )


def concurrent_clients(t):
    r = t.report
    workers, per_worker = 4, 6
    barrier = threading.Barrier(workers)
    problems, done = [], []

    def work(index):
        client = make_client(t.endpoint, t.ak, t.sk, t.project_id)
        barrier.wait(timeout=30)
        try:
            for i in range(per_worker):
                name = f"e2e-conc-{index}-{i}"
                first, second = f"first {index}/{i} {secrets.token_hex(6)}", f"second {index}/{i} ✓"
                create(client, name, string=first)
                new_version(client, name, string=second)
                got = (version(client, name, "v1").secret_string, version(client, name).secret_string)
                if got != (first, second):
                    problems.append(f"{name}: expected {(first, second)!r}, got {got!r}")
                done.append((name, second))
        except Exception as err:  # noqa: BLE001 - reported below
            problems.append(f"worker {index}: {type(err).__name__} {getattr(err, 'error_code', '')} {err}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
    r.check("4 clients at once: every worker finished", not any(th.is_alive() for th in threads))
    r.check(
        f"4 clients at once: {workers * per_worker} secrets created and read back as written",
        not problems and len(done) == workers * per_worker,
        "; ".join(problems[:5]),
    )
    names = sorted(name for name, _ in done)
    got = {}
    for start in range(0, len(names), 10):
        for v in batch_get_secret_value(t.client, names[start : start + 10]).versions or []:
            got[v.version_metadata.secret_name] = v.secret_string
    r.equal("all concurrent secrets visible afterwards", got, dict(done))


def server_log(t, server):
    r, c = t.report, t.client

    def line_count():
        return len(Path(server.log_path).read_text("utf-8", "replace").splitlines())

    # The log is written off the request path: let the lines of the areas before this one land
    # first (the count holds still for 0.5 s, at most 5 s).
    before, settle_deadline = line_count(), time.monotonic() + 5
    while time.monotonic() < settle_deadline:
        time.sleep(0.5)
        now = line_count()
        if now == before:
            break
        before = now
    for _ in range(5):
        show(c, "e2e-lifecycle")
    r.expect_error("one refused call for the log", 400, "CSMS.0106", lambda: show(c, "e2e-nope"))
    deadline = time.monotonic() + 5
    while line_count() - before < 6 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.3)  # and no extra lines after them
    r.equal("the server logs one stderr line per request (6 requests)", line_count() - before, 6)

    log = Path(server.log_path).read_text("utf-8", "replace")
    secrets_in_log = (
        ("a secret value", UNICODE_VALUE),
        ("a secret value", "second value"),
        ("the SK", t.sk),
        ("the passphrase", PASSPHRASE),
    )
    leaked = [label for label, text in secrets_in_log if text in log]
    r.check("the server log holds no secret value, SK or passphrase", not leaked, short(leaked))


def restart(t, server, vault, env):
    r = t.report
    r.equal("SIGTERM stops serve with exit code 0", server.stop(), 0)
    shown = run_csvault(t.binary, vault, env, "serve", "--show-credentials")
    r.equal("serve --show-credentials exits 0", shown.returncode, 0)
    try:
        creds = json.loads(shown.stdout)
    except ValueError:
        creds = {"unparsed": shown.stdout}
    r.equal(
        "--show-credentials prints the pair and project",
        creds,
        {"access_key": t.ak, "secret_key": t.sk, "project_id": t.project_id},
    )

    again = Server(t.binary, vault, env, server.log_path)
    info = again.start()
    try:
        r.check("a second start prints no secret_key", "secret_key" not in info, short(info))
        r.equal(
            "same access_key and project_id after restart",
            (info.get("access_key"), info.get("project_id")),
            (t.ak, t.project_id),
        )
        client = make_client(info["listening"], t.ak, t.sk, t.project_id)
        for name, value in t.values.items():
            if value is not None:
                r.equal(f"{name} survived the restart", version(client, name).secret_string, value)
    finally:
        r.equal("SIGINT stops the restarted serve with exit code 0", again.stop(signal.SIGINT), 0)


def make_certificate(tmp):
    """A self-signed certificate for 127.0.0.1, as in the README's TLS recipe."""
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    command = (
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
    )
    subprocess.run(
        [*command.split(), "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60
    )
    return cert, key


def tls_run(t):
    """A second vault with a fixed AK/SK pair from the environment, served over TLS."""
    r = t.report
    cert, key = make_certificate(t.tmp)
    vault = t.tmp / "tls-vault.db"
    ak, sk = "E2ETLSACCESSKEY000001", "e2e-tls-secret-key-" + secrets.token_hex(12)
    env = clean_env(t.home, CSVAULT_SERVE_AK=ak, CSVAULT_SERVE_SK=sk)
    init_vault(t.binary, vault, env)
    server = Server(
        t.binary, vault, env, t.tmp / "serve-tls.log", extra_args=("--tls-cert", str(cert), "--tls-key", str(key))
    )
    info = server.start()
    try:
        r.check(
            "TLS: listening is https://127.0.0.1:PORT",
            bool(re.fullmatch(r"https://127\.0\.0\.1:\d+", str(info.get("listening")))),
            short(info),
        )
        r.check(
            "TLS: the env AK is used, no secret_key printed",
            info.get("access_key") == ak and "secret_key" not in info,
            short(info),
        )

        # The README's TLS snippet:
        config = HttpConfig.get_default_config()
        config.ssl_ca_cert = str(cert)  # trust the server's self-signed certificate
        client = (
            CsmsClient.new_builder()
            .with_http_config(config)
            .with_credentials(BasicCredentials(ak, sk, info["project_id"]))
            .with_endpoint(info["listening"])
            .build()
        )

        create(client, "e2e-tls", string="over TLS ✓")
        r.equal(
            "TLS: a secret written and read with the certificate verified",
            version(client, "e2e-tls").secret_string,
            "over TLS ✓",
        )
        untrusting = make_client(info["listening"], ak, sk, info["project_id"])
        try:
            list_page(untrusting)
            r.check("TLS: a client without the certificate is refused", False, "the call succeeded")
        except SslHandShakeException:
            r.check("TLS: a client without the certificate is refused (SslHandShakeException)", True)
        r.expect_error(
            "TLS: a wrong SK",
            401,
            "APIGW.0301",
            lambda: list_page(make_client(info["listening"], ak, sk + "x", info["project_id"], str(cert))),
        )
    finally:
        r.equal("TLS: SIGTERM stops serve with exit code 0", server.stop(), 0)


def checks(t):
    """ShowSecretsConfig, UpdateSecretsConfig and CheckSecrets (issue 14, docs/DECISIONS.md "checks")."""
    r, c = t.report, t.client

    def config():
        return c.show_secrets_config(csms.ShowSecretsConfigRequest()).checking_secret_strength

    def set_config(on):
        body = csms.UpdateSecretsConfigRequestBody(checking_secret_strength=on)
        return c.update_secrets_config(csms.UpdateSecretsConfigRequest(body=body)).checking_secret_strength

    def check(kind, value):
        body = csms.CheckSecretsRequestBody(type=kind, data={"secret_string": value})
        return c.check_secrets(csms.CheckSecretsRequest(body=body))

    r.equal("ShowSecretsConfig: strength checks off in a new vault", config(), False)
    r.equal("UpdateSecretsConfig: switched on", set_config(True), True)
    r.equal("ShowSecretsConfig: the change is kept", config(), True)
    weak = check("strength", "password1")
    r.equal("CheckSecrets: type strength", weak.type, "strength")
    r.check(
        "CheckSecrets: a common password is WEAK, score 0-2, with warnings, never the value",
        weak.data["strength"] == "WEAK"
        and weak.data["score"] <= 2
        and bool(weak.data["warnings"])
        and "password1" not in json.dumps(weak.data),
        short(weak.data),
    )
    strong = check("strength", secrets.token_urlsafe(24))
    r.equal(
        "CheckSecrets: a random 32-character value is STRONG, score 4",
        strong.data,
        {"strength": "STRONG", "score": 4, "warnings": []},
    )
    r.expect_error("CheckSecrets: another type", 400, "CSMS.0002", lambda: check("leak", "x"))
    r.equal("UpdateSecretsConfig: switched off again", set_config(False), False)


# ---------------------------------------------------------------------------------------------


def _is_uuid(text):
    return isinstance(text, str) and bool(
        re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text)
    )


def _is_uuid4(text):
    return _is_uuid(text) and text[14] == "4"


def binary_from_argv(script):
    """The csvault binary to test: the first argument or CSVAULT_BIN, resolved; exits when none."""
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CSVAULT_BIN")
    if not binary:
        sys.exit(f"usage: {script} PATH/TO/csvault   (or set CSVAULT_BIN)")
    binary = str(Path(binary).resolve())
    if not os.access(binary, os.X_OK):
        sys.exit(f"not an executable: {binary}")
    return binary


def main():
    binary = binary_from_argv("csms_sdk_e2e.py")

    report = Report()
    with tempfile.TemporaryDirectory(prefix="csvault-sdk-e2e-") as tmp_name:
        tmp = Path(tmp_name)
        home = tmp / "home"
        home.mkdir()
        t = Context(report, binary, tmp, home)
        vault = tmp / "vault.db"
        env = clean_env(home)
        init_vault(binary, vault, env)
        server = Server(binary, vault, env, tmp / "serve.log")
        try:
            info = server.start()
            print(f"== serve: {info.get('listening')} (log {server.log_path})", flush=True)
            startup_line(t, info)
            t.endpoint, t.project_id = info["listening"], info["project_id"]
            t.ak, t.sk = info["access_key"], info["secret_key"]
            t.client = make_client(t.endpoint, t.ak, t.sk, t.project_id)

            report.area("paging (120 secrets, limit 50)", paging, t)
            report.area("create / show / update / versions / stages", lifecycle, t)
            report.area("the 20-version limit", version_limit, t)
            report.area("scheduled deletion and restore", schedule_and_restore, t)
            report.area("backup blobs and DeleteSecret", backup_blob, t)
            report.area("values, unicode and the 32 KB limits", values_and_limits, t)
            report.area("BatchGetSecretValue and BatchImportSecrets", batch_calls, t)
            report.area("tags (issue 14)", tags, t)
            report.area("GenerateRandomPassword", passwords, t)
            report.area("checks: secrets config and CheckSecrets", checks, t)
            report.area("protocol errors and authentication", protocol_errors, t)
            report.area("Huawei Cloud's own operations and KMS paths", cloud_only_operations, t)
            report.area("a client without a project id (IAM project lookup)", client_without_project_id, t, server)
            report.area("4 clients at once", concurrent_clients, t)
            report.area("server log", server_log, t, server)
            report.area("SIGTERM, --show-credentials, restart, SIGINT", restart, t, server, vault, env)
        except Exception as err:  # noqa: BLE001 - the server did not come up: that is a failure
            report.check("serve started and answered", False, f"{type(err).__name__}: {err}")
            traceback.print_exc(limit=4)
        finally:
            server.kill()
            if report.failures:
                print(f"-- serve log tail:\n{server.log_tail(30)}" if server.proc else "", flush=True)
        report.area("TLS (self-signed certificate, verified)", tls_run, t)

    print("== loopback only", flush=True)
    report.check("the SDK resolved no host off loopback", not OUTBOUND_ATTEMPTS, short(OUTBOUND_ATTEMPTS))
    report.check(
        "nothing went to the proxy (no IAM, metadata or other remote call)",
        not PROXY_TRAP.requests,
        short(PROXY_TRAP.requests),
    )

    if report.failures:
        print("\nFailures:", *report.failures, sep="\n  ", flush=True)
    print(f"\n{report.passed} passed, {len(report.failures)} failed", flush=True)
    sys.exit(1 if report.failures else 0)


if __name__ == "__main__":
    main()
