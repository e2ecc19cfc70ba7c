#!/bin/sh
# The command `cdk8s-falco-audit` (same arguments as bin/cdk8s-falco-audit.js), started from the app's V8 startup
# snapshot when there is one for this node: build/snapshot/app.blob, made by `npm run build` (bin/build-snapshot.js)
# beside build/snapshot/node, a link to the node binary that made it. A blob only loads into the node that made it
# (another one exits 14 before running anything), so it is used only when `node` on PATH is that same file and
# NODE_OPTIONS is empty (a V8 flag there would make node refuse the blob as well); otherwise, and with no blob, this
# runs the plain bundle, build/app.js, with the same output. The blob itself falls back to build/app.js when that
# or the validators changed since it was made (lib/app/snapshot.ts). cdk8s.yaml and `npm run synth` run this.
case $0 in
  */*) root=${0%/*}/.. ;;
  *) root=.. ;;
esac
# The app opens no network connection, so the extra CA certificates node would otherwise read and parse at every
# start-up (NODE_EXTRA_CA_CERTS, nodejs/node doc/api/cli.md) are of no use to it; a full bundle there costs ~30 ms.
unset NODE_EXTRA_CA_CERTS
node=$(command -v node) || { echo "error: node (Node.js 20) is not on PATH" >&2; exit 127; }
if [ -z "${NODE_OPTIONS:-}" ] && [ -f "$root/build/snapshot/app.blob" ] && [ "$root/build/snapshot/node" -ef "$node" ]; then
  exec "$node" --snapshot-blob "$root/build/snapshot/app.blob" -- "$@"
fi
exec "$node" "$root/build/app.js" "$@"
