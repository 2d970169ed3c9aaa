#!/usr/bin/env bash
# Container HEALTHCHECK: exits 0 when GET /q/health/ready answers 200 (the model is loaded).
# Uses bash's /dev/tcp because the JRE base image has neither curl nor wget.
set -euo pipefail
port="${1:-${QUARKUS_HTTP_PORT:-8080}}"
path="${2:-/q/health/ready}"
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 5 status <&3
exec 3<&-
[[ "$status" =~ ^HTTP/1\.[01]\ 200 ]]
