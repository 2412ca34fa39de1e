#!/usr/bin/env bash
# local_site.sh start DOCROOT RUN_DIR   -> starts nginx on 127.0.0.1 on a free port serving
#                                          DOCROOT; prints the base URL (http://127.0.0.1:PORT)
# local_site.sh stop RUN_DIR            -> stops that nginx
# Used by the demo and the benchmarks so that nothing needs a server started by hand.
set -euo pipefail

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

case "${1:-}" in
  start)
    docroot="$(cd "$2" && pwd)"; run="$3"
    mkdir -p "$run"/tmp; run="$(cd "$run" && pwd)"
    port="$(free_port)"
    user_line=""
    [[ $(id -u) -eq 0 ]] && user_line="user root;"  # workers must read docroots that only root can
    cat > "$run/nginx.conf" <<CONF
$user_line
worker_processes ${NGINX_WORKERS:-1};
pid $run/nginx.pid;
error_log $run/error.log warn;
daemon on;
events { worker_connections 4096; multi_accept on; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off; sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_timeout 65; keepalive_requests 1000000; server_tokens off;
  open_file_cache max=20000 inactive=60s;
  client_body_temp_path $run/tmp/body; proxy_temp_path $run/tmp/proxy;
  fastcgi_temp_path $run/tmp/fcgi; uwsgi_temp_path $run/tmp/uwsgi; scgi_temp_path $run/tmp/scgi;
  server { listen 127.0.0.1:$port; root $docroot; index index.html; }
}
CONF
    /usr/sbin/nginx -c "$run/nginx.conf" -p "$run" -q
    for _ in $(seq 50); do [[ -s "$run/nginx.pid" ]] && break; sleep 0.1; done
    [[ -s "$run/nginx.pid" ]] || { echo "local_site: nginx did not start" >&2; cat "$run/error.log" >&2; exit 1; }
    echo "http://127.0.0.1:$port"
    ;;
  stop)
    run="$2"
    if [[ -s "$run/nginx.pid" ]]; then
      pid="$(cat "$run/nginx.pid")"
      kill -QUIT "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -TERM "$pid" 2>/dev/null || true
    fi
    ;;
  *) echo "usage: $0 start DOCROOT RUN_DIR | stop RUN_DIR" >&2; exit 2 ;;
esac
