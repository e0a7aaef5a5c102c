#!/bin/sh
# /usr/local/sbin/genba: a genba command as the service runs it (docs/deploy.md, section 1):
# as the genba user, with the service's settings, so every file it makes belongs to genba.
#   sudo genba user add admin --role admin
#   sudo genba backup /var/lib/genba/backups/by-hand.tar.gz
#   sudo genba verify
set -eu
umask 027  # files it makes: readable by the genba group only, as the service makes them
export GENBA_DATA=/var/lib/genba
export GENBA_CHECKLISTS=/opt/genba/current/checklists
export GENBA_PWA=/opt/genba/current/pwa
if [ -r /etc/genba/genba.env ]; then
    set -a
    . /etc/genba/genba.env
    set +a
fi
exec runuser -u genba -- /opt/genba/current/.venv/bin/genba "$@"
