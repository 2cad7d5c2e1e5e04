#!/usr/bin/env python3
"""Times boto3 against an S3 server, for `npm run bench`.

Usage: boto3_transfer.py upload|download ENDPOINT BUCKET KEY PATH
       boto3_transfer.py roundtrip ENDPOINT BUCKET KEY PATH OUTPUT
       boto3_transfer.py smallops ENDPOINT BUCKET PREFIX OPS IN_FLIGHT OBJECT_BYTES
Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_DEFAULT_REGION.

`upload_file` and `download_file` run with s3transfer's defaults (8 MiB threshold and parts,
10 threads), as the original boto3-based design used them. The client is created and one
HeadBucket opens a connection before the clock starts. Prints one JSON line:
{"seconds": ..., "rss_before_mib": ..., "rss_peak_mib": ..., "cpu_seconds": ...,
"machine_busy": ..., "boto3": ...}
(peak RSS from getrusage). `check` prints the versions only.

`roundtrip` uploads PATH with `upload_file`, downloads it into OUTPUT with `download_file`
and prints the process's peak RSS over both (whole process, from getrusage), for the
1 GiB round-trip memory target.

`smallops` times batches of OPS put_object, get_object (body read), head_object and
delete_object calls on OBJECT_BYTES objects, IN_FLIGHT at once (a thread pool, with as many
pooled connections), after one untimed warm-up round, and prints ops/s and CPU µs per
operation for each.
"""

import json
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore
import s3transfer
from botocore.config import Config


def cpu_seconds() -> float:
    """CPU time used so far by the process, every thread, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_ticks():
    """The machine's (busy, total) CPU ticks from /proc/stat, or None elsewhere."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(f) for f in stat.readline().split()[1:9]]
    except OSError:
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    busy = user + nice + system + irq + softirq + steal
    return busy, busy + idle + iowait


def busy_share(before, after):
    """The share of all the machine's CPUs busy between two samples (None when unknown)."""
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def max_rss_mib() -> float:
    """The process's peak resident memory so far, in MiB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def versions() -> dict:
    """The versions of the packages under test."""
    return {
        "boto3": boto3.__version__,
        "botocore": botocore.__version__,
        "s3transfer": s3transfer.__version__,
        "python": sys.version.split()[0],
    }


def make_client(endpoint: str, pool: int = 10):
    """A path-style SigV4 client, as the bench configures every client."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            max_pool_connections=pool,
        ),
    )


def round_trip(endpoint: str, bucket: str, key: str, path: str, output: str) -> None:
    """upload_file then download_file, reporting the whole process's peak RSS."""
    client = make_client(endpoint)
    client.head_bucket(Bucket=bucket)
    before = max_rss_mib()
    started = time.perf_counter()
    client.upload_file(path, bucket, key)
    client.download_file(bucket, key, output)
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "rss_before_mib": before,
                "rss_peak_mib": max_rss_mib(),
            }
        )
    )


def small_ops(endpoint: str, bucket: str, prefix: str, ops: int, in_flight: int, size: int) -> None:
    """Batches of put, get, head and delete; ops/s and CPU µs per operation of each."""
    client = make_client(endpoint, max(10, in_flight))
    body = b"x" * size
    perform = {
        "put": lambda key: client.put_object(
            Bucket=bucket, Key=key, Body=body, ContentType="application/octet-stream"
        ),
        "get": lambda key: client.get_object(Bucket=bucket, Key=key)["Body"].read(),
        "head": lambda key: client.head_object(Bucket=bucket, Key=key),
        "delete": lambda key: client.delete_object(Bucket=bucket, Key=key),
    }
    pool = ThreadPoolExecutor(max_workers=in_flight) if in_flight > 1 else None

    def batch(op: str, round_name: str) -> dict:
        keys = [f"{prefix}/{round_name}/{i}" for i in range(ops)]
        cpu_before = cpu_seconds()
        started = time.perf_counter()
        if pool:
            list(pool.map(perform[op], keys))
        else:
            for key in keys:
                perform[op](key)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_before
        return {"ops_per_sec": ops / seconds, "cpu_us_per_op": cpu * 1e6 / ops}

    for op in perform:
        batch(op, "warmup")
    result = {op: batch(op, "timed") for op in perform}
    if pool:
        pool.shutdown()
    print(json.dumps(result))


def main() -> None:
    if sys.argv[1:2] == ["check"]:
        print(json.dumps(versions()))
        return
    if sys.argv[1:2] == ["roundtrip"]:
        round_trip(*sys.argv[2:7])
        return
    if sys.argv[1:2] == ["smallops"]:
        endpoint, bucket, prefix, ops, in_flight, size = sys.argv[2:8]
        small_ops(endpoint, bucket, prefix, int(ops), int(in_flight), int(size))
        return
    operation, endpoint, bucket, key, path = sys.argv[1:6]
    client = make_client(endpoint)
    client.head_bucket(Bucket=bucket)
    before = max_rss_mib()
    cpu_before = cpu_seconds()
    ticks_before = cpu_ticks()
    started = time.perf_counter()
    if operation == "upload":
        client.upload_file(path, bucket, key)
    elif operation == "download":
        client.download_file(bucket, key, path)
    else:
        raise SystemExit(f"unknown operation {operation!r}")
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    machine_busy = busy_share(ticks_before, cpu_ticks())
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rss_before_mib": before,
                "rss_peak_mib": max_rss_mib(),
                "cpu_seconds": cpu,
                "machine_busy": machine_busy,
                **versions(),
            }
        )
    )


if __name__ == "__main__":
    main()
