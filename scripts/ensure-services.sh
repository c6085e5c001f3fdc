#!/usr/bin/env bash
# Starts PostgreSQL and/or Redis on 127.0.0.1 when they are installed here but not answering.
set -euo pipefail
for service in "$@"; do
  case "$service" in
    postgres)
      if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
        echo "services: starting PostgreSQL"
        version=$(ls /etc/postgresql | sort -V | tail -n 1)
        pg_ctlcluster --skip-systemctl-redirect "$version" main start
        for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
      fi
      pg_isready -h 127.0.0.1 -p 5432
      ;;
    redis)
      if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
        echo "services: starting Redis"
        mkdir -p /var/lib/redis /var/log/redis
        redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
          --dir /var/lib/redis --logfile /var/log/redis/ci.log
        for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
      fi
      echo "redis: $(redis-cli -h 127.0.0.1 -p 6379 ping)"
      ;;
    *) echo "unknown service $service" >&2; exit 2 ;;
  esac
done
