#!/usr/bin/env python3
"""Seeds core/fuzz/corpus/<target>/ from the recorded responses in tests/fixtures/responses/*.http.

response_parse inputs: 2 bytes status, 1 byte header count, per header 1 byte name index and
2 bytes big-endian value length plus the value, then the body (see fuzz_targets/response_parse.rs).
challenge_parse inputs: each WWW-Authenticate value. The corpus is not committed.
"""
import pathlib

NAMES = ["content-type", "retry-after", "deprecation", "sunset", "ratelimit-limit",
         "ratelimit-remaining", "x-error-code", "www-authenticate", "date"]
here = pathlib.Path(__file__).resolve().parent
fixtures = here.parent.parent / "tests" / "fixtures" / "responses"
out_resp = here / "corpus" / "response_parse"
out_chal = here / "corpus" / "challenge_parse"
out_resp.mkdir(parents=True, exist_ok=True)
out_chal.mkdir(parents=True, exist_ok=True)

for path in sorted(fixtures.glob("*.http")):
    raw = path.read_bytes()
    head, _, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    status = int(lines[0].split()[1])
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower().decode()
        value = value.strip()[:65535]
        if name in NAMES:
            headers.append((NAMES.index(name), value))
        if name == "www-authenticate":
            (out_chal / path.stem).write_bytes(value)
    seed = bytearray((status - 100).to_bytes(2, "big"))
    seed.append(len(headers))
    for index, value in headers:
        seed += bytes([index]) + len(value).to_bytes(2, "big") + value
    seed += body
    (out_resp / path.stem).write_bytes(bytes(seed))
# A 400 KB challenge (the Atlas one plus unknown directives): reaches the size where a
# quadratic parser showed (run with -max_len=524288).
big = b'Digest realm="MMS Public API", nonce="669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed", qop="auth"'
i = 0
while len(big) < 400_000:
    big += b", x%d=1" % i
    i += 1
(out_chal / "large_400kb").write_bytes(big)
print(f"seeded {len(list(out_resp.iterdir()))} response_parse and {len(list(out_chal.iterdir()))} challenge_parse inputs")
