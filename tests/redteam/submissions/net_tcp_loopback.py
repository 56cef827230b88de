"""Attack (6, network): open TCP connections to 127.0.0.1 on every port of the suite's range
(47800-47849; loopback only) and send a hello. Reports "RT-NET-REACHED" with the ports that
answered. Expected: no connection reaches the test's listener (the worker has no network)."""
import socket

PORTS = range(47800, 47850)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    reached, error = [], None
    for port in PORTS:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(b"redteam net_tcp_loopback: hello from a submission")
                reached.append(port)
        except OSError as e:
            error = e
    if reached:
        raise RuntimeError(f"RT-NET-REACHED tcp ports {reached}")
    raise RuntimeError(f"no TCP connection: {error}")
