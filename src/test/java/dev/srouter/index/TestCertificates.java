package dev.srouter.index;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;

/**
 * A self-signed certificate for 127.0.0.1, made once per test JVM by the JDK's own {@code keytool}
 * (nothing is committed, nothing is fetched), for test servers that must speak TLS.
 */
public final class TestCertificates {
    private static final char[] PASSWORD = "test-only-keystore".toCharArray();
    private static KeyManagerFactory keyManagers;

    private TestCertificates() {}

    /** gRPC server credentials with the self-signed certificate. */
    public static ServerCredentials selfSignedServerCredentials() throws IOException {
        return TlsServerCredentials.newBuilder().keyManager(keyManagerFactory().getKeyManagers()).build();
    }

    private static synchronized KeyManagerFactory keyManagerFactory() throws IOException {
        if (keyManagers != null) {
            return keyManagers;
        }
        Path dir = Files.createTempDirectory("srouter-test-tls");
        Path store = dir.resolve("server.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "RSA",
                "-keysize", "2048", "-validity", "2", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(PASSWORD), "-keypass",
                new String(PASSWORD), "-noprompt"))
                .redirectErrorStream(true)
                .start();
        try {
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed: " + output);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, PASSWORD);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASSWORD);
            keyManagers = kmf;
            return kmf;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making a test certificate", e);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the test certificate: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(store);
            Files.deleteIfExists(dir);
        }
    }
}
