package io.jwtproxy.config;

import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

import io.jwtproxy.tls.TlsFileException;
import io.jwtproxy.tls.TlsIdentity;
import io.jwtproxy.tls.TrustedAuthorities;

/**
 * How the proxy talks to its upstream, read by every deployment: the protocol, and over TLS the CAs
 * it trusts (null: the JDK's) and the certificate it presents (null: none). Host names are always
 * verified.
 *
 * @param clientCertificateFile where {@code clientIdentity} came from, to watch it for renewals
 */
public record UpstreamTransport(Protocol protocol, KeyStore trustedAuthorities, TlsIdentity clientIdentity, Path clientCertificateFile,
                                Path clientKeyFile)
{
    /** UPSTREAM_PROTOCOL's values. */
    public enum Protocol
    {
        HTTP_1_1("http/1.1"), H2C("h2c"), H2("h2");

        private final String setting;

        Protocol(String setting)
        {
            this.setting = setting;
        }

        @Override
        public String toString()
        {
            return setting;
        }
    }

    /** HTTP/1.1 with the JDK's trust and no client certificate: the defaults. */
    public static final UpstreamTransport DEFAULT = new UpstreamTransport(Protocol.HTTP_1_1, null, null, null, null);

    /**
     * Reads and checks the upstream transport's settings against {@code upstream}, adding what is
     * wrong to {@code problems}.
     *
     * @param upstream null when UPSTREAM_URL is missing (the jar's demo) or invalid
     * @param upstreamGiven whether UPSTREAM_URL was given: if not, these settings have nothing to apply to
     */
    static UpstreamTransport load(ConfigSource source, Upstream upstream, boolean upstreamGiven, Instant now, Problems problems)
    {
        String name = Values.string(source, Setting.UPSTREAM_PROTOCOL).trim().toLowerCase(Locale.ROOT);
        Protocol protocol = Arrays.stream(Protocol.values()).filter(p -> p.setting.equals(name)).findFirst().orElse(null);
        if (protocol == null)
        {
            problems.add(Setting.UPSTREAM_PROTOCOL, "\"" + name + "\" is none of http/1.1, h2c, h2");
            protocol = Protocol.HTTP_1_1;
        }
        // Checked against the upstream only when there is one to check against.
        boolean unknown = upstream == null;
        boolean secure = !unknown && upstream.secure();
        if (!upstreamGiven && protocol != Protocol.HTTP_1_1)
            problems.add(Setting.UPSTREAM_PROTOCOL, "is " + protocol + ", but UPSTREAM_URL is not set (the demo's echo upstream speaks HTTP/1.1)");
        if (protocol == Protocol.H2 && !unknown && !secure)
            problems.add(Setting.UPSTREAM_PROTOCOL, "h2 is HTTP/2 over TLS, but UPSTREAM_URL is http: use h2c, or an https UPSTREAM_URL");
        if (protocol == Protocol.H2C && secure)
            problems.add(Setting.UPSTREAM_PROTOCOL, "h2c is HTTP/2 without TLS, but UPSTREAM_URL is https: use h2");

        KeyStore trusted = null;
        String caFile = Values.optional(source, Setting.UPSTREAM_CA_FILE);
        if (caFile != null)
        {
            if (!secure && (!unknown || !upstreamGiven))
                problems.add(Setting.UPSTREAM_CA_FILE, "is set, but UPSTREAM_URL is not https: there is no TLS to verify");
            try
            {
                trusted = TrustedAuthorities.load(Path.of(caFile));
            }
            catch (TlsFileException x)
            {
                problems.add(Setting.UPSTREAM_CA_FILE, x.getMessage());
            }
        }

        TlsIdentity client = null;
        String certificateFile = Values.optional(source, Setting.UPSTREAM_CLIENT_CERT_FILE);
        String keyFile = Values.optional(source, Setting.UPSTREAM_CLIENT_KEY_FILE);
        if (certificateFile != null || keyFile != null)
        {
            if (certificateFile == null)
                problems.add(Setting.UPSTREAM_CLIENT_CERT_FILE, "is required with UPSTREAM_CLIENT_KEY_FILE");
            else if (keyFile == null)
                problems.add(Setting.UPSTREAM_CLIENT_KEY_FILE, "is required with UPSTREAM_CLIENT_CERT_FILE");
            else
            {
                if (!secure && (!unknown || !upstreamGiven))
                    problems.add(Setting.UPSTREAM_CLIENT_CERT_FILE, "is set, but UPSTREAM_URL is not https: there is no TLS to present it in");
                try
                {
                    client = TlsIdentity.load(Path.of(certificateFile), Path.of(keyFile), TlsIdentity.Role.CLIENT, now);
                }
                catch (TlsFileException x)
                {
                    problems.add(x.file() == TlsFileException.File.CERTIFICATE ? Setting.UPSTREAM_CLIENT_CERT_FILE : Setting.UPSTREAM_CLIENT_KEY_FILE,
                        x.getMessage());
                }
            }
        }
        return new UpstreamTransport(protocol, trusted, client, client == null ? null : Path.of(certificateFile),
            client == null ? null : Path.of(keyFile));
    }
}
