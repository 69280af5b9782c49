"""The nginx configuration `bench/public_page.py --via nginx` runs: the deploy file's public
pages cache, copied (no Django here: tests/deploy/ checks it with `nginx -t`)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY_NGINX = ROOT / "deploy" / "nginx-pledgebook.conf"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _block(text: str, start: int) -> str:
    """The directive starting at `start`, up to its `;` or its matching `}`."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
        elif text[i] == ";" and depth == 0:
            return text[start : i + 1]
    raise ValueError(f"unbalanced nginx configuration after {text[start : start + 40]!r}")


def deploy_cache_parts(text: str) -> dict[str, list[str]]:
    """What the bench copies from the deploy file: the cache zone, the maps, the loopback server
    that compresses the public pages and its upstream (top level), and the https server's
    `location ^~ /public/` block and gzip directives."""
    text = re.sub(r"(?m)^[ \t]*#[^\n]*\n", "", text)  # comment lines
    text = re.sub(r"#[^\n]*", "", text)  # comments after a directive

    def top(name: str) -> list[str]:
        return [_block(text, m.start()) for m in re.finditer(rf"^{name}\b", text, re.M)]

    servers = top("server")
    https = "".join(s for s in servers if re.search(r"listen 443\b", s))
    inner_upstream = [u for u in top("upstream") if u.startswith("upstream pledgebook_public ")]
    inner_address = re.search(r"server (127\.0\.0\.1:\d+)", "".join(inner_upstream))
    inner = [
        s
        for s in servers
        if inner_address and re.search(rf"listen {re.escape(inner_address[1])};", s)
    ]
    https_head = https.split("location", 1)[0]  # the server's own directives
    parts = {
        "cache_path": top("proxy_cache_path"),
        "maps": top("map"),
        "inner_upstream": inner_upstream,
        "inner_server": inner,
        "public": [
            _block(https, m.start(1))
            for m in re.finditer(r"^\s*(location \^~ /public/ )\{", https, re.M)
        ],
        "gzip": [m[0].strip() for m in re.finditer(r"(?m)^\s*gzip\w* [^;]*;", https_head)],
    }
    missing = [name for name, found in parts.items() if not found]
    if missing:
        sys.exit(f"{DEPLOY_NGINX}: no {', '.join(missing)} found to copy")
    parts["inner_address"] = [inner_address[1]]
    return parts


def nginx_config(workdir: Path, *, port: int, upstream_port: int) -> str:
    """A whole nginx.conf: the deploy file's cache parts on plain http on the loopback; the
    loopback compressing server moved to a free port too."""
    parts = deploy_cache_parts(DEPLOY_NGINX.read_text())
    inner = f"127.0.0.1:{free_port()}"
    cache_dir = workdir / "cache"
    cache_path = re.sub(
        r"proxy_cache_path\s+\S+", f"proxy_cache_path {cache_dir}", parts["cache_path"][0]
    )
    temp = "\n".join(
        f"    {name}_temp_path {workdir / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    maps = "\n".join(parts["maps"])
    inner_parts = "\n".join(parts["inner_upstream"] + parts["inner_server"]).replace(
        parts["inner_address"][0], inner
    )
    gzip = "\n".join(f"    {line}" for line in parts["gzip"])
    public = "\n".join(parts["public"])
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""# Written by bench/public_page.py from {DEPLOY_NGINX.name}; removed after the run.
{user}
worker_processes auto;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    access_log {workdir / "access.log"};
{temp}
{cache_path}
{maps}
upstream pledgebook {{
    server 127.0.0.1:{upstream_port};
    keepalive 32;
}}
{inner_parts}
server {{
    listen 127.0.0.1:{port};
    server_name 127.0.0.1;
{gzip}
    {public}
    location / {{
        proxy_pass http://pledgebook;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
    }}
}}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        sys.exit(
            "nginx is not installed: `apt-get install -y nginx` (Debian's package), then run "
            "`bench/public_page.py --via nginx` again. No figure was measured."
        )
    return found
