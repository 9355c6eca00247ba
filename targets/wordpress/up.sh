#!/usr/bin/env bash
# Bring up a real WordPress (Debian's package) on loopback for the anp-loadkit wordpress adapter.
#
#   targets/wordpress/up.sh            # root dir $ANP_WP_ROOT (/tmp/anp-wp), port $ANP_WP_PORT (8080)
#   targets/wordpress/down.sh          # stops it again, by the recorded PIDs
#
# What it does: apt-get installs wordpress + mariadb + apache2 + mod_php when missing; starts a
# private MariaDB on a unix socket (no TCP port) and a private Apache with mod_php listening on
# 127.0.0.1 only; runs the web installer with curl; creates an Application Password; installs the
# must-use plugin anp-loadtest.php; writes $ROOT/credentials.env (ANP_WP_URL, ANP_WP_USER,
# ANP_WP_APP_PASSWORD, mode 600). No systemd is needed and nothing outside $ROOT is changed apart
# from the apt packages. If a WordPress from an earlier run is still answering, it is reused.
# Exit codes: 0 ready, 1 failure (the log files under $ROOT say why), 2 bad settings.
set -euo pipefail

ROOT=${ANP_WP_ROOT:-/tmp/anp-wp}
PORT=${ANP_WP_PORT:-8080}
URL="http://127.0.0.1:${PORT}"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ADMIN_USER=anp-admin
START=$(date +%s%N)

say() { local ms=$((($(date +%s%N) - START) / 1000000)); printf 'anp-wp: %s (%d.%03ds)\n' "$1" $((ms / 1000)) $((ms % 1000)); }
die() { printf 'anp-wp: error: %s\n' "$1" >&2; exit "${2:-1}"; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

case "$PORT" in ''|*[!0-9]*) die "ANP_WP_PORT must be a port number, got '$PORT'" 2;; esac
case "$ROOT" in /*) ;; *) die "ANP_WP_ROOT must be an absolute path, got '$ROOT'" 2;; esac
# Only ever stop servers of, or delete, a folder this script made (it leaves a marker in it).
if [ -e "$ROOT" ] && [ ! -e "$ROOT/.anp-wp" ] && [ -n "$(ls -A "$ROOT" 2>/dev/null)" ]; then
  die "ANP_WP_ROOT=$ROOT exists, is not empty and was not made by this script; refusing to use it" 2
fi
[ "$(id -u)" = 0 ] || die "must run as root (apt-get, and servers running as www-data/mysql)" 2

# 0. Reuse a running instance from an earlier call.
if [ -s "$ROOT/credentials.env" ] && alive "$ROOT/run/mysqld.pid" && alive "$ROOT/run/apache2.pid"; then
  # shellcheck disable=SC1091
  . "$ROOT/credentials.env"
  if curl -fsS -o /dev/null -u "$ANP_WP_USER:$ANP_WP_APP_PASSWORD" "$ANP_WP_URL/wp-json/anp/v1/info"; then
    # the mu-plugin may have changed since; copying it is cheap and takes effect at once
    install -m 644 -o www-data -g www-data "$HERE/anp-loadtest.php" "$ROOT/wp/wp-content/mu-plugins/anp-loadtest.php"
    say "already running at $ANP_WP_URL; credentials in $ROOT/credentials.env"
    exit 0
  fi
fi
[ -d "$ROOT" ] && "$HERE/down.sh" >/dev/null 2>&1 || true

# 1. Packages (Debian bookworm: wordpress 6.1, mariadb 10.11, apache 2.4, php 8.2).
PACKAGES="wordpress wordpress-theme-twentytwentythree mariadb-server mariadb-client apache2
  libapache2-mod-php php-mysql php-mbstring php-xml curl"
missing=""
for p in $PACKAGES; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"; done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  # shellcheck disable=SC2086
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $missing >"/tmp/anp-wp-apt.log" 2>&1 \
    || die "apt-get install failed, see /tmp/anp-wp-apt.log"
  START=$(date +%s%N)   # the timings below are for bringing WordPress up, not for apt
  say "installed:$missing"
fi

# The port must be free: never talk to, or kill, somebody else's server.
if curl -s -o /dev/null --max-time 2 "$URL/"; then
  die "something already listens on 127.0.0.1:$PORT and it is not this script's WordPress; set ANP_WP_PORT" 2
fi

rm -rf "$ROOT"
mkdir -p "$ROOT/run" && chmod 755 "$ROOT" && chown mysql:mysql "$ROOT/run"
touch "$ROOT/.anp-wp"
PHPLIB=$(ls /usr/lib/apache2/modules/libphp8*.so | head -n1)

# 2. Private MariaDB on a unix socket.
mariadb-install-db --no-defaults --user=mysql --datadir="$ROOT/mysql" \
  --auth-root-authentication-method=socket --skip-test-db >"$ROOT/mariadb-install.log" 2>&1 \
  || die "mariadb-install-db failed, see $ROOT/mariadb-install.log"
mariadbd --no-defaults --user=mysql --datadir="$ROOT/mysql" --skip-networking \
  --socket="$ROOT/run/mysqld.sock" --pid-file="$ROOT/run/mysqld.pid" \
  --innodb-flush-log-at-trx-commit=2 --log-error="$ROOT/mariadb.err" </dev/null >/dev/null 2>&1 &
for _ in $(seq 100); do [ -S "$ROOT/run/mysqld.sock" ] && break; sleep 0.1; done
[ -S "$ROOT/run/mysqld.sock" ] || die "MariaDB did not start, see $ROOT/mariadb.err"
DB_PASS=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
mariadb --no-defaults -S "$ROOT/run/mysqld.sock" -uroot -e "
  CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
  CREATE USER 'anpwp'@'localhost' IDENTIFIED BY '$DB_PASS';
  GRANT ALL ON wordpress.* TO 'anpwp'@'localhost';"
say "MariaDB up (pid $(cat "$ROOT/run/mysqld.pid"))"

# 3. A private copy of the packaged tree, with a plain wp-config.php (Debian's one reads /etc).
cp -a /usr/share/wordpress "$ROOT/wp"
rm -f "$ROOT/wp/wp-config.php" "$ROOT/wp/.htaccess"
install -d -o www-data -g www-data "$ROOT/wp/wp-content/uploads" "$ROOT/wp/wp-content/mu-plugins"
install -m 644 -o www-data -g www-data "$HERE/anp-loadtest.php" "$ROOT/wp/wp-content/mu-plugins/anp-loadtest.php"
{
  echo "<?php"
  echo "define('DB_NAME', 'wordpress');"
  echo "define('DB_USER', 'anpwp');"
  echo "define('DB_PASSWORD', '$DB_PASS');"
  echo "define('DB_HOST', 'localhost:$ROOT/run/mysqld.sock');"
  echo "define('DB_CHARSET', 'utf8mb4');"
  echo "define('DB_COLLATE', '');"
  for k in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
    echo "define('$k', '$(head -c 33 /dev/urandom | base64 | tr -d "'\\\\")');"
  done
  echo "\$table_prefix = 'wp_';"
  echo "define('WP_ENVIRONMENT_TYPE', 'local'); // Application Passwords over plain http"
  echo "define('WP_HTTP_BLOCK_EXTERNAL', true); // no outbound traffic (update checks)"
  echo "define('AUTOMATIC_UPDATER_DISABLED', true);"
  echo "define('WP_AUTO_UPDATE_CORE', false);"
  echo "define('DISABLE_WP_CRON', true);"
  echo "define('WP_DEBUG', false);"
  echo "if (!defined('ABSPATH')) { define('ABSPATH', __DIR__ . '/'); }"
  echo "require_once ABSPATH . 'wp-settings.php';"
} >"$ROOT/wp/wp-config.php"
chmod 640 "$ROOT/wp/wp-config.php" && chgrp www-data "$ROOT/wp/wp-config.php"

# 4. A private Apache (prefork + mod_php) on 127.0.0.1 only.
cat >"$ROOT/apache2.conf" <<CONF
ServerRoot "/etc/apache2"
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
PidFile $ROOT/run/apache2.pid
Mutex file:$ROOT/run default
DefaultRuntimeDir $ROOT/run
User www-data
Group www-data
ErrorLog $ROOT/apache-error.log
LogLevel warn
LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so
LoadModule setenvif_module /usr/lib/apache2/modules/mod_setenvif.so
LoadModule php_module $PHPLIB
TypesConfig /etc/mime.types
StartServers 4
MinSpareServers 2
MaxSpareServers 8
MaxRequestWorkers 16
KeepAlive On
LogFormat "%h \"%r\" %>s %b %D" anp
CustomLog $ROOT/apache-access.log anp
DocumentRoot $ROOT/wp
DirectoryIndex index.php
<FilesMatch "\.php\$">
  SetHandler application/x-httpd-php
</FilesMatch>
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $ROOT/wp>
  Options FollowSymLinks
  AllowOverride None
  Require all granted
  SetEnvIf Authorization "(.*)" HTTP_AUTHORIZATION=\$1
  RewriteEngine On
  RewriteBase /
  RewriteRule ^index\.php\$ - [L]
  RewriteCond %{REQUEST_FILENAME} !-f
  RewriteCond %{REQUEST_FILENAME} !-d
  RewriteRule . /index.php [L]
</Directory>
CONF
apache2 -f "$ROOT/apache2.conf" -k start || die "Apache did not start, see $ROOT/apache-error.log"
for _ in $(seq 100); do curl -s -o /dev/null --max-time 2 "$URL/" && break; sleep 0.1; done
say "Apache up on $URL (pid $(cat "$ROOT/run/apache2.pid"))"

# 5. The web installer, without a browser.
ADMIN_PASS=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
curl -fsS --max-time 60 -o "$ROOT/install.html" "$URL/wp-admin/install.php?step=2" \
  --data-urlencode 'weblog_title=anp loadtest' --data-urlencode "user_name=$ADMIN_USER" \
  --data-urlencode "admin_password=$ADMIN_PASS" --data-urlencode "admin_password2=$ADMIN_PASS" \
  --data-urlencode 'pw_weak=1' --data-urlencode 'admin_email=anp@example.invalid' \
  --data-urlencode 'blog_public=0' --data-urlencode 'language=' \
  || die "the WordPress installer request failed, see $ROOT/apache-error.log"
grep -q '<h1>Success!</h1>' "$ROOT/install.html" || die "WordPress install failed, see $ROOT/install.html"
say "WordPress installed"

# 6. Cookie login -> REST nonce -> Application Password (sent later as HTTP Basic auth).
JAR="$ROOT/run/cookies.txt"
curl -fsS --max-time 30 -o /dev/null -c "$JAR" -b 'wordpress_test_cookie=WP%20Cookie%20check' \
  "$URL/wp-login.php" --data-urlencode "log=$ADMIN_USER" --data-urlencode "pwd=$ADMIN_PASS" \
  --data-urlencode 'testcookie=1'
NONCE=$(curl -fsS --max-time 30 -b "$JAR" "$URL/wp-admin/admin-ajax.php?action=rest-nonce")
APP_JSON=$(curl -fsS --max-time 30 -b "$JAR" -H "X-WP-Nonce: $NONCE" -H 'Content-Type: application/json' \
  -d '{"name":"anp-loadkit"}' "$URL/wp-json/wp/v2/users/me/application-passwords")
rm -f "$JAR"
APP_PW=$(printf '%s' "$APP_JSON" | sed -n 's/.*"password":"\([^"]*\)".*/\1/p')
[ -n "$APP_PW" ] || die "could not create an Application Password"
umask 077
{
  echo "ANP_WP_URL=$URL"
  echo "ANP_WP_USER=$ADMIN_USER"
  echo "ANP_WP_APP_PASSWORD='$APP_PW'"
} >"$ROOT/credentials.env.tmp"
mv "$ROOT/credentials.env.tmp" "$ROOT/credentials.env"

# 7. Check: the plugin's route answers with the Application Password.
INFO=$(curl -fsS --max-time 30 -u "$ADMIN_USER:$APP_PW" "$URL/wp-json/anp/v1/info") \
  || die "the anp-loadtest plugin route does not answer, see $ROOT/apache-error.log"
say "ready: $INFO"
echo "ANP_WP_URL=$URL"
echo "credentials: $ROOT/credentials.env"
echo "stop with: ANP_WP_ROOT=$ROOT $HERE/down.sh"
