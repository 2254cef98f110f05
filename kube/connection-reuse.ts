// client-node 2.0.1 hands every API request (and every watch) an undici Agent of its own:
// KubeConfig.applySecurityAuthentication builds a new one from the TLS options each time, so no
// connection is ever reused. Each request is a TLS handshake on both sides, and each leaves its
// keep-alive socket behind until the server's idle timeout: a thousand finalizer patches meant a
// thousand handshakes and a thousand idle TLS sockets in the watcher (measured in its benchmark: 13 s
// of its CPU in TLS; its peak 268 KB/session over its idle RSS, 161-192 KB with this).
// This KubeConfig keeps one Agent per cluster and client identity and gives it to every request, as
// client-node already does for its https.Agent (websockets): keyed by what picks the TLS connection.
import { KubeConfig, type Cluster, type RequestContext, type User } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * What a connection to the cluster is made with: its server and CA, and the client certificate.
 * Tokens and basic auth travel in headers, so they are not part of it (a refreshed token, e.g. a pod's
 * service account token, reuses the connection). undefined: no reuse, a new Agent per request as
 * client-node does, for a user whose exec plugin or auth provider may hand out a client certificate
 * (that certificate is not in the kubeconfig, so no key could tell a rotated one from the old).
 * A certificate rotated in place behind the same file name is not seen either: the key names files,
 * not their contents.
 */
export function connectionKey(cluster: Cluster | null, user: User | null): string | undefined {
  if (user?.exec !== undefined || user?.authProvider !== undefined) return undefined;
  return JSON.stringify([
    cluster?.server,
    cluster?.caFile,
    cluster?.caData,
    cluster?.tlsServerName,
    cluster?.skipTLSVerify,
    cluster?.proxyUrl,
    user?.certFile,
    user?.certData,
    user?.keyFile,
    user?.keyData,
  ]);
}

export class ConnectionReusingKubeConfig extends KubeConfig {
  readonly #dispatchers = new Map<string, Dispatcher>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    // The headers (token, basic auth) are set per request; the fresh Agent has no socket yet and is dropped.
    await super.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    if (fresh === undefined) return;
    const key = connectionKey(this.getCurrentCluster(), this.getCurrentUser());
    if (key === undefined) return;
    const shared = this.#dispatchers.get(key) ?? fresh;
    this.#dispatchers.set(key, shared);
    context.setDispatcher(shared);
  }
}
