package dev.srouter.index.pinecone;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-index "host" of {@link FakePineconeServer}: a plain TCP relay on 127.0.0.1 in front of the one gRPC
 * server. Real Pinecone gives every index its own host and nothing in a data-plane request names the index, so
 * each index gets its own port here; the gRPC server learns the index of a call from the relay connection it
 * arrived on (a registry keyed by the local port of the relay's socket to the server). The relay
 * also lets the server cut a client's connection without answering ({@link Link#drop()}).
 */
final class FakePineconeProxy implements Closeable {

    /** One relayed client connection. */
    static final class Link {
        private final FakePineconeProxy proxy;
        private final Socket client;
        private final Socket upstream;
        private final int upstreamLocalPort;

        private Link(FakePineconeProxy proxy, Socket client, Socket upstream) {
            this.proxy = proxy;
            this.client = client;
            this.upstream = upstream;
            this.upstreamLocalPort = upstream.getLocalPort();
        }

        /** The index whose host this connection reached. */
        String index() {
            return proxy.index;
        }

        /** Closes both sides at once (RST to the client): whatever was in flight is never answered. */
        void drop() {
            try {
                client.setSoLinger(true, 0);
            } catch (IOException ignored) {
                // closing anyway
            }
            close();
        }

        private void close() {
            proxy.registry.remove(upstreamLocalPort, this);
            proxy.links.remove(this);
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    private final String index;
    private final InetSocketAddress backend;
    private final Map<Integer, Link> registry;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final ServerSocket listener;
    private volatile boolean closed;

    /**
     * Starts relaying a free 127.0.0.1 port to {@code backend}.
     *
     * @param registry shared by all relays of one server: upstream local port to link
     */
    FakePineconeProxy(String index, InetSocketAddress backend, Map<Integer, Link> registry) throws IOException {
        this.index = index;
        this.backend = backend;
        this.registry = registry;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "fake-pinecone-relay-" + index);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(backend);
                upstream.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
                Link link = new Link(this, client, upstream);
                // Registered before a single byte reaches the server, so the server always finds it.
                registry.put(link.upstreamLocalPort, link);
                links.add(link);
                pump(link, client, upstream, "up");
                pump(link, upstream, client, "down");
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Link link, Socket from, Socket to, String direction) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // a side closed
            } finally {
                link.close();
            }
        }, "fake-pinecone-relay-" + index + "-" + direction);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        for (Link link : links) {
            link.close();
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
