"""The trust boundary: submission code runs only in worker processes forked from a zygote.

- ``client``  trusted side: zygote and worker handles, timeouts, memory watchdog;
- ``zygote``  imports torch once and forks workers;
- ``worker``, ``drivers``, ``oprecorder``  untrusted side: run the submission, record ops;
- ``wire``    the only thing both sides share: JSON headers and raw tensor bytes.
"""
