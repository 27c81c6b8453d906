#!/usr/bin/env bash
# One command from a fresh Debian 12 machine, as root: install the packages crio needs,
# build, install under /usr/local, and start crio with the default configuration.
# With systemd as PID 1 crio runs as the crio.service unit; otherwise in the background,
# logging to /var/log/crio.log. Ends by asking crio its version over the CRI socket.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-/usr/local}

./contrib/install-deps.sh
make -j"$(nproc)"
make install PREFIX="$PREFIX"

sock=/var/run/crio/crio.sock
if [ -d /run/systemd/system ]; then
        systemctl daemon-reload
        systemctl enable crio.service
        systemctl restart crio.service
else
        if [ -f /var/run/crio/crio.pid ] && kill -0 "$(cat /var/run/crio/crio.pid)" 2>/dev/null; then
                echo "stopping the crio started earlier (pid $(cat /var/run/crio/crio.pid))"
                kill -TERM "$(cat /var/run/crio/crio.pid)"
                for _ in $(seq 1 100); do kill -0 "$(cat /var/run/crio/crio.pid)" 2>/dev/null || break; sleep 0.1; done
        fi
        mkdir -p /var/run/crio
        nohup "$PREFIX/bin/crio" </dev/null >>/var/log/crio.log 2>&1 &
        echo $! >/var/run/crio/crio.pid
        echo "crio started (pid $!), logging to /var/log/crio.log"
fi
for _ in $(seq 1 100); do
        "$PREFIX/bin/crioctl" -r "unix://$sock" version >/dev/null 2>&1 && break
        sleep 0.1
done
"$PREFIX/bin/crioctl" -r "unix://$sock" version
