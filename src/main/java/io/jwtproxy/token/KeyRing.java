package io.jwtproxy.token;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jwtproxy.background.Periodic;
import io.jwtproxy.pem.PemKeys;

/**
 * The private keys the proxy signs with, on a schedule: each key signs from its {@code activeFrom}
 * until the next key's, is published (in the JWK Set) from the moment it exists, and stays
 * published until every token it signed has expired.
 *
 * <p>With a keys directory the schedule is the directory: one PKCS#8 PEM file per key, named
 * {@code key-<activeFrom, yyyyMMdd'T'HHmmss'Z'>.pem}, so a restarted proxy, or a second one sharing
 * the directory, follows the same schedule. {@link #refresh()} (run every few seconds) reads new
 * files, generates the next key a whole rotation period ahead (never less than the JWK Set's cache
 * lifetime ahead), honours an on-demand rotation request (a file named {@value #ROTATE_REQUEST}) and
 * deletes the files of keys no live token needs.
 *
 * <p>A {@linkplain #readOnly read-only} directory (a Kubernetes Secret, a configuration manager's
 * files) is only read: whoever writes it adds each key at least a JWK Set cache lifetime before its
 * time and removes a retired one once its tokens have expired; the proxy signs with the key whose
 * time has come, publishes the others, and writes nothing.
 */
public final class KeyRing implements AutoCloseable
{
    /** Dropped into the keys directory, asks for a new key, active one JWK Set cache lifetime later. */
    public static final String ROTATE_REQUEST = "rotate";
    private static final Logger LOG = LoggerFactory.getLogger(KeyRing.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern KEY_FILE = Pattern.compile("key-(\\d{8}T\\d{6}Z)\\.pem");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final JwtAlgorithm algorithm;
    private final Clock clock;
    private final Path directory;
    private final Duration rotateEvery;
    private final Duration publishAhead;
    private final Duration keepAfterRetired;
    /** Keys read from the directory, by file name, with the file's size and time to see changes. */
    private final Map<String, Loaded> loaded = new HashMap<>();
    /** Unusable files already logged, so that each is reported once, not every refresh. */
    private final Set<String> reported = new HashSet<>();
    private volatile List<SigningKey> keys;
    /** When each key's file was written (published), by its activeFrom; read by other threads than the refresh's. */
    private volatile Map<Instant, Instant> writtenAt = Map.of();
    /** The refreshes, once started; read by close() without the lock, which a refresh may be waiting for. */
    private volatile Periodic refresher;
    /** Whether the directory is someone else's to write: nothing is generated or deleted. */
    private final boolean readOnly;

    private record Loaded(long size, long modified, SigningKey key) {}

    private KeyRing(JwtAlgorithm algorithm, Clock clock, Path directory, Duration rotateEvery, Duration publishAhead,
                    Duration keepAfterRetired, List<SigningKey> keys, boolean readOnly)
    {
        this.readOnly = readOnly;
        this.algorithm = algorithm;
        this.clock = clock;
        this.directory = directory;
        this.rotateEvery = rotateEvery;
        this.publishAhead = publishAhead;
        this.keepAfterRetired = keepAfterRetired;
        this.keys = keys;
    }

    /** @return a ring of one key that signs for ever (JWT_KEY_FILE, or a demo key) */
    public static KeyRing fixed(SigningKey key, Clock clock)
    {
        return new KeyRing(key.algorithm(), clock, null, null, Duration.ZERO, Duration.ZERO, List.of(key), false);
    }

    /**
     * A ring kept in a directory, read (and, when it has no key, given one) now.
     *
     * @param rotateEvery how long each key signs, or null to rotate only on request
     * @param publishAhead how long before it signs a new key is published: the JWK Set's cache lifetime
     * @param keepAfterRetired how long a retired key stays published: the tokens' lifetime plus clock skew
     * @throws IOException if the directory cannot be read or written
     */
    public static KeyRing directory(JwtAlgorithm algorithm, Path directory, Duration rotateEvery, Duration publishAhead,
                                    Duration keepAfterRetired, Clock clock) throws IOException
    {
        KeyRing ring = new KeyRing(algorithm, clock, directory, rotateEvery, publishAhead, keepAfterRetired, List.of(), false);
        ring.refresh();
        return ring;
    }

    /**
     * A ring kept in a directory written by someone else, read now.
     *
     * @param keepAfterRetired how long a retired key stays published: the tokens' lifetime plus clock skew
     * @throws IOException if the directory cannot be read, or holds no key
     */
    public static KeyRing readOnly(JwtAlgorithm algorithm, Path directory, Duration keepAfterRetired, Clock clock) throws IOException
    {
        KeyRing ring = new KeyRing(algorithm, clock, directory, null, null, keepAfterRetired, List.of(), true);
        ring.refresh();
        return ring;
    }

    public JwtAlgorithm algorithm()
    {
        return algorithm;
    }

    /** @return the key that signs now: the latest whose activeFrom has come (the earliest if none has) */
    public SigningKey active()
    {
        Instant now = clock.instant();
        List<SigningKey> current = keys;
        SigningKey active = current.get(0);
        for (SigningKey key : current)
        {
            if (key.activeFrom().isAfter(now))
                break;
            active = key;
        }
        return active;
    }

    /** @return the key that signs after the active one, or null when none is scheduled yet */
    public SigningKey next()
    {
        Instant now = clock.instant();
        SigningKey active = active();
        for (SigningKey key : keys)
        {
            if (key.activeFrom().isAfter(now) && key.activeFrom().isAfter(active.activeFrom()))
                return key;
        }
        return null;
    }

    /** @return when {@code key} was published: when its file was written (for a fixed key, when it began to sign) */
    public Instant publishedAt(SigningKey key)
    {
        return writtenAt.getOrDefault(key.activeFrom(), key.activeFrom());
    }

    /** @return the keys to publish now: each from its creation until its last token has expired */
    public List<SigningKey> published()
    {
        Instant now = clock.instant();
        List<SigningKey> current = keys;
        List<SigningKey> published = new ArrayList<>();
        for (int i = 0; i < current.size(); i++)
        {
            if (i + 1 == current.size() || now.isBefore(keepUntil(current.get(i + 1))))
                published.add(current.get(i));
        }
        return published;
    }

    // A key retires when its successor activates; its last token expires keepAfterRetired later.
    private Instant keepUntil(SigningKey successor)
    {
        return successor.activeFrom().plus(keepAfterRetired);
    }

    /**
     * Brings the ring up to date with its directory and the clock: reads new or changed key files,
     * performs a requested rotation, schedules the next key, and deletes the files of keys whose
     * tokens have all expired. Does nothing for a fixed ring.
     *
     * @throws IOException if the directory cannot be read or written
     */
    public synchronized void refresh() throws IOException
    {
        if (directory == null)
            return;
        Instant now = clock.instant();
        List<SigningKey> scanned = scan();
        if (readOnly)
        {
            if (scanned.isEmpty())
                throw new IOException("the read-only directory holds no key (key-<yyyyMMdd'T'HHmmss'Z'>.pem, UTC)");
            keep(scanned, now, false);
            return;
        }
        Path request = directory.resolve(ROTATE_REQUEST);
        if (Files.exists(request))
        {
            Instant activeFrom = ceilSecond(now.plus(publishAhead));
            LOG.info("rotation requested ({} found): a new key signs from {}", request, activeFrom);
            create(activeFrom);
            Files.deleteIfExists(request);
            scanned = scan();
        }
        if (scanned.isEmpty())
        {
            // Nothing was published before this key: no verifier can have cached an older set.
            create(ceilSecond(now).minusSeconds(1));
            scanned = scan();
        }
        if (rotateEvery != null && scanned.stream().noneMatch(key -> key.activeFrom().isAfter(now)))
        {
            Instant activeFrom = scanned.get(scanned.size() - 1).activeFrom().plus(rotateEvery);
            Instant earliest = now.plus(publishAhead);
            create(ceilSecond(activeFrom.isBefore(earliest) ? earliest : activeFrom));
            scanned = scan();
        }
        keep(scanned, now, true);
    }

    /** Makes the ring the scanned keys but those whose last token has expired, deleting their files if {@code delete}. */
    private void keep(List<SigningKey> scanned, Instant now, boolean delete) throws IOException
    {
        List<SigningKey> kept = new ArrayList<>();
        for (int i = 0; i < scanned.size(); i++)
        {
            SigningKey key = scanned.get(i);
            if (i + 1 < scanned.size() && !now.isBefore(keepUntil(scanned.get(i + 1))))
            {
                if (!delete)
                    continue;
                LOG.info("deleting {}: retired at {}, its last token expired", key, scanned.get(i + 1).activeFrom());
                Path file = directory.resolve(fileName(key.activeFrom()));
                Files.deleteIfExists(file);
                loaded.remove(file.getFileName().toString());
            }
            else
            {
                kept.add(key);
            }
        }
        if (!kept.equals(keys))
            keys = List.copyOf(kept);
    }

    /** Runs {@link #refresh()} every {@code period} on a daemon thread until {@link #close()}. */
    public synchronized void start(Duration period)
    {
        if (directory == null || refresher != null)
            return;
        refresher = Periodic.start("jwt-proxy-keys", period, () ->
        {
            try
            {
                refresh();
            }
            catch (IOException | RuntimeException x)
            {
                // The current keys keep signing; the next refresh tries again.
                LOG.error("cannot refresh the keys in {}: {}", directory, x.toString());
            }
        });
    }

    /** Stops the refreshes and returns once their thread has ended; a refresh under way finishes first. */
    @Override
    public void close()
    {
        Periodic stopping = refresher;
        if (stopping != null)
            stopping.close();
    }

    /** @return the keys in the directory, sorted by activeFrom; unusable files are logged and skipped */
    private List<SigningKey> scan() throws IOException
    {
        List<SigningKey> found = new ArrayList<>();
        Map<String, Loaded> seen = new HashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "key-*.pem"))
        {
            for (Path file : files)
            {
                String name = file.getFileName().toString();
                Matcher matcher = KEY_FILE.matcher(name);
                if (!matcher.matches())
                    continue;
                try
                {
                    long size = Files.size(file);
                    long modified = Files.getLastModifiedTime(file).toMillis();
                    Loaded previous = loaded.get(name);
                    if (previous == null || previous.size() != size || previous.modified() != modified)
                    {
                        Instant activeFrom = STAMP.parse(matcher.group(1), Instant::from);
                        PrivateKey privateKey = PemKeys.read(file);
                        previous = new Loaded(size, modified, SigningKey.of(algorithm, privateKey, activeFrom));
                        LOG.info("{} read from {}", previous.key(), file);
                    }
                    seen.put(name, previous);
                    found.add(previous.key());
                }
                catch (NoSuchFileException x)
                {
                    // Deleted meanwhile by another proxy sharing the directory.
                }
                catch (IllegalArgumentException | DateTimeParseException x)
                {
                    if (reported.add(name))
                        LOG.error("ignoring {}: {}", file, x.getMessage());
                }
            }
        }
        loaded.clear();
        loaded.putAll(seen);
        Map<Instant, Instant> written = new HashMap<>();
        seen.values().forEach(entry -> written.put(entry.key().activeFrom(), Instant.ofEpochMilli(entry.modified())));
        writtenAt = Map.copyOf(written);
        found.sort(Comparator.comparing(SigningKey::activeFrom));
        return found;
    }

    /** Writes a new key, readable by its owner only, unless another proxy wrote one for that instant first. */
    private void create(Instant activeFrom) throws IOException
    {
        Path target = directory.resolve(fileName(activeFrom));
        PrivateKey key = algorithm.generate().getPrivate();
        Path temporary;
        try
        {
            temporary = Files.createTempFile(directory, ".key-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        catch (UnsupportedOperationException x)
        {
            temporary = Files.createTempFile(directory, ".key-", ".tmp");
        }
        try
        {
            Files.writeString(temporary, PemKeys.format(key), StandardCharsets.US_ASCII);
            // A link, unlike a rename, never replaces: of two proxies racing, one key wins and both read it.
            Files.createLink(target, temporary);
            LOG.info("generated a new {} key in {}, signing from {}", algorithm, target, activeFrom);
        }
        catch (FileAlreadyExistsException x)
        {
            // Another proxy sharing the directory scheduled the same instant: its key is the one.
        }
        finally
        {
            Files.deleteIfExists(temporary);
        }
    }

    static String fileName(Instant activeFrom)
    {
        return "key-" + STAMP.format(activeFrom) + ".pem";
    }

    private static Instant ceilSecond(Instant instant)
    {
        Instant floor = instant.truncatedTo(ChronoUnit.SECONDS);
        return floor.equals(instant) ? floor : floor.plusSeconds(1);
    }
}
