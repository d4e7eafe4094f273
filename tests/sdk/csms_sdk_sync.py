#!/usr/bin/env python3
"""The official Python SDK as the referee of `csvault push` (issue 17).

    python tests/sdk/csms_sdk_sync.py target/debug/csvault      (or CSVAULT_BIN=...)

Vault A gets N secrets of random text (ASCII, unicode, multi-line, up to 32,000 bytes) and binary
values (random bytes, up to 24,000) through `csvault import`; vault B is served over TLS with a
self-signed certificate (`openssl`); A adds B as a remote (`remote add --ca-file`, the SK from
CSVAULT_REMOTE_SK) and pushes. Then huaweicloudsdkcsms reads every secret from B
(ListSecrets, paged; ShowSecretVersion "latest") and compares each value and description with
what was stored in A. All on loopback only (csms_sdk_e2e.py's trap).

Each check prints one line, `ok` or `FAIL`; the run ends with `N passed, N failed` and exits 1 when
anything failed (any value that differs is a failure).
"""

import sys

sys.dont_write_bytecode = True  # importing the sibling scripts must leave no __pycache__ in tests/sdk

import base64  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import secrets  # noqa: E402
import tempfile  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

from csms_sdk_e2e import (  # noqa: E402
    OUTBOUND_ATTEMPTS,
    PROXY_TRAP,
    Report,
    Server,
    binary_from_argv,
    clean_env,
    init_vault,
    list_page,
    make_certificate,
    make_client,
    run_csvault,
    short,
    version,
)

N = int(os.environ.get("CSVAULT_SDK_SYNC_SECRETS", "300"))
UNICODE = "密码🔑パスワードünïcödé✓ —\t"


def random_text(rng, i):
    """Text of a kind chosen by `i`: short ASCII, unicode, multi-line, or long."""
    kind = i % 5
    if kind == 0:
        return secrets.token_urlsafe(rng.randint(1, 48))
    if kind == 1:
        return "".join(rng.choice(UNICODE) for _ in range(rng.randint(1, 200)))
    if kind == 2:
        return "\n".join(secrets.token_hex(rng.randint(1, 40)) for _ in range(rng.randint(2, 20))) + "\n"
    if kind == 3:
        return json.dumps({"user": f"u{i}", "password": secrets.token_urlsafe(24), "note": UNICODE})
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789 ") for _ in range(rng.randint(1_000, 32_000)))


def make_secrets(rng):
    """N records for `csvault import` and what each must read back as: ("text", str) or ("binary", bytes)."""
    records, expected = [], {}
    for i in range(N):
        name = f"sdk-sync-{i:04d}"
        record = {"name": name}
        if i % 3 == 2:
            data = secrets.token_bytes(24_000 if i == 2 else rng.randint(1, 4_096))
            record["secret_binary"] = base64.b64encode(data).decode("ascii")
            expected[name] = ("binary", data)
        else:
            text = random_text(rng, i)
            record["secret_string"] = text
            expected[name] = ("text", text)
        if i % 2 == 0:
            record["description"] = f"pushed {i} {UNICODE.strip()}"
        records.append(record)
    return records, expected


def csvault(t, vault, *args, **extra_env):
    return run_csvault(t["binary"], vault, clean_env(t["home"], **extra_env), *args)


def referee(t, report):
    rng = random.Random(17)
    a, b = t["tmp"] / "a.db", t["tmp"] / "b.db"
    env = clean_env(t["home"])
    init_vault(t["binary"], a, env)
    init_vault(t["binary"], b, env)

    records, expected = make_secrets(rng)
    source = t["tmp"] / "records.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    done = csvault(t, a, "import", "--from", "jsonl", str(source))
    report.equal("csvault import into A exits 0", done.returncode, 0)
    report.equal("every secret created in A", json.loads(done.stdout or "{}").get("created"), N)
    source.unlink()

    shown = csvault(t, b, "serve", "--show-credentials")
    creds = json.loads(shown.stdout)
    ak, sk, project_id = creds["access_key"], creds["secret_key"], creds["project_id"]
    cert, key = make_certificate(t["tmp"])
    server = Server(
        t["binary"], b, env, t["tmp"] / "serve.log", extra_args=("--tls-cert", str(cert), "--tls-key", str(key))
    )
    info = server.start()
    try:
        endpoint = info["listening"]
        report.check("B is served over TLS", endpoint.startswith("https://127.0.0.1:"), short(info))
        added = csvault(
            t,
            a,
            "remote",
            "add",
            "b",
            "--endpoint",
            endpoint,
            "--project-id",
            project_id,
            "--access-key",
            ak,
            "--ca-file",
            str(cert),
            CSVAULT_REMOTE_SK=sk,
        )
        report.equal("remote add exits 0", added.returncode, 0)
        report.check("remote add prints no SK", sk not in added.stdout and sk not in added.stderr)

        pushed = csvault(t, a, "push", "b")
        report.equal("push exits 0", pushed.returncode, 0)
        lines = [json.loads(line) for line in pushed.stdout.splitlines() if line.strip()]
        report.equal("push prints one line per secret", len(lines), N)
        not_done = [ln for ln in lines if (ln.get("action"), ln.get("status")) != ("create", "done")]
        report.check("every line is create/done", not not_done, short(not_done[:3]))
        if pushed.returncode != 0:
            print(pushed.stderr[-2000:], flush=True)

        client = make_client(endpoint, ak, sk, project_id, str(cert))
        listed, marker = {}, None
        while True:
            page = list_page(client, limit=100, marker=marker)
            for s in page.secrets or []:
                listed[s.name] = s
            marker = page.page_info.next_marker if page.page_info else None
            if not marker:
                break
        report.equal("ListSecrets on B: exactly A's names", sorted(listed), sorted(expected))

        differ, descriptions, compared = [], [], 0
        for name, (kind, want) in sorted(expected.items()):
            if name not in listed:
                continue
            compared += 1
            got = version(client, name)
            if kind == "text":
                same = got.secret_string == want and got.secret_binary is None
                shown_value = got.secret_string
            else:
                raw = base64.b64decode(got.secret_binary) if got.secret_binary else None
                same = raw == want and got.secret_string is None
                shown_value = got.secret_binary
            if not same:
                differ.append(f"{name} ({kind}): got {short(shown_value, 60)}")
            stages = got.version_metadata.version_stages or []
            if "SYSCURRENT" not in stages:
                differ.append(f"{name}: latest is not SYSCURRENT ({stages})")
            want_description = next(r.get("description") for r in records if r["name"] == name)
            if (listed[name].description or None) != want_description:
                descriptions.append(f"{name}: {short(listed[name].description, 60)}")
        report.check(
            f"ShowSecretVersion: all {N} values equal to A's",
            compared == N and not differ,
            f"{compared} read; " + "; ".join(differ[:5]),
        )
        report.check("ListSecrets: every description equal to A's", not descriptions, "; ".join(descriptions[:5]))

        log = Path(server.log_path).read_text("utf-8", "replace")
        leaked = [n for n, (k, v) in expected.items() if k == "text" and len(v) >= 16 and v in log]
        report.check("the serve log holds no value", not leaked, short(leaked[:3]))
        report.equal("SIGTERM stops serve with exit code 0", server.stop(), 0)
    finally:
        server.kill()


def main():
    binary = binary_from_argv("csms_sdk_sync.py")
    report = Report()
    with tempfile.TemporaryDirectory(prefix="csvault-sdk-sync-") as tmp_name:
        tmp = Path(tmp_name)
        home = tmp / "home"
        home.mkdir()
        t = {"binary": binary, "tmp": tmp, "home": home}
        print(f"== push {N} secrets to a served vault, read back with the SDK", flush=True)
        try:
            referee(t, report)
        except Exception as err:  # noqa: BLE001 - any surprise is a failure
            report.check("the referee ran to the end", False, f"{type(err).__name__}: {err}")
            traceback.print_exc(limit=4)

    print("== loopback only", flush=True)
    report.check("the SDK resolved no host off loopback", not OUTBOUND_ATTEMPTS, short(OUTBOUND_ATTEMPTS))
    report.check("nothing went to the proxy", not PROXY_TRAP.requests, short(PROXY_TRAP.requests))

    if report.failures:
        print("\nFailures:", *report.failures, sep="\n  ", flush=True)
    print(f"\n{report.passed} passed, {len(report.failures)} failed", flush=True)
    sys.exit(1 if report.failures else 0)


if __name__ == "__main__":
    main()
