"""Attack (6, network): send UDP datagrams to 127.0.0.1 on every port of the suite's range
(47800-47849; loopback only). UDP gives no answer, so it only says what it sent; the test's
listener says what arrived. Expected: nothing arrives (the worker has no network)."""
import socket

PORTS = range(47800, 47850)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    sent, error = 0, None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for port in PORTS:
            try:
                s.sendto(b"redteam net_udp_loopback: hello from a submission", ("127.0.0.1", port))
                sent += 1
            except OSError as e:
                error = e
    raise RuntimeError(f"udp datagrams sent: {sent} (last error: {error})")
