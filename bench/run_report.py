"""One report run computed in this process, as a worker would: ``python -m bench.run_report RUN_ID``.

Prints one JSON line: the seconds ``report_run_execute`` took and the process's peak memory
(``ru_maxrss`` and ``VmHWM``, KiB), read once the run is done."""

import json
import resource
import sys
import time

from bench.django_env import setup


def peak_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main(run_id: int) -> None:
    setup()
    from reports.services import report_run_execute

    before = peak_kib()
    started = time.perf_counter()
    run = report_run_execute(run_id=run_id)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "status": run.status,
                "error": run.error,
                "seconds": seconds,
                "rows": run.row_count,
                "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "vmhwm_kib": peak_kib(),
                "vmhwm_before_kib": before,
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
