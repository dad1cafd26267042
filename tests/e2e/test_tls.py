#!/usr/bin/env python3
"""TLS on the public listener (docs/operations.md, TLS): with --tls-cert/--tls-key the API
speaks HTTPS (curl --cacert verifies it), plain HTTP on that port gets no answer, the hook
listener stays plain, and SIGHUP loads a renewed certificate for new connections."""
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import DEMO, Server, check, request  # noqa: E402


def make_cert(directory, name):
    """A self-signed certificate for 127.0.0.1 (its own CA), as PEM files."""
    cert, key = os.path.join(directory, name + ".pem"), os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=" + name, "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def served_cert(port):
    """The certificate the server presents, as PEM (not verified)."""
    return ssl.get_server_certificate(("127.0.0.1", port))


def test_https_on_the_public_listener_and_a_renewal_on_sighup():
    tmp = tempfile.mkdtemp(prefix="sevu-tls-")
    first_cert, first_key = make_cert(tmp, "first")
    cert, key = os.path.join(tmp, "live.pem"), os.path.join(tmp, "live.key")
    shutil.copy(first_cert, cert)
    shutil.copy(first_key, key)
    with Server(extra_args=["--tls-cert", cert, "--tls-key", key]) as srv:
        check(srv.api_url.startswith("https://"), srv.api_url)
        port = int(srv.api_url.rsplit(":", 1)[1])
        url = "https://127.0.0.1:%d/v2/sevu_token" % port
        auth = "%s:%s" % (DEMO["cdn"], DEMO["secret"])
        out = subprocess.run(["curl", "-sS", "--cacert", first_cert, "-u", auth, "-o", "/dev/null",
                              "-w", "%{http_code}", url], capture_output=True, text=True)
        check(out.returncode == 0 and out.stdout == "200", (out.returncode, out.stdout, out.stderr))
        # Without the CA, curl refuses the certificate: it really is TLS with that certificate.
        out = subprocess.run(["curl", "-sS", "-u", auth, "-o", "/dev/null", url],
                             capture_output=True, text=True)
        check(out.returncode == 60, (out.returncode, out.stderr))
        # Plain HTTP on the TLS port gets no HTTP answer.
        out = subprocess.run(["curl", "-sS", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}",
                              "http://127.0.0.1:%d/v2/sevu_token" % port],
                             capture_output=True, text=True)
        check(out.stdout != "200", (out.returncode, out.stdout))
        # The hook listener stays plain HTTP (media servers call it on loopback).
        status, _, _ = request("GET", srv.hook_url + "/healthz")
        check(status == 200, status)

        # A renewal: new files under the same names, then SIGHUP.
        second_cert, second_key = make_cert(tmp, "second")
        check(served_cert(port) == open(first_cert).read(), "first certificate not served")
        shutil.copy(second_cert, cert)
        shutil.copy(second_key, key)
        srv.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while served_cert(port) != open(second_cert).read() and time.monotonic() < deadline:
            time.sleep(0.1)
        check(served_cert(port) == open(second_cert).read(), "the renewed certificate is not served")
        out = subprocess.run(["curl", "-sS", "--cacert", second_cert, "-u", auth, "-o", "/dev/null",
                              "-w", "%{http_code}", url], capture_output=True, text=True)
        check(out.stdout == "200", (out.returncode, out.stdout, out.stderr))

        # A broken renewal keeps the certificate in use.
        with open(cert, "w") as f:
            f.write("not a certificate\n")
        srv.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        check(srv.proc.poll() is None, "a bad certificate on SIGHUP ended the process")
        check(served_cert(port) == open(second_cert).read(), "the certificate in use was dropped")


def test_tls_options_are_checked_at_start():
    tmp = tempfile.mkdtemp(prefix="sevu-tls-")
    cert, key = make_cert(tmp, "only")
    out = subprocess.run([harness.SERVER_BIN, "serve", "--tls-cert", cert, "--db",
                          os.path.join(tmp, "x.db"), "--check-config"], capture_output=True, text=True)
    check(out.returncode != 0 and "--tls-key" in out.stderr, (out.returncode, out.stderr))
    bad = os.path.join(tmp, "bad.pem")
    with open(bad, "w") as f:
        f.write("nope\n")
    out = subprocess.run([harness.SERVER_BIN, "serve", "--listen", "127.0.0.1:0", "--hook-listen",
                          "127.0.0.1:0", "--tls-cert", bad, "--tls-key", key, "--db",
                          os.path.join(tmp, "y.db")], capture_output=True, text=True, timeout=30)
    check(out.returncode != 0 and "bad.pem" in out.stderr, (out.returncode, out.stderr))


if __name__ == "__main__":
    harness.main(globals())
