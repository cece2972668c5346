package io.jwtproxy.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jwtproxy.background.Periodic;

/**
 * Watches a certificate file and its key file, and hands on a renewed identity. The files are
 * read every {@code interval}: a renewal that replaces them (certbot's and cert-manager's swap
 * symbolic links, others rewrite in place) is noticed whatever its way. A renewal that does not
 * check out (a key that is not the certificate's yet, an expired certificate, half a file) keeps
 * the identity in use and logs why, once per content of the two files; the next complete
 * renewal is taken.
 */
public final class TlsIdentityWatcher implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(TlsIdentityWatcher.class);

    private final Path certificateFile;
    private final Path keyFile;
    private final String certificateSetting;
    private final String keySetting;
    private final TlsIdentity.Role role;
    private final Clock clock;
    private final Consumer<TlsIdentity> renewed;
    private volatile Periodic checks;
    private volatile TlsIdentity current;
    private byte[] lastSeen;

    /**
     * @param certificateSetting how the certificate file is named in the log (the setting that gives it)
     * @param renewed takes each renewed identity; called on the watcher's thread
     */
    public TlsIdentityWatcher(TlsIdentity current, Path certificateFile, Path keyFile, String certificateSetting, String keySetting,
                              TlsIdentity.Role role, Clock clock, Consumer<TlsIdentity> renewed)
    {
        this.current = current;
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
        this.certificateSetting = certificateSetting;
        this.keySetting = keySetting;
        this.role = role;
        this.clock = clock;
        this.renewed = renewed;
        this.lastSeen = contents();
    }

    /** Checks the files every {@code interval} from now on, on a daemon thread. */
    public void start(Duration interval)
    {
        checks = Periodic.start("jwt-proxy-tls-watcher", interval, this::check);
    }

    /** @return the identity in use */
    public TlsIdentity current()
    {
        return current;
    }

    /** Looks at the files once: a changed, valid pair is handed on. */
    void check()
    {
        byte[] seen = contents();
        if (Arrays.equals(seen, lastSeen))
            return;
        lastSeen = seen;
        try
        {
            TlsIdentity identity = TlsIdentity.load(certificateFile, keyFile, role, clock.instant());
            if (identity.leaf().equals(current.leaf()))
                return;
            TlsIdentity previous = current;
            renewed.accept(identity);
            current = identity;
            LOG.info("TLS certificate renewed: now {} (was {})", identity, previous);
        }
        catch (TlsFileException x)
        {
            String setting = x.file() == TlsFileException.File.CERTIFICATE ? certificateSetting : keySetting;
            LOG.warn("TLS certificate not renewed, still serving {}: {}: {}", current, setting, x.getMessage());
        }
        catch (RuntimeException x)
        {
            LOG.warn("TLS certificate not renewed, still serving {}: {}", current, x.toString());
        }
    }

    /** @return a digest of both files' bytes (an unreadable file counts as empty) */
    private byte[] contents()
    {
        try
        {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path file : new Path[]{certificateFile, keyFile})
            {
                try
                {
                    digest.update(Files.readAllBytes(file));
                }
                catch (IOException x)
                {
                    // Gone for a moment during a swap: the next look sees the new file.
                }
                digest.update((byte)0);
            }
            return digest.digest();
        }
        catch (NoSuchAlgorithmException x)
        {
            throw new IllegalStateException("the JDK has no SHA-256", x);
        }
    }

    /** Stops the checks and returns once their thread has ended (a container looks for leftover threads at undeploy). */
    @Override
    public void close()
    {
        Periodic stopping = checks;
        if (stopping != null)
            stopping.close();
    }
}
