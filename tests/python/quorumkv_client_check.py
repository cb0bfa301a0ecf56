#!/usr/bin/env python3
"""A QuorumKV client written only from the comments in proto/src/main/proto/quorumkv/v1/*.proto, run
against a real 3-member cluster (PythonClientIT starts it and passes the members' endpoints and pids).

It generates its stubs at run time with `python3 -m grpc_tools.protoc` into a temporary directory and
checks, printing one line per step:
  1. a write sent to a follower fails UNAVAILABLE with the NOT_LEADER trailers naming the leader; the
     same request re-sent there succeeds, and re-sending it again returns the kept result;
  2. linearizable Get / Exists on a follower see that write;
  3. keys written in a seeded random order come back from a paged prefix Scan on a follower: every page,
     exactly those keys, in byte order, each once;
  4. Delete, then Exists / Get / a second Delete see the key gone;
  5. Increment of a counter; then an increment by 1 is answered by the leader, the script SIGKILLs that
     leader and re-sends the same request (same WriteId) until a new leader answers: it must answer the
     original result (same value and applied_index), and the counter must have moved by exactly 1;
  6. a new write after the failover continues the same client session.

What it leaves in the cluster (PythonClientIT reads it back), under --prefix P:
  P + "kv/hello"           text "hello from python"
  P + "scan/0000" ..       text "value-0000" .., --scan-keys of them
  P + "scan", P + "scan.x", P + "scan0"   text "decoy" (next to the scanned prefix, never in the scan)
  P + "kv/doomed"          absent (written, then deleted)
  P + "counter"            text "42"
  P + "kv/after-failover"  text "after failover"

Exit status: 0 if every check passed, 1 if one failed (the last line says which), 2 if it could not run.
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

try:
    import grpc
    import grpc_tools  # noqa: F401 (only to fail early with the right message)
except ImportError as e:
    print(f"FAIL: cannot import the gRPC modules ({e}); on Debian: "
          "apt-get install -y python3-grpcio python3-grpc-tools", flush=True)
    sys.exit(2)

REPO = Path(__file__).resolve().parents[2]
PROTO_ROOT = REPO / "proto" / "src" / "main" / "proto"
# search.proto is left out: this check does not search, and its proto3 `optional` fields need protoc
# 3.15 or later (Debian bookworm's python3-grpc-tools bundles protoc 3.5.1).
PROTOS = ["quorumkv/v1/common.proto", "quorumkv/v1/kv.proto", "quorumkv/v1/cluster.proto"]

# common.proto: UNAVAILABLE is retryable with the same WriteId; DEADLINE_EXCEEDED leaves a write's
# outcome unknown and is safe to retry with the same WriteId. Everything else is final.
RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED}
ATTEMPT_TIMEOUT_S = 3.0   # a dead member's calls fail at once (connection refused), a slow one's here
OVERALL_TIMEOUT_S = 30.0  # per call, across retries: generous for an election on a loaded 2-core box

pb = {}  # generated modules by name: common_pb2, kv_pb2, kv_pb2_grpc, cluster_pb2, cluster_pb2_grpc
passed = []


def say(line):
    print(line, flush=True)


class CheckFailed(Exception):
    pass


def check(condition, what):
    """Records a passed check; a failed one ends the run with `what` as the reason."""
    if not condition:
        raise CheckFailed(what)
    passed.append(what)


def generate_stubs(out_dir):
    """Compiles our .proto files with the same interpreter's grpc_tools and imports the result."""
    cmd = [sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTO_ROOT}", f"--python_out={out_dir}",
           f"--grpc_python_out={out_dir}"] + [str(PROTO_ROOT / p) for p in PROTOS]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"protoc failed: {result.stderr.strip()}")
    # The generated modules import each other as quorumkv.v1.* (the proto package path): a namespace
    # package under out_dir.
    sys.path.insert(0, str(out_dir))
    import importlib
    for name in ["common_pb2", "kv_pb2", "kv_pb2_grpc", "cluster_pb2", "cluster_pb2_grpc"]:
        pb[name] = importlib.import_module(f"quorumkv.v1.{name}")


class Session:
    """Write ids of one client instance, one write at a time (common.proto, message WriteId)."""

    def __init__(self):
        self.client_id = uuid.uuid4().bytes  # 16 bytes, chosen once per client instance
        self.sequence = 0
        # new_session stays true until a write that was ordered has been answered.
        self.had_ordered_answer = False

    def next_write_id(self):
        self.sequence += 1
        # One write at a time: every earlier write has had its final answer, so lowest_unanswered is
        # this write's own sequence.
        return pb["common_pb2"].WriteId(client_id=self.client_id, sequence=self.sequence,
                                        lowest_unanswered=self.sequence,
                                        new_session=not self.had_ordered_answer)


class Attempt:
    """One failed call: where it went and what came back, including the QuorumKV trailers."""

    def __init__(self, member, endpoint, error):
        self.member = member
        self.endpoint = endpoint
        self.code = error.code()
        trailers = dict(error.trailing_metadata() or ())
        self.error_code = trailers.get("quorumkv-error-code")  # absent if the gRPC library raised it
        self.hint_id = trailers.get("quorumkv-leader-id")
        self.hint_endpoint = trailers.get("quorumkv-leader-endpoint")
        self.details = (error.details() or "").replace("\n", " ")[:90]

    def __str__(self):
        if self.error_code is None:
            origin = "no quorumkv-error-code (raised by the gRPC library)"
        else:
            origin = f"quorumkv-error-code {self.error_code}"
            if self.error_code == "NOT_LEADER":
                origin += f", leader hint {self.hint_id or '-'} @ {self.hint_endpoint or '-'}"
        return f"{self.member} ({self.endpoint}): {self.code.name}, {origin}: {self.details}"


class Client:
    """Routes calls as common.proto says: writes to the leader, following NOT_LEADER hints and
    remembering the leader; retryable failures are retried (same request, so same WriteId) on the next
    member after a backoff."""

    def __init__(self, members, session):
        self.members = members  # member id -> "host:port", in cluster-file order
        self.ids = {endpoint: member for member, endpoint in members.items()}
        self.session = session
        self.channels = {}
        self.leader_endpoint = None

    def close(self):
        for channel in self.channels.values():
            channel.close()

    def _stub(self, endpoint, service):
        if endpoint not in self.channels:
            # Members are addressed directly; an http_proxy in the environment must not reroute them.
            self.channels[endpoint] = grpc.insecure_channel(endpoint, options=[("grpc.enable_http_proxy", 0)])
        module = pb["kv_pb2_grpc"] if service == "KV" else pb["cluster_pb2_grpc"]
        return getattr(module, f"{service}Stub")(self.channels[endpoint])

    def _next_endpoint(self, endpoint):
        order = list(self.members.values())
        return order[(order.index(endpoint) + 1) % len(order)] if endpoint in order else order[0]

    def write(self, method, request, start=None):
        """A KV write; returns (response, failed attempts before it)."""
        first = start or self.leader_endpoint or next(iter(self.members.values()))
        response, attempts = self._call("KV", method, request, first, True)
        self.session.had_ordered_answer = True
        return response, attempts

    def read(self, method, request, member, service="KV"):
        """A read sent to `member` first (reads may go to any member)."""
        return self._call(service, method, request, self.members[member], False)

    def _call(self, service, method, request, endpoint, is_write):
        attempts = []
        unreachable = set()  # endpoints that failed in this call without a QuorumKV answer
        deadline = time.monotonic() + OVERALL_TIMEOUT_S
        backoff = 0.05
        while True:
            try:
                response = getattr(self._stub(endpoint, service), method)(request, timeout=ATTEMPT_TIMEOUT_S)
                if is_write:
                    self.leader_endpoint = endpoint
                return response, attempts
            except grpc.RpcError as error:
                attempt = Attempt(self.ids.get(endpoint, "?"), endpoint, error)
                attempts.append(attempt)
                say(f"      attempt {len(attempts)} -> {attempt}")
                if attempt.code not in RETRYABLE or time.monotonic() > deadline:
                    raise CheckFailed(f"{service}.{method} failed for good: {attempt}")
                if attempt.error_code is None:
                    unreachable.add(endpoint)
                hint = attempt.hint_endpoint if attempt.error_code == "NOT_LEADER" else None
                if hint and hint != endpoint and hint not in unreachable:
                    # Re-send to the named leader at once, and remember it for later writes.
                    endpoint = hint
                    self.leader_endpoint = endpoint
                    continue
                # No hint (no leader known, or the member is down), or a hint naming a member that just
                # failed (followers go on naming a dead leader until they elect another, common.proto):
                # the next member, after a backoff.
                time.sleep(backoff)
                backoff = min(backoff * 2, 1.0)
                endpoint = self._next_endpoint(endpoint)


def linearizable():
    return pb["common_pb2"].ReadOptions(consistency=pb["common_pb2"].LINEARIZABLE)


def text(value):
    return pb["common_pb2"].Value(text=value)


def cluster_status(client, member):
    """Cluster.Status, asked of `member` first, once the answering member knows a leader."""
    deadline = time.monotonic() + OVERALL_TIMEOUT_S
    while True:
        status, _ = client.read("Status", pb["cluster_pb2"].StatusRequest(), member, service="Cluster")
        if status.leader_id:
            return status
        if time.monotonic() > deadline:
            raise CheckFailed(f"no leader known to {status.header.member_id} after {OVERALL_TIMEOUT_S} s")
        time.sleep(0.2)


def run(args, members, pids, rng):
    kv = pb["kv_pb2"]
    session = Session()
    client = Client(members, session)
    p = args.prefix.encode()
    say(f"client id {session.client_id.hex()}, seed {args.seed}, prefix {args.prefix!r}")
    try:
        status = cluster_status(client, next(iter(members)))
        leader = status.leader_id
        follower = next(m for m in members if m != leader)
        say(f"[status] cluster {status.cluster_id}: leader {leader} @ {status.leader_client_address}, "
            f"term {status.term}; using follower {follower}")
        check(status.leader_client_address == members[leader], "Status names the leader's client address")

        # 1. A write to a follower: UNAVAILABLE / NOT_LEADER with the leader in the trailers, then the same
        # request (same WriteId) re-sent to the hinted leader.
        hello = kv.PutRequest(key=p + b"kv/hello", value=text("hello from python"),
                              write_id=session.next_write_id())
        say(f"[not-leader] Put kv/hello seq {hello.write_id.sequence} sent to follower {follower}")
        put, attempts = client.write("Put", hello, start=members[follower])
        check(len(attempts) == 1 and attempts[0].member == follower
              and attempts[0].code == grpc.StatusCode.UNAVAILABLE and attempts[0].error_code == "NOT_LEADER",
              "the follower refused the write with UNAVAILABLE / NOT_LEADER")
        check(attempts[0].hint_id == leader and attempts[0].hint_endpoint == members[leader],
              f"the NOT_LEADER trailers name the leader ({attempts[0].hint_id} @ {attempts[0].hint_endpoint})")
        check(put.header.member_id == leader and put.created, "the hinted leader applied the write")
        say(f"  ok: re-sent to {put.header.member_id}: created={put.created} at index {put.header.applied_index}")
        again, attempts = client.write("Put", hello)
        check(not attempts, "the next call went straight to the remembered leader")
        check(again.created and again.header.applied_index == put.header.applied_index,
              "re-sending the same WriteId returned the kept result (created=true, same index)")
        say(f"  ok: same WriteId again: created={again.created}, index {again.header.applied_index} (kept result)")

        # 2. Linearizable reads on a follower observe the acknowledged write.
        got, _ = client.read("Get", kv.GetRequest(key=hello.key, read=linearizable()), follower)
        check(got.found and got.kv.value.text == "hello from python" and got.header.member_id == follower
              and got.header.applied_index >= put.header.applied_index,
              "a linearizable Get on the follower sees the write")
        check(got.kv.version == 1 and got.kv.create_index == put.header.applied_index,
              "one write created the key: version 1, create_index = the write's index")
        there, _ = client.read("Exists", kv.ExistsRequest(key=hello.key, read=linearizable()), follower)
        nowhere, _ = client.read("Exists", kv.ExistsRequest(key=p + b"kv/never", read=linearizable()), follower)
        check(there.exists and not nowhere.exists, "Exists on the follower: true for the key, false for another")
        say(f"[read] Get/Exists on {follower}: found at index {got.header.applied_index}, version {got.kv.version}")

        # 3. Paged prefix scan. Keys go in in random order; the decoys sit next to the prefix in key order.
        keys = [p + b"scan/%04d" % i for i in range(args.scan_keys)]
        shuffled = keys[:]
        rng.shuffle(shuffled)
        for key in shuffled + [p + b"scan", p + b"scan.x", p + b"scan0"]:
            value = "value-" + key[len(p) + 5:].decode() if key in keys else "decoy"
            client.write("Put", kv.PutRequest(key=key, value=text(value), write_id=session.next_write_id()))
        say(f"[scan] wrote {len(keys)} keys under scan/ in seeded order "
            f"{[int(k[-4:]) for k in shuffled[:6]]}..., and 3 decoys")
        pages, token = [], b""
        while True:
            page, _ = client.read("Scan", kv.ScanRequest(prefix=p + b"scan/", limit=args.page_size,
                                                         page_token=token, read=linearizable()), follower)
            pages.append(list(page.kvs))
            token = page.next_page_token
            if not token:
                break
            check(len(pages) <= len(keys), "the scan ends (no more pages than keys)")
        scanned = [entry.key for page in pages for entry in page]
        check(all(len(page) <= args.page_size for page in pages), f"no page holds more than {args.page_size}")
        check(scanned == sorted(keys), f"the scan returned exactly the written keys in order (got {scanned})")
        check(all(entry.value.text == "value-" + entry.key[-4:].decode() for page in pages for entry in page),
              "every scanned key has the value written")
        check(len(pages) >= -(-len(keys) // args.page_size) and len(pages) > 1,
              f"the scan took several pages ({len(pages)})")
        say(f"  ok: {len(pages)} pages of limit {args.page_size} on {follower}: sizes {[len(x) for x in pages]}, "
            f"{len(scanned)} keys in order, each once, no decoy")

        # 4. Delete.
        doomed = p + b"kv/doomed"
        client.write("Put", kv.PutRequest(key=doomed, value=text("short-lived"), write_id=session.next_write_id()))
        deleted, _ = client.write("Delete", kv.DeleteRequest(key=doomed, write_id=session.next_write_id()))
        check(deleted.deleted, "Delete of an existing key says deleted=true")
        gone, _ = client.read("Exists", kv.ExistsRequest(key=doomed, read=linearizable()), follower)
        absent, _ = client.read("Get", kv.GetRequest(key=doomed, read=linearizable()), follower)
        check(not gone.exists and not absent.found, "after Delete, Exists and Get on the follower see no key")
        twice, _ = client.write("Delete", kv.DeleteRequest(key=doomed, write_id=session.next_write_id()))
        check(not twice.deleted, "deleting the absent key succeeds with deleted=false")
        say("[delete] kv/doomed: deleted=true, then absent on the follower, then deleted=false")

        # 5. Increment, then exactly once across a SIGKILL of the leader.
        counter = p + b"counter"
        first, _ = client.write("Increment", kv.IncrementRequest(key=counter, delta=41,
                                                                 write_id=session.next_write_id()))
        stored, _ = client.read("Get", kv.GetRequest(key=counter, read=linearizable()), follower)
        check(first.value == 41 and stored.kv.value.text == "41", "Increment by 41 of an absent key gives 41, "
              "stored as text")
        say("[increment] counter += 41 -> 41 (stored as text \"41\")")
        plus_one = kv.IncrementRequest(key=counter, delta=1, write_id=session.next_write_id())
        original, _ = client.write("Increment", plus_one)
        old_leader = original.header.member_id
        check(original.value == 42, "counter += 1 -> 42")
        say(f"[failover] counter += 1 (seq {plus_one.write_id.sequence}) answered by {old_leader}: value "
            f"{original.value} at index {original.header.applied_index}")
        os.kill(pids[old_leader], signal.SIGKILL)
        killed_at = time.monotonic()
        say(f"  SIGKILL leader {old_leader} (pid {pids[old_leader]}); re-sending the same request, same WriteId")
        retry, attempts = client.write("Increment", plus_one)
        say(f"  answered by {retry.header.member_id} after {len(attempts)} failed attempts, "
            f"{time.monotonic() - killed_at:.1f} s: value {retry.value} at index {retry.header.applied_index}")
        check(attempts and attempts[0].member == old_leader and attempts[0].code in RETRYABLE,
              "the first retry went to the killed leader and failed retryably")
        check(retry.header.member_id != old_leader, "a different member (the new leader) answered the retry")
        check(retry.value == original.value and retry.header.applied_index == original.header.applied_index,
              "the retry returned the original result (same value, same applied_index)")
        survivor = next(m for m in members if m != old_leader)
        now, _ = client.read("Get", kv.GetRequest(key=counter, read=linearizable()), survivor)
        check(now.kv.value.text == "42", f"the counter moved by exactly 1 (reads {now.kv.value.text!r})")
        after = cluster_status(client, survivor)
        down = next(m for m in after.members if m.id == old_leader)
        check(after.leader_id != old_leader and not down.reachable,
              f"leadership moved from {old_leader} to {after.leader_id}, which reports {old_leader} unreachable")
        say(f"  ok: counter reads \"42\" on {survivor}; leader now {after.leader_id} (term {after.term})")

        # 6. The session survives the failover: the next sequence, new_session=false, is applied.
        later = kv.PutRequest(key=p + b"kv/after-failover", value=text("after failover"),
                              write_id=session.next_write_id())
        check(not later.write_id.new_session, "later writes no longer open a session")
        resp, _ = client.write("Put", later)
        check(resp.created and resp.header.member_id == after.leader_id,
              "a new write after the failover is applied by the new leader")
        say(f"[session] seq {later.write_id.sequence} after the failover: applied at index "
            f"{resp.header.applied_index} by {resp.header.member_id}")
    finally:
        client.close()


def parse_pairs(spec, convert):
    """"n1=a,n2=b" -> {"n1": convert("a"), ...}, in order."""
    pairs = {}
    for item in spec.split(","):
        member, _, value = item.partition("=")
        if not member or not value:
            raise argparse.ArgumentTypeError(f"expected id=value, got {item!r}")
        pairs[member.strip()] = convert(value.strip())
    return pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", required=True, help="n1=host:port,n2=host:port,... (client addresses)")
    parser.add_argument("--pids", required=True, help="n1=pid,n2=pid,... (to SIGKILL the leader)")
    parser.add_argument("--prefix", default="py/", help="all keys written start with this")
    parser.add_argument("--scan-keys", type=int, default=23)
    parser.add_argument("--page-size", type=int, default=5)
    parser.add_argument("--seed", type=int, default=None, help="order of the scanned keys' writes")
    args = parser.parse_args()
    members = parse_pairs(args.endpoints, str)
    pids = parse_pairs(args.pids, int)
    if set(pids) != set(members) or len(members) < 3:
        print(f"FAIL: need --endpoints and --pids for the same 3+ members, got {members} and {pids}", flush=True)
        return 2
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(2 ** 31)
    with tempfile.TemporaryDirectory(prefix="quorumkv-stubs-") as stubs:
        try:
            generate_stubs(stubs)
        except Exception as e:  # noqa: BLE001 (any failure here means the check cannot run)
            print(f"FAIL: could not generate stubs from {PROTO_ROOT}: {e}", flush=True)
            return 2
        say(f"stubs generated from {', '.join(PROTOS)} (protoc of grpc_tools, Python {sys.version.split()[0]}, "
            f"grpcio {grpc.__version__})")
        try:
            run(args, members, pids, random.Random(args.seed))
        except CheckFailed as e:
            print(f"FAIL: {e} (seed {args.seed}; {len(passed)} checks passed before)", flush=True)
            return 1
    say(f"PASS: all {len(passed)} checks passed (seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
