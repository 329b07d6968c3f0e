# Three edge Workers (separate isolates, same script) on 127.0.0.1:8781-8783 and
# the aggregated page on 127.0.0.1:8780/metrics, held by a Durable Object.
#   examples/edge-aggregate/build.sh    (optional: the bundles are committed)
#   npx workerd serve examples/edge-aggregate/config.capnp
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "edge1", worker = .edge),
    (name = "edge2", worker = .edge),
    (name = "edge3", worker = .edge),
    (name = "aggregator", worker = .aggregator),
    (name = "totals-disk", disk = (path = "examples/edge-aggregate/.totals", writable = true)),
  ],
  sockets = [
    (name = "edge1", address = "127.0.0.1:8781", http = (), service = "edge1"),
    (name = "edge2", address = "127.0.0.1:8782", http = (), service = "edge2"),
    (name = "edge3", address = "127.0.0.1:8783", http = (), service = "edge3"),
    (name = "metrics", address = "127.0.0.1:8780", http = (), service = "aggregator"),
  ],
);

const edge :Workerd.Worker = (
  modules = [ (name = "edge", esModule = embed "edge.js") ],
  compatibilityDate = "2026-11-01",
  bindings = [ (name = "AGG", service = "aggregator") ],
);

const aggregator :Workerd.Worker = (
  modules = [ (name = "aggregator", esModule = embed "aggregator.js") ],
  compatibilityDate = "2026-11-01",
  durableObjectNamespaces = [ (className = "Totals", uniqueKey = "promedge-edge-aggregate-totals") ],
  # On disk, so the totals outlive the object's eviction and workerd's restart.
  durableObjectStorage = (localDisk = "totals-disk"),
  bindings = [ (name = "TOTALS", durableObjectNamespace = "Totals") ],
);
