"""Attack (6, network): resolve a name (pypi.org) -- the first step of any exfiltration,
and a channel by itself (the name asked carries data). Reports "RT-NET-REACHED" with the
address if it resolved. Expected: no resolution (the worker has no network)."""
import socket


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    try:
        address = socket.getaddrinfo("pypi.org", 443)[0][4][0]
    except OSError as e:
        raise RuntimeError(f"no DNS: {e}") from None
    raise RuntimeError(f"RT-NET-REACHED dns pypi.org -> {address}")
