"""Run the collectors over every account and region in parallel, with a bounded pool.

One ``IamCollector`` per account (IAM is global), one ``LambdaCollector`` per account and region.
A worker that fails entirely becomes a coverage gap for its account/region; the rest is still audited.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed

from botocore.exceptions import BotoCoreError, ClientError

from hullguard.cloud.collectors.facts import LiveRegion
from hullguard.cloud.collectors.iam import IamCollector
from hullguard.cloud.collectors.lambda_ import LambdaCollector
from hullguard.cloud.collectors.usage import collect_invocations
from hullguard.cloud.coverage import Coverage
from hullguard.cloud.session import Target, enabled_regions

# (label, functions described, functions listed) for a progress bar; called from worker threads.
ProgressSink = Callable[[str, int, int], None]


def collect(
    targets: list[Target],
    coverage: Coverage,
    regions: list[str] | None = None,
    region_workers: int = 4,
    function_workers: int = 8,
    unused_days: int = 0,
    progress: ProgressSink | None = None,
) -> list[LiveRegion]:
    """Every function of every target in every enabled region, as ``LiveRegion`` models (sorted)."""
    jobs: list[tuple[Target, str, IamCollector]] = []
    for target in targets:
        iam = IamCollector(target, coverage)
        try:
            target_regions = enabled_regions(target, coverage, regions)
        except (ClientError, BotoCoreError) as exc:
            coverage.add(target.account, "", "account (no region could be listed)", exc)
            continue
        jobs.extend((target, region, iam) for region in target_regions)

    lock = threading.Lock()
    results: list[LiveRegion] = []

    def run(target: Target, region: str, iam: IamCollector) -> LiveRegion | None:
        label = f"{target.account}/{region}"

        def report(done: int, total: int) -> None:
            if progress:
                progress(label, done, total)

        try:
            live = LambdaCollector(target, region, iam, coverage, function_workers, report).collect()
            if unused_days:
                collect_invocations(target, live, unused_days, coverage)
        except (ClientError, BotoCoreError) as exc:
            coverage.add(target.account, region, "region", exc)
            return None
        except Exception as exc:  # one region's failure is reported, never hides the others
            coverage.add(target.account, region, "region (unexpected error)", exc, reason="error")
            return None
        report(len(live.app.functions), len(live.app.functions))
        return live

    with ThreadPoolExecutor(max_workers=max(1, region_workers), thread_name_prefix="hg-region") as pool:
        futures = [pool.submit(run, *job) for job in jobs]
        for future in as_completed(futures):
            live = future.result()
            if live is not None:
                with lock:
                    results.append(live)
    return sorted(results, key=lambda r: (r.account, r.region))
