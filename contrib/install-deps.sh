#!/usr/bin/env bash
# Installs the Debian 12 packages that building crio, running it and its tests need.
# Idempotent; run as root.
set -euo pipefail

BUILD=(build-essential pkg-config git
       libgrpc-dev protobuf-compiler protobuf-c-compiler libprotobuf-c-dev
       libglib2.0-dev libjson-glib-dev libselinux1-dev libsystemd-dev
       libarchive-dev zlib1g-dev libzstd-dev
       libcurl4-openssl-dev libssl-dev libgpgme-dev libyaml-dev)
RUN=(runc containernetworking-plugins iptables apparmor)
TEST=(bats jq python3-grpcio python3-protobuf systemd dbus procps skopeo podman busybox-static crun iproute2 util-linux
      docker-registry gnupg openssl python3-cryptography apache2-utils
      qemu-system-x86 selinux-policy-default policycoreutils selinux-utils)

export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${BUILD[@]}" "${RUN[@]}" "${TEST[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
        echo "installing: ${missing[*]}"
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
