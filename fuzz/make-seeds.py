#!/usr/bin/env python3
"""Writes the raw seed inputs of every fuzz target into DIR/<target>/ (default: corpus/).

Seeds come only from what the repository already holds under a known licence: the real
logs in fixtures/corpus (Apache-2.0, empathic/toolpath; see fixtures/corpus/README.md) split
one line per seed, a few multi-line and damaged variants of them, the hook payloads of
crates/sk/tests/it/hooks.rs and crates/sk-bench/fixtures, and small hand-written files in
the shapes the tests use. The committed seeds/ are these plus what the fuzzer found, after
`cargo fuzz cmin` (README.md).
"""

import hashlib
import json
import pathlib
import re
import sys

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
OUT = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else FUZZ / "corpus"


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def lines(agent):
    for f in sorted((ROOT / "fixtures/corpus" / agent).glob("*.jsonl")):
        yield f, [l for l in f.read_bytes().split(b"\n") if l]


def variants(ls):
    """Multi-line inputs the reader reacts to, built from real lines."""
    yield b"\n".join(ls[:4]) + b"\n"
    if len(ls) > 2:
        pretty = json.dumps(json.loads(ls[1]), indent=2).encode()
        yield ls[0] + b"\n" + pretty + b"\n" + ls[2] + b"\n"
        yield ls[0][: len(ls[0]) // 2] + ls[1] + b"\n"          # truncated, glued
        yield ls[0] + b"\r\n" + ls[1] + b"\r\n"                  # CRLF
        yield b"\xef\xbb\xbf" + ls[0] + b"\n" + b"\0" * 64        # BOM, NUL tail
        yield ls[0] + b"\n" + ls[1][:40]                         # still being written


for agent in ["copilot", "claude", "codex"]:
    for f, ls in lines(agent):
        for l in ls:
            put(agent, l + b"\n")
            put("reader", l + b"\n")
        for v in variants(ls):
            put(agent, v)
            put("reader", v)
        if agent == "claude":
            put("claude", b"//subagent\n" + b"\n".join(ls[:3]) + b"\n")
        # Strings worth redacting or extracting from: every long string value.
        for l in ls:
            def walk(v):
                if isinstance(v, str) and len(v) > 20:
                    put("redact", v[:4096])
                elif isinstance(v, dict):
                    for x in v.values():
                        walk(x)
                elif isinstance(v, list):
                    for x in v:
                        walk(x)
            walk(json.loads(l))

# Copilot files other than events.jsonl, in the shapes of crates/sk-ingest/tests/it/copilot.rs.
put("copilot", "//workspace.yaml\nid: ee3a2643-f9cc\ncwd: \"/Users/me/my project\"\n"
    "git_root: /Users/me/my project\nrepository: 'acme/widgets'\nbranch: \"feature/x\"  \n"
    "name: null\nsummary: \"Build the \\\"auth\\\" module\"\ncreated_at: 2026-03-05T01:25:21.817Z\n"
    "updated_at: '2026-03-05T01:28:18.455Z'\nsummary: |\n  —é\n\n  ü\n")
checkpoint = ("# Checkpoint 1\n\n<overview>\nBuilding auth.\n</overview>\n\n<history>\n1. Added JWT\n"
              "</history>\n\n<work_done>\n- src/jwt.ts\n</work_done>\n\n<technical_details>\nbcrypt\n"
              "</technical_details>\n\n<important_files>\n- src/jwt.ts\n</important_files>\n\n"
              "<next_steps>\n- logout\n</next_steps>\n")
put("copilot", "//checkpoint\n" + checkpoint)
put("copilot", "//plan.md\n# Plan\n- [ ] logout\n")
put("copilot", "//files\nDecided on bcrypt.\n")
put("copilot", "//research\nJWT libraries compared.\n")
put("copilot", '//history\n{"sessionId": "s1", "startTime": "2025-10-08T21:10:16.398Z", "chatMessages": ['
    '{"role": "user", "content": "please add mcp servers"}, {"role": "assistant", "content": "sure", '
    '"tool_calls": [{"id": "t1", "type": "function", "function": {"name": "bash", '
    '"arguments": "{\\"command\\":\\"ls -la\\"}"}}]}, {"role": "tool", "tool_call_id": "t1", '
    '"name": "bash", "content": "total 0"}], "timeline": [{"type": "tool_call_completed"}]}\n\0\0')
for _, ls in lines("copilot"):
    put("copilot", b"//flat\n" + b"\n".join(ls[:3]) + b"\n")
    break

# Hook payloads: `EVENT` on the first line, the payload after it.
hooks = (ROOT / "crates/sk/tests/it/hooks.rs").read_text()
for m in re.finditer(r'r#"(\{.*?\})"#', hooks):
    payload = m.group(1)
    try:
        doc = json.loads(payload)
    except ValueError:
        continue
    if "hook_event_name" in doc:
        put("hooks", f"{doc['hook_event_name']}\n{payload}")
        agent = "codex" if "turn_id" in doc else "claude"
        put("hooks", f"{agent} {doc['hook_event_name']}\n{payload}")
    else:
        for event in ["preToolUse", "postToolUse", "postToolUseFailure", "sessionStart"]:
            put("hooks", f"{event}\n{payload}")
for f in sorted((ROOT / "crates/sk-bench/fixtures").glob("*.json")):
    put("hooks", "preToolUse\n" + f.read_text())

# Secrets in the shapes the redaction tests use.
for s in ["export GITHUB_TOKEN=ghp_1234567890abcdefghijklmnopqrstuvwxyzAB",
          "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
          "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
          "password=hunter2hunter2 and api_key: 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789'",
          "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
          "https://user:s3cr3tpassw0rd@example.com/repo.git",
          "xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx sk-ant-api03-abcdefghijklmnopqrstuvwxyz"]:
    put("redact", s)
