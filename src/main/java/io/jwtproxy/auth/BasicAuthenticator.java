package io.jwtproxy.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import at.favre.lib.crypto.bcrypt.BCrypt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jwtproxy.config.AuthConfig;
import io.jwtproxy.config.Htpasswd;
import io.jwtproxy.config.Setting;
import io.jwtproxy.http.ClientRequest;

/**
 * {@code basic}: HTTP Basic (RFC 7617) against an htpasswd file of bcrypt lines, verified with
 * at.favre.lib's bcrypt. The file is re-read within a second of a change; a change that does not
 * parse is logged and the users as they were kept. A credential once verified is remembered (by a
 * keyed hash, never the password) until the file changes, so that each request does not pay
 * bcrypt's cost again. Checks are counted before they are made, per client address and user name
 * ({@link FailureLimiter}).
 */
final class BasicAuthenticator implements Authenticator
{
    private static final Logger LOG = LoggerFactory.getLogger(BasicAuthenticator.class);
    private static final String SCHEME = "basic ";
    private static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int REMEMBERED = 10_000;
    /** What an unknown user's password is checked against when the file has no user at all. */
    private static final String DUMMY_HASH = BCrypt.withDefaults().hashToString(10, "not a password of anyone".toCharArray());

    private record Users(Htpasswd file, FileTime modified, long size)
    {
    }

    private final Path file;
    private final String realm;
    private final FailureLimiter failures;
    private final byte[] rememberKey = new byte[32];
    private final Map<String, String> remembered = new ConcurrentHashMap<>();
    private volatile Users users;
    private volatile long checkedNanos = System.nanoTime();

    BasicAuthenticator(AuthConfig config, String realm)
    {
        this.file = config.basicFile();
        this.realm = realm;
        this.failures = new FailureLimiter(config.basicMaxFailures(), System::nanoTime);
        new SecureRandom().nextBytes(rememberKey);
        this.users = new Users(config.basicUsers(), modified(file), size(file));
    }

    @Override
    public String method()
    {
        return AuthConfig.Method.BASIC.label();
    }

    @Override
    public Verdict authenticate(ClientRequest clientRequest, String clientAddress)
    {
        String authorization = clientRequest.getHeader("Authorization");
        if (authorization == null || !authorization.toLowerCase(Locale.ROOT).startsWith(SCHEME))
            return new Verdict.Absent();
        // Malformed credentials cost nothing to refuse and guess nothing: they are not counted.
        String credentials;
        try
        {
            credentials = new String(Base64.getDecoder().decode(authorization.substring(SCHEME.length()).trim()), StandardCharsets.UTF_8);
        }
        catch (IllegalArgumentException x)
        {
            return new Verdict.Refused("the credentials are not base64");
        }
        int colon = credentials.indexOf(':');
        if (colon < 0)
            return new Verdict.Refused("the credentials are not user:password");
        String user = credentials.substring(0, colon);
        String password = credentials.substring(colon + 1);
        Htpasswd current = current();
        String hash = current.hashes().get(user);
        String rememberedAs = rememberKey(credentials);
        if (hash != null && hash.equals(remembered.get(rememberedAs)))
        {
            // Verified before: no check to reserve, but a barred client is barred even with the right password,
            // else the answer to a guess that happens to be remembered would tell it apart.
            long barred = failures.barredFor(clientAddress, user);
            return barred > 0 ? new Verdict.Limited(barred) : new Verdict.Authenticated(new Identity(user, null, null, List.of()));
        }
        long limited = failures.reserve(clientAddress, user);
        if (limited > 0)
            return new Verdict.Limited(limited);
        boolean verified = false;
        try
        {
            // An unknown user's password is checked all the same, against another user's hash: about as long as a wrong one.
            String checked = hash != null ? hash : current.hashes().values().stream().findFirst().orElse(DUMMY_HASH);
            verified = BCrypt.verifyer().verify(password.toCharArray(), checked).verified && hash != null;
        }
        finally
        {
            failures.settle(clientAddress, user, !verified);
        }
        if (!verified)
            return new Verdict.Refused("unknown user or wrong password");
        if (remembered.size() >= REMEMBERED)
            remembered.clear();
        remembered.put(rememberedAs, hash);
        return new Verdict.Authenticated(new Identity(user, null, null, List.of()));
    }

    /** @return the users, re-read first if the file changed since the last look (at most once a second) */
    private Htpasswd current()
    {
        Users known = users;
        long now = System.nanoTime();
        if (now - checkedNanos < CHECK_NANOS)
            return known.file();
        checkedNanos = now;
        FileTime modified = modified(file);
        long size = size(file);
        if (modified == null || (modified.equals(known.modified()) && size == known.size()))
            return known.file();
        synchronized (this)
        {
            if (users != known)
                return users.file();
            try
            {
                Htpasswd reread = Htpasswd.load(file);
                users = new Users(reread, modified, size);
                remembered.clear();
                LOG.info("{} re-read: {} users", Setting.AUTH_BASIC_FILE, reread.hashes().size());
            }
            catch (IllegalArgumentException x)
            {
                // Remembered as seen: logged once per change, and the users as they were kept.
                users = new Users(known.file(), modified, size);
                LOG.warn("{} not re-read, still using the {} users read before: {}", Setting.AUTH_BASIC_FILE, known.file().hashes().size(),
                    x.getMessage());
            }
            return users.file();
        }
    }

    private String rememberKey(String credentials)
    {
        try
        {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(rememberKey, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        catch (GeneralSecurityException x)
        {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", x);
        }
    }

    private static FileTime modified(Path file)
    {
        try
        {
            return Files.getLastModifiedTime(file);
        }
        catch (java.io.IOException x)
        {
            return null;
        }
    }

    private static long size(Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (java.io.IOException x)
        {
            return -1;
        }
    }

    @Override
    public boolean mayWait(ClientRequest clientRequest)
    {
        // ~100 ms of bcrypt for a credential not verified before.
        String authorization = clientRequest.getHeader("Authorization");
        return authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
    }

    @Override
    public String challenge(Verdict verdict)
    {
        return "Basic realm=\"" + realm + "\", charset=\"UTF-8\"";
    }

    @Override
    public List<String> credentialFields()
    {
        return List.of("Authorization");
    }
}
