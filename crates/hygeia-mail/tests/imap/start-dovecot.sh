#!/usr/bin/env bash
# Starts a throw-away Dovecot on loopback for the IMAP integration test (run as root):
# a self-signed certificate for "localhost", one user with the project's fixture messages
# (some already read, some new), IMAPS on port $2 (default 10993), STARTTLS on port $2 - 850.
# Prints the environment variables the test reads. Stop it with: kill "$(cat DIR/run/master.pid)"
set -euo pipefail
dir=${1:?usage: start-dovecot.sh DIR [PORT]}
port=${2:-10993}
starttls_port=$((port - 850))
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../fixtures/messages"
mkdir -p "$dir"/{run,state,mail}
dir=$(cd "$dir" && pwd)
# Dovecot's auth and mail processes run as other users and must be able to enter the folder.
chmod 755 "$dir"
id hygeia-imap >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin hygeia-imap
uid=$(id -u hygeia-imap); gid=$(id -g hygeia-imap)

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost" -addext "basicConstraints=critical,CA:FALSE" \
  -addext "keyUsage=critical,digitalSignature,keyEncipherment" -addext "extendedKeyUsage=serverAuth" \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null

echo "drlee:{PLAIN}hygeia-test-password:$uid:$gid::$dir/mail/drlee" > "$dir/users"
box="$dir/mail/drlee/Maildir"
mkdir -p "$box"/{cur,new,tmp}
n=0
for message in "$fixtures"/phish-*.eml "$fixtures"/ham-*.eml "$fixtures"/lure-rlo.eml; do
  n=$((n + 1))
  if [ $((n % 2)) -eq 0 ]; then
    cp "$message" "$box/cur/170000000$n.M$n.hygeia:2,S"
  else
    cp "$message" "$box/new/170000000$n.M$n.hygeia"
  fi
done
chown -R "$uid:$gid" "$dir/mail"

cat > "$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <$dir/cert.pem
ssl_key = <$dir/key.pem
auth_mechanisms = plain login
disable_plaintext_auth = yes
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $dir/users
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $starttls_port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $port
    ssl = yes
  }
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
CONF
dovecot -c "$dir/dovecot.conf"
for _ in $(seq 1 50); do
  (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
  sleep 0.1
done
echo "HYGEIA_TEST_IMAP=127.0.0.1:$port"
echo "HYGEIA_TEST_IMAP_STARTTLS=127.0.0.1:$starttls_port"
echo "HYGEIA_TEST_IMAP_USER=drlee"
echo "HYGEIA_TEST_IMAP_PASSWORD=hygeia-test-password"
echo "HYGEIA_TEST_IMAP_CA=$dir/cert.pem"
echo "HYGEIA_TEST_IMAP_MAILDIR=$box"
