#!/usr/bin/env python3
"""Times one boto3 transfer against an S3 server, for `npm run bench`.

Usage: boto3_transfer.py upload|download ENDPOINT BUCKET KEY PATH
Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_DEFAULT_REGION.

`upload_file` and `download_file` run with s3transfer's defaults (8 MiB threshold and parts,
10 threads), as the original boto3-based design used them. The client is created and one
HeadBucket opens a connection before the clock starts. Prints one JSON line:
{"seconds": ..., "rss_before_mib": ..., "rss_peak_mib": ..., "cpu_seconds": ..., "boto3": ...}
(peak RSS from getrusage). `check` prints the versions only.
"""

import json
import resource
import sys
import time

import boto3
import botocore
import s3transfer
from botocore.config import Config


def cpu_seconds() -> float:
    """CPU time used so far by the process, every thread, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


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


def main() -> None:
    if sys.argv[1:2] == ["check"]:
        print(json.dumps(versions()))
        return
    operation, endpoint, bucket, key, path = sys.argv[1:6]
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    client.head_bucket(Bucket=bucket)
    before = max_rss_mib()
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    if operation == "upload":
        client.upload_file(path, bucket, key)
    elif operation == "download":
        client.download_file(bucket, key, path)
    else:
        raise SystemExit(f"unknown operation {operation!r}")
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rss_before_mib": before,
                "rss_peak_mib": max_rss_mib(),
                "cpu_seconds": cpu,
                **versions(),
            }
        )
    )


if __name__ == "__main__":
    main()
