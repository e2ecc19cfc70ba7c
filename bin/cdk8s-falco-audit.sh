#!/bin/sh
# The command `cdk8s-falco-audit` (same arguments and output as bin/cdk8s-falco-audit.js), started from the app's V8
# startup snapshot when there is one for this node: build/snapshot/app.blob, made by `npm run build`
# (bin/build-snapshot.js) beside build/snapshot/node, a link to the node binary that made it, and v8-flags. A blob
# loads only into the node that made it, with the same V8 flags (any other exits 14 before running anything), so it
# is used only when `node` on PATH is that very file and NODE_OPTIONS is empty; otherwise, with no blob, or with
# FALCO_AUDIT_SNAPSHOT=0, this runs the plain bundle build/app.js. The blob itself falls back to build/app.js when
# that or the validators changed since it was made, or the folder moved (lib/app/snapshot.ts).
# FALCO_AUDIT_TRACE_START=1 says on stderr which way a run starts. cdk8s.yaml and `npm run synth` run this.
case $0 in
  */*) root=${0%/*}/.. ;;
  *) root=.. ;;
esac
# The app opens no network connection, so the extra CA certificates node otherwise reads and parses at every start
# (NODE_EXTRA_CA_CERTS, nodejs/node doc/api/cli.md) are of no use to it; a full CA bundle there costs ~30 ms.
unset NODE_EXTRA_CA_CERTS
node=$(command -v node) || { echo "error: node (Node.js 20) is not on PATH" >&2; exit 127; }
snapshot=$root/build/snapshot
blob=$snapshot/app.blob
if [ "${FALCO_AUDIT_SNAPSHOT:-}" = 0 ]; then why='FALCO_AUDIT_SNAPSHOT=0'
elif [ -n "${NODE_OPTIONS:-}" ]; then why='NODE_OPTIONS is set'
elif [ ! -f "$blob" ] || [ ! -f "$snapshot/v8-flags" ]; then why="no $blob"
elif [ ! "$snapshot/node" -ef "$node" ]; then why="$blob was made by another node than $node"
else
  [ -n "${FALCO_AUDIT_TRACE_START:-}" ] && echo "start: snapshot $blob" >&2
  # the V8 flags the blob was made with, which it must run with (bin/build-snapshot.js says why these)
  read -r flags < "$snapshot/v8-flags"
  # shellcheck disable=SC2086 # one word per flag
  exec "$node" $flags --snapshot-blob "$blob" -- "$@"
fi
[ -n "${FALCO_AUDIT_TRACE_START:-}" ] && echo "start: plain $root/build/app.js ($why)" >&2
exec "$node" "$root/build/app.js" "$@"
