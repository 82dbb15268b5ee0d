#!/bin/sh
# LAB STAND-IN for eucanetd's read-only reports only (not eucanetd; tests only): `eucanetd -l`
# (4.3+, list the VPCMIDO objects) and `eucanetd -g` (4.4, list gateways / BGP status), per the
# shared reference eucalyptus-admin-tools.md §6.1/§6.2. Like every real eucanetd invocation it
# writes its own pid into $EUCALYPTUS/var/run/eucalyptus/eucanetd.pid (even the read-only ones,
# which skip the UDP 63822 lock), so the caller must put the daemon's pid back. Any other option
# prints the usage and exits 1, as -h does.
pidfile="${EUCALYPTUS:-}/var/run/eucalyptus/eucanetd.pid"
mkdir -p "$(dirname "$pidfile")"
echo $$ > "$pidfile"
case "$1" in
  -l) echo "VPCMIDO objects (lab stand-in listing): router eucart, bridge eucabr"; exit 0 ;;
  -g) echo "gateways (lab stand-in listing): 1 gateway, no BGP"; exit 0 ;;
  *) echo "USAGE: eucanetd [-d] [-F] [-f] [-l] [-g]" >&2; exit 1 ;;
esac
