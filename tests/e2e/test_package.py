"""The Debian package (docs/operations.md, "Installing the package"): `cpack -G DEB` on the
build tree under test, then what the .deb declares and holds, its extracted binary serving, and
its systemd unit verified. A real installation into a fresh Debian 12 root is
scripts/test-package (run by scripts/test beside the suites)."""
# e2e: sqlite only: the .deb and its service run the embedded SQLite default, like scripts/run

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import check as expect  # noqa: E402

BUILD_DIR = os.environ.get("SEVU_BUILD_DIR", os.path.dirname(os.path.abspath(harness.SERVER_BIN)))
UNIT = "usr/lib/systemd/system/sevu-server.service"


def build_deb(out):
    p = subprocess.run(["cpack", "-G", "DEB", "-B", out], cwd=BUILD_DIR,
                       capture_output=True, text=True, timeout=300)
    expect(p.returncode == 0, p.stdout + p.stderr)
    debs = [f for f in os.listdir(out) if f.endswith(".deb")]
    expect(len(debs) == 1, debs)
    return os.path.join(out, debs[0])


def dpkg_deb(*args):
    return subprocess.run(["dpkg-deb", *args], capture_output=True, text=True, check=True).stdout


class Package:
    """The .deb built once for every test of this file, and its extracted tree."""
    tmp = deb = root = None

    @classmethod
    def get(cls):
        if cls.deb is None:
            cls.tmp = tempfile.mkdtemp(prefix="sevu-pkg-")
            cls.deb = build_deb(os.path.join(cls.tmp, "out"))
            cls.root = os.path.join(cls.tmp, "root")
            subprocess.run(["dpkg", "-x", cls.deb, cls.root], check=True)
        return cls


def test_control_declares_the_runtime_libraries():
    pkg = Package.get()
    info = dpkg_deb("-I", pkg.deb)
    expect(re.search(r"^ Package: sevu-server$", info, re.M), info)
    depends = re.search(r"^ Depends: (.*)$", info, re.M).group(1)
    names = [d.strip().split()[0] for d in depends.split(",")]
    # SQLite and OpenSSL's libcrypto are linked; Boost is header-only, compiled in;
    # adduser creates the system user in postinst.
    for lib in ("libsqlite3-0", "libssl3", "libstdc++6", "libc6", "adduser"):
        expect(lib in names, (lib, depends))
    expect(not any(n.startswith("libboost") for n in names), depends)
    for script in ("postinst", "prerm", "postrm"):
        text = dpkg_deb("--info", pkg.deb, script)
        p = subprocess.run(["sh", "-n"], input=text, capture_output=True, text=True)
        expect(p.returncode == 0, (script, p.stderr))
    expect(dpkg_deb("--info", pkg.deb, "conffiles").split() == ["/etc/sevu/sevu.env"])


def test_files_go_where_the_docs_say():
    pkg = Package.get()
    listing = dpkg_deb("-c", pkg.deb)
    files = {}
    for line in listing.splitlines():
        mode, _, _, _, _, path = line.split(None, 5)
        files[path.lstrip(".")] = mode
    for path in ("/usr/bin/sevu-server", "/" + UNIT, "/etc/sevu/sevu.env",
                 "/usr/share/doc/sevu-server/README.md",
                 "/usr/share/doc/sevu-server/docs/operations.md",
                 "/usr/share/doc/sevu-server/docs/console/timeline.png",
                 "/usr/share/doc/sevu-server/examples/hls.conf.in"):
        expect(path in files, (path, listing))
    expect(files["/usr/bin/sevu-server"] == "-rwxr-xr-x", files["/usr/bin/sevu-server"])
    expect(files["/etc/sevu/sevu.env"] == "-rw-------", files["/etc/sevu/sevu.env"])
    # The schema is compiled in, so nothing of schema/ is installed; no build path leaks.
    expect(not any("schema" in p or "_CPack" in p or "/usr/local" in p for p in files), files)
    with open(os.path.join(pkg.root, UNIT)) as f:
        unit = f.read()
    expect("@" not in unit.replace("@system-service", "").replace("@privileged", ""), unit)
    for line in ("User=sevu", "StateDirectory=sevu", "ProtectSystem=strict", "NoNewPrivileges=yes",
                 "CapabilityBoundingSet=", "EnvironmentFile=-/etc/sevu/sevu.env"):
        expect(re.search("^" + re.escape(line) + "$", unit, re.M), line)
    expect(re.search(r"^ExecStart=/usr/bin/sevu-server serve ", unit, re.M), unit)


def test_extracted_binary_runs_and_serves():
    pkg = Package.get()
    binary = os.path.join(pkg.root, "usr/bin/sevu-server")
    p = subprocess.run([binary, "--version"], capture_output=True, text=True)
    expect(p.returncode == 0 and p.stdout.startswith("sevu-server "), (p.returncode, p.stdout))
    saved, harness.SERVER_BIN = harness.SERVER_BIN, binary
    try:
        with harness.Server() as srv:
            status, _, body = harness.request("GET", srv.hook_url + "/healthz")
            expect(status == 200, (status, body))
            status, _, _ = harness.request("GET", srv.hook_url + "/readyz")
            expect(status == 200, status)
    finally:
        harness.SERVER_BIN = saved


def test_unit_passes_systemd_analyze_verify():
    if not shutil.which("systemd-analyze"):
        print("systemd-analyze not installed: unit not verified")
        return
    pkg = Package.get()
    # verify insists that ExecStart's binary exists: point it at the extracted one.
    with open(os.path.join(pkg.root, UNIT)) as f:
        unit = f.read().replace("/usr/bin/sevu-server", os.path.join(pkg.root, "usr/bin/sevu-server"))
    path = os.path.join(pkg.tmp, "sevu-server.service")
    with open(path, "w") as f:
        f.write(unit)
    p = subprocess.run(["systemd-analyze", "verify", "--man=no", path],
                       capture_output=True, text=True)
    # Any warning (an unknown or misspelled key, a bad value) fails the test.
    expect(p.returncode == 0 and not p.stdout.strip() and not p.stderr.strip(),
           (p.returncode, p.stdout, p.stderr))
    p = subprocess.run(["systemd-analyze", "security", "--offline=yes", path],
                       capture_output=True, text=True)
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", p.stdout)
    expect(m and float(m.group(1)) <= 2.0, p.stdout[-500:])


if __name__ == "__main__":
    try:
        harness.main(globals())
    finally:
        if Package.tmp:
            shutil.rmtree(Package.tmp, ignore_errors=True)
