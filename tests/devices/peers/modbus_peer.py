# What the pymodbus peers share: a free port on 127.0.0.1, "ready PORT" printed for the test,
# then the server (Debian's python3-pymodbus) until the test stops the process.
import socket

from pymodbus.server import StartTcpServer


def serve(context):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    print(f"ready {port}", flush=True)
    StartTcpServer(context=context, address=("127.0.0.1", port))
