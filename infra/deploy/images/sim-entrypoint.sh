#!/bin/sh
# Maps the container's environment onto the simulators' settings (they read -Dsim.* properties):
#   SIM_<NAME>_PORT      API port of one simulator (defaults 18101..18105: vastai tensordock rackrr barrack trooper)
#   SIM_<NAME>_API_KEY   its API key (kept in a 0600 file, not on the command line; unset = the built-in
#                        sim-<name>-key, which the provider-gateway refuses as a known default)
#   SIM_CONFIG_FILE      an extra properties file of simulator settings (see infra/provider-sim/README.md)
#   BROKER_CLOCK_EPOCH / BROKER_CLOCK_ORIGIN / BROKER_CLOCK_SCALE   the shared broker clock
set -eu
keys=$(mktemp /tmp/simulator-keys.XXXXXX)
chmod 600 "$keys"
[ -n "${SIM_CONFIG_FILE:-}" ] && cat "$SIM_CONFIG_FILE" >> "$keys"
set -- -Dsim.config="$keys" -Dsim.endpoints-file=/tmp/simulators.json \
    -Dbroker.clock.epoch="${BROKER_CLOCK_EPOCH:-}" -Dbroker.clock.origin="${BROKER_CLOCK_ORIGIN:-}" \
    -Dbroker.clock.scale="${BROKER_CLOCK_SCALE:-1}"
port=18101
for name in vastai tensordock rackrr barrack trooper; do
  upper=$(echo "$name" | tr '[:lower:]' '[:upper:]')
  eval "p=\${SIM_${upper}_PORT:-$port}; k=\${SIM_${upper}_API_KEY:-}"
  set -- "$@" -Dsim."$name".port="$p"
  [ -n "$k" ] && printf '%s.api-key=%s\n' "$name" "$k" >> "$keys"
  port=$((port + 1))
done
exec java "$@" -cp "/opt/provider-sim/sim-app.jar:/opt/provider-sim/lib/*" io.gpubroker.sim.SimMain
